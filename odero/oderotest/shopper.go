package oderotest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/odero"
)

// Card is what a shopper types into the hosted page. Use the test numbers in
// the package documentation to choose an outcome.
type Card struct {
	HolderName, Number, ExpireMonth, ExpireYear, CVC string
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
	TestCard              = Card{HolderName: "Test Shopper", Number: "4111111111111111", ExpireMonth: "12", ExpireYear: "2030", CVC: "123", ThreeDSCode: "123456"}
	DeclinedCard          = Card{HolderName: "Test Shopper", Number: "4000000000000002", ExpireMonth: "12", ExpireYear: "2030", CVC: "123"}
	InsufficientFundsCard = Card{HolderName: "Test Shopper", Number: "4000000000009995", ExpireMonth: "12", ExpireYear: "2030", CVC: "123"}
	ThreeDSCard           = Card{HolderName: "Test Shopper", Number: "4000000000003220", ExpireMonth: "12", ExpireYear: "2030", CVC: "123", ThreeDSCode: "123456"}
)

// PayHostedPage plays the shopper's browser on the fake's hosted page: it
// opens pageURL, submits the card, answers a 3-D Secure step if one comes,
// and posts the returned callback form to the merchant's callbackUrl the way
// the browser's onload script would. It returns the merchant's response to
// that callback (the caller closes its body), or nil when the checkout had no
// callback URL.
func PayHostedPage(ctx context.Context, hc *http.Client, pageURL string, card Card) (*http.Response, error) {
	page, err := fake.Fetch(ctx, hc, http.MethodGet, pageURL, nil)
	if err != nil {
		return nil, err
	}
	action, _, err := fake.FindForm(page, "odero-card-form")
	if err != nil {
		return nil, err
	}
	form := url.Values{
		"cardHolderName": {card.HolderName}, "cardNumber": {card.Number},
		"expireMonth": {card.ExpireMonth}, "expireYear": {card.ExpireYear}, "cvc": {card.CVC},
	}
	if card.Save {
		form.Set("saveCard", "true")
	}
	if page, err = fake.Fetch(ctx, hc, http.MethodPost, action.String(), form); err != nil {
		return nil, err
	}
	if page.Has("odero-3ds-form") {
		if card.ThreeDSCode == "" {
			return nil, nil
		}
		if action, _, err = fake.FindForm(page, "odero-3ds-form"); err != nil {
			return nil, err
		}
		if page, err = fake.Fetch(ctx, hc, http.MethodPost, action.String(), url.Values{"code": {card.ThreeDSCode}}); err != nil {
			return nil, err
		}
	}
	if page.Has("odero-done") {
		return nil, nil
	}
	action, fields, err := fake.FindForm(page, "odero-callback-form")
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(fields.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return hc.Do(req)
}

// ErrNoCallback is Redeliver's answer for a checkout that is unknown, not yet
// paid or failed, or has no callback URL (NO_CALLBACK_URL).
var ErrNoCallback = errors.New("oderotest: no callback was posted for this checkout")

// Redeliver posts the callback of a finished checkout (token) to its
// callbackUrl once more with hc, as a shopper's reload of the return page
// would, and returns the merchant's response (the caller closes its body).
// The merchant's callback handler must take the repeat.
func (s *Server) Redeliver(ctx context.Context, hc *http.Client, token string) (*http.Response, error) {
	s.mu.Lock()
	c, ok := s.checkouts[token]
	var d pageData
	if ok && c.payment != nil && (c.payment.status == odero.PaymentStatusSuccess || c.payment.status == odero.PaymentStatusFailure) {
		d = s.returnData(c)
	}
	s.mu.Unlock()
	if d.CallbackURL == "" || d.CallbackURL == odero.NoCallbackURL {
		return nil, ErrNoCallback
	}
	form := url.Values{"token": {d.Token}}
	if d.PaymentID != "" {
		form.Set("paymentIdList", d.PaymentID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.CallbackURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return hc.Do(req)
}
