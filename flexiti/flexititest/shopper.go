package flexititest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/internal/fake"
)

// Card is what a shopper enters in Flexiti's widget: Flexiti has no card
// number to type, the widget asks for the account's PIN. Its field names
// follow every fake's Card.
type Card struct {
	PIN string
}

// Test cards: TestCard passes the widget (PIN); WrongPINCard gives
// flx-success with verified false, and an authorization under that token
// then fails with flexiti.ErrCustomerIdentityNotFound.
var (
	TestCard     = Card{PIN: PIN}
	WrongPINCard = Card{PIN: "0000"}
)

// WidgetResult is where the shopper's step in the widget ends.
type WidgetResult struct {
	// Event is what the widget posts to its parent page, which forwards it
	// to the merchant's server: {"eventType": "flx-success", "eventData":
	// {...}} after PayWidget, {"eventType": "flx-cancel"} after CloseWidget.
	// flexiti.ParseWidgetEvent reads it.
	Event json.RawMessage
}

// PayWidget plays the shopper in the widget at widgetURL
// (WidgetSession.RedirectionURL): it opens the page and submits card's PIN,
// as the page's script does, and returns the event the widget posts to its
// parent.
func (s *Server) PayWidget(ctx context.Context, widgetURL string, card Card) (*WidgetResult, error) {
	page, sessionID, err := s.openWidget(ctx, widgetURL)
	if err != nil {
		return nil, err
	}
	verify, err := page.URL.Parse("widget/verify")
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(map[string]string{"widget_session_id": sessionID, "pin": card.PIN})
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
	return &WidgetResult{Event: json.RawMessage(bytes.TrimSpace(raw))}, nil
}

// CloseWidget plays the shopper pressing Cancel in the widget at
// widgetURL: it opens the page and returns the event the widget posts to
// its parent, {"eventType": "flx-cancel"}. Nothing reaches Flexiti; the
// token stays unverified.
func (s *Server) CloseWidget(ctx context.Context, widgetURL string) (*WidgetResult, error) {
	page, _, err := s.openWidget(ctx, widgetURL)
	if err != nil {
		return nil, err
	}
	if !page.Has("flexiti-cancel") {
		return nil, errors.New("flexititest: the widget page has no Cancel button")
	}
	return &WidgetResult{Event: json.RawMessage(`{"eventType":"` + flexiti.EventCancel + `"}`)}, nil
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

// Format prints the result with Event as the JSON text it is, not as bytes.
func (r WidgetResult) Format(f fmt.State, _ rune) { _, _ = fmt.Fprintf(f, "{Event:%s}", r.Event) }
