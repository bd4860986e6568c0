package finrotatest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/internal/fake"
)

// Card is what a shopper types into Finrota's widget.
type Card struct {
	Number, HolderName, CVV string
	ExpMonth, ExpYear       int
}

// Test cards: TestCard pays; DeclinedCard is declined when the payment is
// completed.
var (
	TestCard     = Card{Number: "4155650100416111", HolderName: "Test Shopper", CVV: "123", ExpMonth: 12, ExpYear: 2030}
	DeclinedCard = Card{Number: "4000000000000002", HolderName: "Test Shopper", CVV: "123", ExpMonth: 12, ExpYear: 2030}
)

// declinedNumber is the card number the fake declines.
const declinedNumber = "4000000000000002"

// PassWidget plays the shopper in Finrota's widget: with the widget token
// the merchant handed the page (Client.CreateWidgetToken) it reads the
// installment options and calls preparePayment with card, amount and use3D
// as the widget does when the shopper presses Pay, and returns the prepare
// token that onSuccess hands the page. Nothing is paid yet: the merchant's
// server completes with Client.CompletePayment.
func (s *Server) PassWidget(ctx context.Context, widget finrota.WidgetToken, amount finrota.Amount, use3D bool, card Card) (finrota.PrepareToken, error) {
	auth := http.Header{"Authorization": {"Bearer " + widget.Value()}}
	var programs []struct {
		Installments []struct {
			Token string `json:"token"`
		} `json:"installments"`
	}
	if err := s.widgetCall(ctx, http.MethodGet, "/b2c/widget/installments?amount="+url.QueryEscape(amount.String()), auth, nil, &programs); err != nil {
		return "", err
	}
	if len(programs) == 0 || len(programs[0].Installments) == 0 {
		return "", errors.New("finrotatest: the widget got no installment options")
	}
	body, _ := json.Marshal(map[string]any{
		"card": map[string]any{"cardNumber": card.Number, "cardHolderName": card.HolderName, "cvv": card.CVV,
			"expMonth": card.ExpMonth, "expYear": card.ExpYear},
		"use3D": use3D, "currency": finrota.TRY, "amount": amount, "installmentToken": programs[0].Installments[0].Token,
	})
	var out struct {
		PrepareToken string `json:"prepareToken"`
	}
	if err := s.widgetCall(ctx, http.MethodPost, "/b2c/widget/preparePayment", auth, body, &out); err != nil {
		return "", err
	}
	return finrota.PrepareToken(out.PrepareToken), nil
}

func (s *Server) widgetCall(ctx context.Context, method, path string, h http.Header, body []byte, into any) error {
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = h.Clone()
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, fake.MaxPage))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return errors.New("finrotatest: widget call " + path + " answered " + resp.Status + ": " + strings.TrimSpace(string(b)))
	}
	return json.Unmarshal(b, into)
}

// BankReturn is the form the bank's page auto-posts to the merchant's
// returnUrl after 3-D Secure (Finrota does not document it; these are the
// fake's fields, which finrota.ParseReturn reads).
type BankReturn struct {
	// URL is the payment's returnUrl.
	URL string
	// Form holds orderId, clientReferenceCode, success ("true" or "false")
	// and, on a failure, error.
	Form url.Values
}

// Request is the browser's POST of the form to returnUrl, for a test that
// hands it straight to the merchant's handler.
func (r *BankReturn) Request(ctx context.Context) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, strings.NewReader(r.Form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

// Send posts the form to returnUrl with hc, as the page's onload does, and
// returns the merchant's response (the caller closes its body). Sending it
// again is a browser's reload or back-and-forward: the merchant must take a
// repeated return.
func (r *BankReturn) Send(ctx context.Context, hc *http.Client) (*http.Response, error) {
	req, err := r.Request(ctx)
	if err != nil {
		return nil, err
	}
	return hc.Do(req)
}

// PassThreeD plays the shopper on the bank's 3-D page that a 3-D payment
// redirects to (Redirect.URL): it opens the page, enters code ("123456"
// passes, anything else fails the payment) and returns the form the page
// then posts to the merchant's returnUrl, without posting it.
func (s *Server) PassThreeD(ctx context.Context, redirectURL, code string) (*BankReturn, error) {
	hc := s.Client()
	page, err := fake.Fetch(ctx, hc, http.MethodGet, redirectURL, nil)
	if err != nil {
		return nil, err
	}
	action, fields, err := fake.FindForm(page, "finrota-3ds-form")
	if err != nil {
		return nil, err
	}
	fields.Set("code", code)
	if page, err = fake.Fetch(ctx, hc, http.MethodPost, action.String(), fields); err != nil {
		return nil, err
	}
	to, form, err := fake.FindForm(page, "finrota-return-form")
	if err != nil {
		return nil, err
	}
	return &BankReturn{URL: to.String(), Form: form}, nil
}
