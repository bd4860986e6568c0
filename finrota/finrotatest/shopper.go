package finrotatest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/internal/fake"
)

// Card is what a shopper types into Finrota's widget and the bank's 3-D
// page. Its fields are named as in every fake's Card.
type Card struct {
	HolderName string
	Number     string
	// ExpMonth (1–12) and ExpYear (four digits).
	ExpMonth, ExpYear int
	CVC               string
	// ThreeDS ticks 3-D Secure in the widget (preparePayment's use3D): the
	// payment then redirects to the bank's 3-D page.
	ThreeDS bool
	// ThreeDSCode answers the bank's 3-D page ("123456" passes, anything
	// else fails the payment).
	ThreeDSCode string
}

// Test cards: TestCard pays directly; ThreeDSCard pays after the bank's
// 3-D page and carries the code that passes; DeclinedCard is declined when
// the payment is completed.
var (
	TestCard     = Card{HolderName: "Test Shopper", Number: "4155650100416111", ExpMonth: 12, ExpYear: 2030, CVC: "123", ThreeDSCode: "123456"}
	ThreeDSCard  = Card{HolderName: "Test Shopper", Number: "4155650100416111", ExpMonth: 12, ExpYear: 2030, CVC: "123", ThreeDS: true, ThreeDSCode: "123456"}
	DeclinedCard = Card{HolderName: "Test Shopper", Number: "4000000000000002", ExpMonth: 12, ExpYear: 2030, CVC: "123"}
)

// declinedNumber is the card number the fake declines.
const declinedNumber = "4000000000000002"

// WidgetResult is where the shopper's step in the widget ends.
type WidgetResult struct {
	// PrepareToken is what the widget's onSuccess handed the page: prepared,
	// not paid.
	PrepareToken finrota.PrepareToken
	// Next is where the page then sends the browser: the "redirect" of the
	// merchant's answer to the prepare token posted to CompleteURL (the
	// bank's 3-D page of a 3-D payment, or the merchant's own page).
	Next string
}

// PayWidget plays the shopper on the merchant's page at pageURL, which
// renders finrota.Widget.Snippet with ScriptURL set to the fake's
// (Server.ScriptURL): it opens the page, reads the widget token and amount
// of its FinrotaPay.init call, types card into the widget (which reads the
// installment options and calls preparePayment with the widget token, on
// the host the script came from), and posts the prepare token to the
// snippet's CompleteURL as its onSuccess does, with the page's CSRF token
// and cookies. The merchant's server completes the payment there
// (Client.CompletePayment) and answers {"redirect": url}: WidgetResult.Next.
func (s *Server) PayWidget(ctx context.Context, pageURL string, card Card) (*WidgetResult, error) {
	hc := *s.Client()
	hc.Jar, _ = cookiejar.New(nil) // the page's session, as a browser keeps it
	page, err := fake.Fetch(ctx, &hc, http.MethodGet, pageURL, nil)
	if err != nil {
		return nil, err
	}
	origin, err := fake.ScriptOrigin(page, scriptPath)
	if err != nil {
		return nil, err
	}
	init, err := fake.JSStrings(page, `FinrotaPay\.init\(\{\s*token: %s,\s*amount: ([0-9.]+),\s*currency: %s,`)
	if err != nil {
		return nil, err
	}
	amount, err := finrota.ParseAmount(init[1])
	if err != nil {
		return nil, errors.New("finrotatest: the page's amount " + init[1] + ": " + err.Error())
	}
	complete, err := fake.JSStrings(page, `fetch\(%s, \{method: "POST"`)
	if err != nil {
		return nil, err
	}
	csrf, _ := fake.JSStrings(page, `"X-CSRF-Token": %s`)

	auth := http.Header{"Authorization": {"Bearer " + init[0]}}
	var programs []struct {
		Installments []struct {
			Token string `json:"token"`
		} `json:"installments"`
	}
	if err := widgetCall(ctx, &hc, http.MethodGet, origin+"/b2c/widget/installments?amount="+url.QueryEscape(amount.String()), auth, nil, &programs); err != nil {
		return nil, err
	}
	if len(programs) == 0 || len(programs[0].Installments) == 0 {
		return nil, errors.New("finrotatest: the widget got no installment options")
	}
	body, _ := json.Marshal(map[string]any{
		"card": map[string]any{"cardNumber": card.Number, "cardHolderName": card.HolderName, "cvv": card.CVC,
			"expMonth": card.ExpMonth, "expYear": card.ExpYear},
		"use3D": card.ThreeDS, "currency": init[2], "amount": amount, "installmentToken": programs[0].Installments[0].Token,
	})
	var prep struct {
		PrepareToken string `json:"prepareToken"`
	}
	if err := widgetCall(ctx, &hc, http.MethodPost, origin+"/b2c/widget/preparePayment", auth, body, &prep); err != nil {
		return nil, err
	}

	// onSuccess: the page posts the prepare token to its own backend.
	to, err := page.URL.Parse(complete[0])
	if err != nil {
		return nil, err
	}
	h := http.Header{"Sec-Fetch-Site": {"same-origin"}}
	if len(csrf) == 1 {
		h.Set("X-CSRF-Token", csrf[0])
	}
	body, _ = json.Marshal(map[string]string{"prepareToken": prep.PrepareToken})
	var next struct {
		Redirect string `json:"redirect"`
	}
	if err := widgetCall(ctx, &hc, http.MethodPost, to.String(), h, body, &next); err != nil {
		return nil, err
	}
	return &WidgetResult{PrepareToken: finrota.PrepareToken(prep.PrepareToken), Next: next.Redirect}, nil
}

