package iotpaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/iotpay"
)

// Card is what a shopper types into IOTPay's card page or widget. Its
// fields are named as in every fake's Card.
type Card struct {
	HolderName string
	Number     string
	// ExpMonth (1–12) and ExpYear (four digits) are typed as MMYY.
	ExpMonth, ExpYear int
	CVC               string
}

// expiry is the card's expiry as IOTPay's form takes it, MMYY.
func (c Card) expiry() string { return fmt.Sprintf("%02d%02d", c.ExpMonth, c.ExpYear%100) }

// Test cards: TestCard pays (status 2), DeclinedCard is declined (status 9),
// PendingCard is left pending (status 1). Server.NextPayment overrides the
// outcome whatever the card.
var (
	TestCard     = Card{HolderName: "Test Shopper", Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123"}
	DeclinedCard = Card{HolderName: "Test Shopper", Number: "4000000000000002", ExpMonth: 12, ExpYear: 2030, CVC: "123"}
	PendingCard  = Card{HolderName: "Test Shopper", Number: "4000000000000259", ExpMonth: 12, ExpYear: 2030, CVC: "123"}
)

// PageResult is where the shopper's step on a hosted card page ends.
type PageResult struct {
	// Return is where IOTPay sends the browser: the returnUrl with retCode,
	// status and mchOrderNo appended (iotpay.ParseReturn reads its query).
	// The helper does not open it; a test that wants the merchant's return
	// page requests it with its own client.
	Return *url.URL
}

// PayPage plays the shopper on the hosted card page of a purchase: it opens
// pageURL (Checkout.RedirectURL), submits card and returns where IOTPay
// sends the browser. See the notes above for which notification follows.
func (s *Server) PayPage(ctx context.Context, pageURL string, card Card) (*PageResult, error) {
	return s.cardPage(ctx, pageURL, card)
}

// AddCardPage plays the shopper on the hosted add-card page (AddCard's
// RedirectURL) and returns where the browser is sent: the returnUrl with
// retCode appended. Client.QueryCard then finds the card bound.
func (s *Server) AddCardPage(ctx context.Context, pageURL string, card Card) (*PageResult, error) {
	return s.cardPage(ctx, pageURL, card)
}

func (s *Server) cardPage(ctx context.Context, pageURL string, card Card) (*PageResult, error) {
	hc := fake.NoRedirects(s.Client())
	page, err := fake.Fetch(ctx, hc, http.MethodGet, pageURL, nil)
	if err != nil {
		return nil, err
	}
	action, fields, err := fake.FindForm(page, "iotpay-card-form")
	if err != nil {
		return nil, err
	}
	fields.Set("holder", card.HolderName)
	fields.Set("cardNum", card.Number)
	fields.Set("expiryDate", card.expiry())
	fields.Set("cvv", card.CVC)
	done, err := fake.Fetch(ctx, hc, http.MethodPost, action.String(), fields)
	if err != nil {
		return nil, err
	}
	loc := done.Header.Get("Location")
	if done.Status != http.StatusFound || loc == "" {
		return nil, errors.New("iotpaytest: the card page did not send the browser back (" + http.StatusText(done.Status) + ")")
	}
	back, err := url.Parse(loc)
	if err != nil {
		return nil, err
	}
	return &PageResult{Return: back}, nil
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

// PayWidget plays the shopper in IOTPay's embedded widget on the merchant's
// page at pageURL (the page that renders Client.Embed with ActionPay): it
// opens the page, reads the secureId of its Iotpay(secureId, 'Pay', …)
// call, submits card to the host the page loaded iotpaycc.js from, as the
// widget does, and returns what the widget hands its callback. Only a
// successful payment is notified (see the notes above).
func (s *Server) PayWidget(ctx context.Context, pageURL string, card Card) (*WidgetResult, error) {
	return s.widgetSubmit(ctx, pageURL, iotpay.ActionPay, card)
}

// AddCardWidget is PayWidget on a page that mounts the widget with
// ActionAdd: the card is bound; nothing is notified.
func (s *Server) AddCardWidget(ctx context.Context, pageURL string, card Card) (*WidgetResult, error) {
	return s.widgetSubmit(ctx, pageURL, iotpay.ActionAdd, card)
}

func (s *Server) widgetSubmit(ctx context.Context, pageURL, action string, card Card) (*WidgetResult, error) {
	page, err := fake.Fetch(ctx, s.Client(), http.MethodGet, pageURL, nil)
	if err != nil {
		return nil, err
	}
	args, err := fake.JSStrings(page, `Iotpay\(%s, %s,`)
	if err != nil {
		return nil, err
	}
	if args[1] != action {
		return nil, errors.New("iotpaytest: the page mounts the widget for " + args[1] + ", not " + action)
	}
	origin, err := fake.ScriptOrigin(page, "/cc/iotpaycc.js")
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(cardForm{SecureID: args[0], Action: action, CardNum: card.Number, ExpiryDate: card.expiry(), CVV: card.CVC, Holder: card.HolderName})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, origin+"/cc/widget", bytes.NewReader(body))
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
// notifyUrl it went to, and returns the delivery (counted in Deliveries):
// an unreachable or refusing merchant is a Delivery that is not
// Acknowledged, with the reason in Refused, not an error. IOTPay resends a
// notification until it is acknowledged, so a merchant's handler must take
// duplicates. Only a paid order was notified: any other payOrderID (a
// declined or pending payment) is ErrNothingToRedeliver.
func (s *Server) Redeliver(ctx context.Context, payOrderID string) (Delivery, error) {
	return s.notes.Redeliver(ctx, payOrderID)
}
