package oderotest

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"strconv"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/odero"
)

// Card is what a shopper types into the hosted page. Its fields are named
// as in every fake's Card. Use the test numbers in the package
// documentation to choose an outcome.
type Card struct {
	HolderName string
	Number     string
	// ExpMonth (1–12) and ExpYear (four digits).
	ExpMonth, ExpYear int
	CVC               string
	// Save ticks "save my card".
	Save bool
	// ThreeDSCode answers a 3-D Secure step ("123456" passes). Empty, the
	// shopper abandons the payment at that step.
	ThreeDSCode string
}

// Test cards: TestCard is approved; DeclinedCard is declined DO_NOT_HONOUR;
// InsufficientFundsCard is declined NOT_SUFFICIENT_FUNDS; ThreeDSCard asks
// for a 3-D Secure code and carries the one that passes.
var (
	TestCard              = Card{HolderName: "Test Shopper", Number: "4111111111111111", ExpMonth: 12, ExpYear: 2030, CVC: "123", ThreeDSCode: "123456"}
	DeclinedCard          = Card{HolderName: "Test Shopper", Number: "4000000000000002", ExpMonth: 12, ExpYear: 2030, CVC: "123"}
	InsufficientFundsCard = Card{HolderName: "Test Shopper", Number: "4000000000009995", ExpMonth: 12, ExpYear: 2030, CVC: "123"}
	ThreeDSCard           = Card{HolderName: "Test Shopper", Number: "4000000000003220", ExpMonth: 12, ExpYear: 2030, CVC: "123", ThreeDSCode: "123456"}
)

// PageResult is where the shopper's visit to the hosted page ends.
type PageResult struct {
	// Status is the checkout's payment status afterwards:
	// odero.PaymentStatusSuccess or PaymentStatusFailure, or
	// PaymentStatusInitThreeDS when the shopper left at the 3-D Secure step.
	Status odero.PaymentStatus
	// Delivery is the browser's post of the callback form to the checkout's
	// callbackUrl, with the merchant's answer (Status, the start of its
	// Body); nil when none was posted (the shopper left, or the checkout
	// has no callback URL).
	Delivery *Delivery
}

// PayPage plays the shopper's browser (the fake's Client) on the hosted
// page: it opens pageURL (Checkout.PageURL), submits card, answers a 3-D
// Secure step if one comes, and posts the returned callback form to the
// merchant's callbackUrl the way the browser's onload script would.
// Redeliver posts it again.
func (s *Server) PayPage(ctx context.Context, pageURL string, card Card) (*PageResult, error) {
	hc := s.Client()
	page, err := fake.Fetch(ctx, hc, http.MethodGet, pageURL, nil)
	if err != nil {
		return nil, err
	}
	action, _, err := fake.FindForm(page, "odero-card-form")
	if err != nil {
		return nil, err
	}
	token := path.Base(page.URL.Path)
	form := url.Values{
		"cardHolderName": {card.HolderName}, "cardNumber": {card.Number},
		"expireMonth": {strconv.Itoa(card.ExpMonth)}, "expireYear": {strconv.Itoa(card.ExpYear)}, "cvc": {card.CVC},
	}
	if card.Save {
		form.Set("saveCard", "true")
	}
	if page, err = fake.Fetch(ctx, hc, http.MethodPost, action.String(), form); err != nil {
		return nil, err
	}
	if page.Has("odero-3ds-form") {
		if card.ThreeDSCode == "" {
			return s.pageResult(token, nil), nil
		}
		if action, _, err = fake.FindForm(page, "odero-3ds-form"); err != nil {
			return nil, err
		}
		if page, err = fake.Fetch(ctx, hc, http.MethodPost, action.String(), url.Values{"code": {card.ThreeDSCode}}); err != nil {
			return nil, err
		}
	}
	if page.Has("odero-done") {
		return s.pageResult(token, nil), nil
	}
	action, fields, err := fake.FindForm(page, "odero-callback-form")
	if err != nil {
		return nil, err
	}
	d := s.notes.Deliver(ctx, token, action.String(), "application/x-www-form-urlencoded", []byte(fields.Encode()))
	return s.pageResult(token, &d), nil
}

func (s *Server) pageResult(token string, d *Delivery) *PageResult {
	st, _ := s.CheckoutStatus(token)
	return &PageResult{Status: st, Delivery: d}
}

// checkCallback takes any answer below 400 (a page or a redirect to one) as
// the merchant having taken the browser's callback: OderoPay expects no
// acknowledgment of its own.
func checkCallback(resp *http.Response, _ []byte) string {
	if resp.StatusCode >= 400 {
		return "status " + resp.Status
	}
	return ""
}

// Redeliver posts the callback of a finished checkout (token) to its
// callbackUrl once more with the fake's Client, as a shopper's reload of
// the return page would, and returns the delivery with the merchant's
// answer. The merchant's callback handler must take the repeat. A checkout
// that is unknown, not yet paid or failed, or has no callback URL
// (NO_CALLBACK_URL) is ErrNothingToRedeliver.
func (s *Server) Redeliver(ctx context.Context, token string) (Delivery, error) {
	s.mu.Lock()
	c, ok := s.checkouts[token]
	var d pageData
	if ok && c.payment != nil && (c.payment.status == odero.PaymentStatusSuccess || c.payment.status == odero.PaymentStatusFailure) {
		d = s.returnData(c)
	}
	s.mu.Unlock()
	if d.CallbackURL == "" || d.CallbackURL == odero.NoCallbackURL {
		return Delivery{}, ErrNothingToRedeliver
	}
	form := url.Values{"token": {d.Token}}
	if d.PaymentID != "" {
		form.Set("paymentIdList", d.PaymentID)
	}
	return s.notes.Deliver(ctx, token, d.CallbackURL, "application/x-www-form-urlencoded", []byte(form.Encode())), nil
}
