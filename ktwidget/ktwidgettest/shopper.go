package ktwidgettest

import (
	"context"
	"errors"
	"net/http"

	"github.com/paywidget/paywidget-go/internal/fake"
)

// Card is what a shopper types into KTPay's card page.
type Card struct {
	Number string
	// Expiry is MM/YY, e.g. "12/30".
	Expiry string
	CVC    string
}

// Test cards: TestCard completes the payment; DeclinedCard is denied by the
// acquirer.
var (
	TestCard     = Card{Number: "4405639704015096", Expiry: "12/30", CVC: "123"}
	DeclinedCard = Card{Number: "4000000000000002", Expiry: "12/30", CVC: "123"}
)

// ErrNoCloseButton is CloseWidget's answer for an order created with
// show_close_button false: the shopper has no way to close the widget.
var ErrNoCloseButton = errors.New("ktwidgettest: the widget shows no close button (show_close_button false)")

// Receipt is the widget's receipt page after a payment.
type Receipt struct {
	// Status is the transaction's final status: ktwidget.StatusCompleted,
	// StatusDenied or StatusFailed.
	Status string
	// Next is where Continue sends the shopper (posted to the parent page,
	// which redirects): callback_success_url after a completed payment,
	// callback_failed_url otherwise, callback_back_url when the one that
	// applies is empty, or "" when the widget just closes.
	Next string
}

// PayWidget plays the shopper on the widget's card page: it opens widgetURL
// (Payment.WidgetURL), submits card and returns the receipt. See the notes
// above for the notification that follows.
func (s *Server) PayWidget(ctx context.Context, widgetURL string, card Card) (*Receipt, error) {
	hc := s.Client()
	page, err := fake.Fetch(ctx, hc, http.MethodGet, widgetURL, nil)
	if err != nil {
		return nil, err
	}
	action, fields, err := fake.FindForm(page, "ktpay-card-form")
	if err != nil {
		return nil, err
	}
	fields.Set("card", card.Number)
	fields.Set("expiry", card.Expiry)
	fields.Set("cvc", card.CVC)
	done, err := fake.Fetch(ctx, hc, http.MethodPost, action.String(), fields)
	if err != nil {
		return nil, err
	}
	status, ok := done.Attr("ktpay-result", "data-status")
	if !ok {
		return nil, errors.New("ktwidgettest: no receipt after the card page")
	}
	next, _ := done.Attr("ktpay-result", "data-next")
	return &Receipt{Status: status, Next: next}, nil
}

// CloseWidget plays the shopper pressing Close on the widget's card page
// (widgetURL, Payment.WidgetURL): the page posts "close" to its parent,
// which removes the iframe. Nothing reaches KTPay or the merchant's server;
// the transaction stays pending and is not notified. It fails with
// ErrNoCloseButton when the order hid the button.
func (s *Server) CloseWidget(ctx context.Context, widgetURL string) error {
	page, err := fake.Fetch(ctx, s.Client(), http.MethodGet, widgetURL, nil)
	if err != nil {
		return err
	}
	if !page.Has("ktpay-card-form") {
		return errors.New("ktwidgettest: " + widgetURL + " is not a card page")
	}
	if !page.Has("ktpay-close") {
		return ErrNoCloseButton
	}
	return nil
}

// Redeliver sends the notification of transaction hash once more, now, to
// the callback_post_url it went to, and reports whether the merchant
// answered {"status":"ok"} (an unreachable merchant is a false, not an
// error). KTPay resends until acknowledged, so the merchant's handler must
// take duplicates. It counts in Deliveries. Only a transaction that reached a
// final status with a callback_post_url was notified.
func (s *Server) Redeliver(ctx context.Context, hash string) (bool, error) {
	s.mu.Lock()
	n, ok := s.sent[hash]
	if ok {
		s.deliv[hash]++
	}
	s.mu.Unlock()
	if !ok {
		return false, errors.New("ktwidgettest: no notification was sent for " + hash)
	}
	acked := s.deliver(ctx, n.url, n.body)
	if acked {
		s.mu.Lock()
		s.acked[hash] = true
		s.mu.Unlock()
	}
	return acked, nil
}

// sentNote is a notification as it was first sent, for Redeliver.
type sentNote struct {
	url  string
	body []byte
}
