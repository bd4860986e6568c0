package flexititest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/internal/fake"
)

// EnterPIN plays the shopper in the widget at redirectionURL
// (WidgetSession.RedirectionURL): it opens the page and submits pin, as the
// page's script does, and returns the event the widget posts to its parent
// ({"eventType": "flx-success", "eventData": {...}}), ready for
// flexiti.ParseWidgetEvent.
func (s *Server) EnterPIN(ctx context.Context, redirectionURL, pin string) (json.RawMessage, error) {
	page, sessionID, err := s.openWidget(ctx, redirectionURL)
	if err != nil {
		return nil, err
	}
	verify, err := page.URL.Parse("widget/verify")
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(map[string]string{"widget_session_id": sessionID, "pin": pin})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, verify.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, flexiti.MaxEventBytes))
	if err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimSpace(raw)), nil
}

// CancelWidget plays the shopper pressing Cancel in the widget at
// redirectionURL: it opens the page and returns the event the widget posts
// to its parent, {"eventType": "flx-cancel"}. Nothing reaches Flexiti; the
// token stays unverified.
func (s *Server) CancelWidget(ctx context.Context, redirectionURL string) (json.RawMessage, error) {
	page, _, err := s.openWidget(ctx, redirectionURL)
	if err != nil {
		return nil, err
	}
	if !page.Has("flexiti-cancel") {
		return nil, errors.New("flexititest: the widget page has no Cancel button")
	}
	return json.RawMessage(`{"eventType":"` + flexiti.EventCancel + `"}`), nil
}

// openWidget loads the widget page and reads widget_session_id from the
// fragment of its URL, as the page's script does.
func (s *Server) openWidget(ctx context.Context, redirectionURL string) (*fake.Page, string, error) {
	u, err := url.Parse(redirectionURL)
	if err != nil {
		return nil, "", err
	}
	frag := u.Fragment
	u.Fragment = ""
	page, err := fake.Fetch(ctx, s.Client(), http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", err
	}
	if !page.Has("flexiti-pin-form") {
		return nil, "", errors.New("flexititest: " + u.Redacted() + " is not the widget page")
	}
	i := strings.IndexByte(frag, '?')
	if i < 0 {
		return nil, "", errors.New("flexititest: the widget URL carries no widget_session_id")
	}
	q, err := url.ParseQuery(frag[i+1:])
	if err != nil || q.Get("widget_session_id") == "" {
		return nil, "", errors.New("flexititest: the widget URL carries no widget_session_id")
	}
	return page, q.Get("widget_session_id"), nil
}