// widgetCall is one fetch of the widget or the page's script: JSON in and
// out, a 200 expected.
func widgetCall(ctx context.Context, hc *http.Client, method, u string, h http.Header, body []byte, into any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = h.Clone()
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, fake.MaxPage))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return errors.New("finrotatest: " + method + " " + req.URL.Redacted() + " answered " + resp.Status + ": " + strings.TrimSpace(string(b)))
	}
	if err := json.Unmarshal(b, into); err != nil {
		return errors.New("finrotatest: " + method + " " + req.URL.Redacted() + " answered no JSON: " + err.Error())
	}
	return nil
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

// ThreeDSResult is where the shopper's step on the bank's 3-D page ends.
type ThreeDSResult struct {
	// Return is the form the page posted to the merchant's returnUrl
	// (finrota.ParseReturn reads it).
	Return *BankReturn
	// Delivery is the browser's post of Return (the fake's Client) and the
	// merchant's answer: an unreachable or refusing returnUrl is a Delivery
	// that is not Acknowledged, not an error.
	Delivery *Delivery
}

// PassThreeDS plays the shopper on the bank's 3-D page that a 3-D payment
// redirects to (redirectURL, Redirect.URL): it opens the page, enters
// card.ThreeDSCode ("123456" passes, anything else fails the payment) and
// posts the form the page returns to the merchant's returnUrl, as its
// onload does. Redeliver posts it again.
func (s *Server) PassThreeDS(ctx context.Context, redirectURL string, card Card) (*ThreeDSResult, error) {
	hc := s.Client()
	page, err := fake.Fetch(ctx, hc, http.MethodGet, redirectURL, nil)
	if err != nil {
		return nil, err
	}
	action, fields, err := fake.FindForm(page, "finrota-3ds-form")
	if err != nil {
		return nil, err
	}
	fields.Set("code", card.ThreeDSCode)
	if page, err = fake.Fetch(ctx, hc, http.MethodPost, action.String(), fields); err != nil {
		return nil, err
	}
	to, form, err := fake.FindForm(page, "finrota-return-form")
	if err != nil {
		return nil, err
	}
	d := s.notes.Deliver(ctx, form.Get("orderId"), to.String(), "application/x-www-form-urlencoded", []byte(form.Encode()))
	return &ThreeDSResult{Return: &BankReturn{URL: to.String(), Form: form}, Delivery: &d}, nil
}

// checkReturn takes any answer below 400 (a page or a redirect to one) as
// the merchant having taken the browser's return: Finrota expects no
// acknowledgment of its own.
func checkReturn(resp *http.Response, _ []byte) string {
	if resp.StatusCode >= 400 {
		return "status " + resp.Status
	}
	return ""
}

// Redeliver posts the bank page's return of a 3-D payment (orderID, the
// Redirect's OrderID) to its returnUrl once more with the fake's Client, as
// a shopper's reload or back-and-forward would, and returns the delivery
// with the merchant's answer. The merchant's return handler must take the
// repeat. A payment that did not pass the bank's page (no 3-D, unknown, or
// not yet answered) is ErrNothingToRedeliver.
func (s *Server) Redeliver(ctx context.Context, orderID string) (Delivery, error) {
	return s.notes.Redeliver(ctx, orderID)
}
