package iotpaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/iotpay"
)

// Card is what a shopper types into IOTPay's card page or widget.
type Card struct {
	Holder string
	Number string
	// Expiry is MMYY, e.g. "1230".
	Expiry string
	CVV    string
}

// Test cards: TestCard pays (status 2), DeclinedCard is declined (status 9),
// PendingCard is left pending (status 1). Server.NextPayment overrides the
// outcome whatever the card.
var (
	TestCard     = Card{Holder: "Test Shopper", Number: "4242424242424242", Expiry: "1230", CVV: "123"}
	DeclinedCard = Card{Holder: "Test Shopper", Number: "4000000000000002", Expiry: "1230", CVV: "123"}
	PendingCard  = Card{Holder: "Test Shopper", Number: "4000000000000259", Expiry: "1230", CVV: "123"}
)

// PayCardPage plays the shopper on the hosted card page of a purchase: it
// opens redirectURL (Checkout.RedirectURL), submits card and returns the URL
// IOTPay sends the browser to: the purchase's returnUrl with retCode,
// status and mchOrderNo appended (iotpay.ParseReturn reads its query). It
// does not open that URL; a test that wants the merchant's return page
// requests it with its own client. See the notes above for which
// notification follows.
func (s *Server) PayCardPage(ctx context.Context, redirectURL string, card Card) (*url.URL, error) {
	return s.cardPage(ctx, redirectURL, card)
}

// AddCardPage plays the shopper on the hosted add-card page (AddCard's
// RedirectURL) and returns the returnUrl the browser is sent to, with
// retCode appended. Client.QueryCard then finds the card bound.
func (s *Server) AddCardPage(ctx context.Context, redirectURL string, card Card) (*url.URL, error) {
	return s.cardPage(ctx, redirectURL, card)
}

func (s *Server) cardPage(ctx context.Context, redirectURL string, card Card) (*url.URL, error) {
	hc := fake.NoRedirects(s.Client())
	page, err := fake.Fetch(ctx, hc, http.MethodGet, redirectURL, nil)
	if err != nil {
		return nil, err
	}
	action, fields, err := fake.FindForm(page, "iotpay-card-form")
	if err != nil {
		return nil, err
	}
	fields.Set("holder", card.Holder)
	fields.Set("cardNum", card.Number)
	fields.Set("expiryDate", card.Expiry)
	fields.Set("cvv", card.CVV)
	done, err := fake.Fetch(ctx, hc, http.MethodPost, action.String(), fields)
	if err != nil {
		return nil, err
	}
	loc := done.Header.Get("Location")
	if done.Status != http.StatusFound || loc == "" {
		return nil, errors.New("iotpaytest: the card page did not send the browser back (" + http.StatusText(done.Status) + ")")
	}
	return url.Parse(loc)
}

// WidgetResult is what iotpaycc.js hands the merchant page's mount
// callback: {result, message, detail: {retData}}.
type WidgetResult struct {
	// Result is "SUCCESS" or "FAIL".
	Result string
	// Message is IOTPay's retMsg on a failure: "declined" for a declined
	// card, "Timeout" for one left pending.
	Message string
	// Order is retData of a successful payment: the order, with RedirectURL
	// set to the returnUrl the page may send the shopper to. Nil otherwise.
	Order *iotpay.Order
}

// PayWidget plays the shopper in the embedded widget that
// Iotpay(secureID, 'Pay', …).mount(…) shows (served at Client.ScriptURL,
// /cc/iotpaycc.js on the fake): it submits card as the widget does and
// returns what the widget hands its callback. Only a successful payment is
// notified (see the notes above).
func (s *Server) PayWidget(ctx context.Context, secureID string, card Card) (*WidgetResult, error) {
	return s.widgetSubmit(ctx, secureID, iotpay.ActionPay, card)
}

// AddCardWidget plays the shopper in the widget mounted with
// Iotpay(secureID, 'Add', …): the card is bound; nothing is notified.
func (s *Server) AddCardWidget(ctx context.Context, secureID string, card Card) (*WidgetResult, error) {
	return s.widgetSubmit(ctx, secureID, iotpay.ActionAdd, card)
}

func (s *Server) widgetSubmit(ctx context.Context, secureID, action string, card Card) (*WidgetResult, error) {
	body, _ := json.Marshal(cardForm{SecureID: secureID, Action: action, CardNum: card.Number, ExpiryDate: card.Expiry, CVV: card.CVV, Holder: card.Holder})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/cc/widget", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var env struct {
		RetCode string          `json:"retCode"`
		RetMsg  string          `json:"retMsg"`
		RetData json.RawMessage `json:"retData"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, fake.MaxPage)).Decode(&env); err != nil {
		return nil, errors.New("iotpaytest: widget answer unreadable: " + err.Error())
	}
	out := &WidgetResult{Result: env.RetCode, Message: env.RetMsg}
	if env.RetCode == "SUCCESS" && action == iotpay.ActionPay {
		var o iotpay.Order
		if err := json.Unmarshal(env.RetData, &o); err != nil {
			return nil, errors.New("iotpaytest: widget order unreadable: " + err.Error())
		}
		out.Order = &o
	}
	return out, nil
}

// Redeliver sends the notification of payOrderID once more, now, to the
// notifyUrl it went to, and reports whether the merchant answered SUCCESS
// (an unreachable merchant is a false, not an error)
// (IOTPay resends a notification until it is acknowledged, so a merchant's
// handler must take duplicates). It counts in NotifyAttempts. Only an order
// that was notified can be redelivered: a declined or pending payment never
// was.
func (s *Server) Redeliver(ctx context.Context, payOrderID string) (bool, error) {
	s.mu.Lock()
	n, ok := s.sent[payOrderID]
	if ok {
		s.notified[payOrderID]++
	}
	s.mu.Unlock()
	if !ok {
		return false, errors.New("iotpaytest: no notification was sent for " + payOrderID)
	}
	acked := s.deliver(ctx, n.url, n.body)
	if acked {
		s.mu.Lock()
		s.answered[payOrderID] = true
		s.mu.Unlock()
	}
	return acked, nil
}

// sentNote is a notification as it was first sent, for Redeliver.
type sentNote struct {
	url  string
	body []byte
}
