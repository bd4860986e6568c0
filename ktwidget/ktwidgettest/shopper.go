package ktwidgettest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/paywidget/paywidget-go/internal/fake"
)

// Card is what a shopper types into KTPay's card page. Its fields are named
// as in every fake's Card.
type Card struct {
	Number string
	// ExpMonth (1–12) and ExpYear (four digits) are typed on the page as
	// MM/YY.
	ExpMonth, ExpYear int
	CVC               string
}

// Test cards: TestCard completes the payment; DeclinedCard is denied by the
// acquirer.
var (
	TestCard     = Card{Number: "4405639704015096", ExpMonth: 12, ExpYear: 2030, CVC: "123"}
	DeclinedCard = Card{Number: "4000000000000002", ExpMonth: 12, ExpYear: 2030, CVC: "123"}
)

// ErrNoCloseButton is CloseWidget's answer for an order created with
// show_close_button false: the shopper has no way to close the widget.
var ErrNoCloseButton = errors.New("ktwidgettest: the widget shows no close button (show_close_button false)")

// WidgetResult is where the shopper's step in the widget ends.
type WidgetResult struct {
	// Status is the transaction's status: ktwidget.StatusCompleted,
	// StatusDenied or StatusError on the receipt page after PayWidget;
	// ktwidget.StatusPending after CloseWidget.
	Status string
	// Next is where the receipt's Continue sends the shopper (posted to the
	// parent page, which redirects): callback_success_url after a completed
	// payment, callback_failed_url otherwise, callback_back_url when the one
	// that applies is empty, or "" when the widget just closes (always after
	// CloseWidget).
	Next string
}

// PayWidget plays the shopper on the widget's card page: it opens widgetURL
// (Payment.WidgetURL), submits card and returns the receipt. A final status
// is then notified to the order's callback_post_url (WaitNotified).
func (s *Server) PayWidget(ctx context.Context, widgetURL string, card Card) (*WidgetResult, error) {
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
	fields.Set("expiry", fmt.Sprintf("%02d/%02d", card.ExpMonth, card.ExpYear%100))
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
	return &WidgetResult{Status: status, Next: next}, nil
}

// CloseWidget plays the shopper pressing Close on the widget's card page
// (widgetURL, Payment.WidgetURL): the page posts "close" to its parent,
// which removes the iframe. Nothing reaches KTPay or the merchant's server;
// the transaction stays pending and is not notified. It fails with
// ErrNoCloseButton when the order hid the button.
func (s *Server) CloseWidget(ctx context.Context, widgetURL string) (*WidgetResult, error) {
	page, err := fake.Fetch(ctx, s.Client(), http.MethodGet, widgetURL, nil)
	if err != nil {
		return nil, err
	}
	if !page.Has("ktpay-card-form") {
		return nil, errors.New("ktwidgettest: " + widgetURL + " is not a card page")
	}
	if !page.Has("ktpay-close") {
		return nil, ErrNoCloseButton
	}
	return &WidgetResult{Status: s.Status(page.URL.Query().Get("hash"))}, nil
}

// Redeliver sends the notification of transaction hash once more, now, to
// the callback_post_url it went to, and returns the delivery (counted in
// Deliveries): an unreachable or refusing merchant is a Delivery that is
// not Acknowledged, with the reason in Refused, not an error. KTPay resends
// until acknowledged, so the merchant's handler must take duplicates. Only
// a transaction that reached a final status with a callback_post_url was
// notified; any other hash is ErrNothingToRedeliver.
func (s *Server) Redeliver(ctx context.Context, hash string) (Delivery, error) {
	return s.notes.Redeliver(ctx, hash)
}

// expiryRe is MM/YY as the card page takes it.
var expiryRe = regexp.MustCompile(`^(0[1-9]|1[0-2])/[0-9]{2}$`)

func validExpiry(v string) bool { return expiryRe.MatchString(v) }
