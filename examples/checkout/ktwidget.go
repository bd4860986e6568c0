package main

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"sync"

	"github.com/paywidget/paywidget-go/ktwidget"
)

// ktwidgetCheckout creates the sealed transaction server-side, opens KTPay's
// widget in the documented full-screen iframe, and settles orders only from
// KTPay's notification (checked by its per-order URL token and against the
// recorded hash and amount).
type ktwidgetCheckout struct {
	client *ktwidget.Client

	payments perOrder[*ktwidget.Payment] // order id → its one KTPay transaction

	mu      sync.Mutex
	waiting map[string]bool // orders whose return waits for the notification
	// orders reads the recorded amount of an order.
	orders *orders
}

func newKTWidgetCheckout(c *ktwidget.Client) *ktwidgetCheckout {
	return &ktwidgetCheckout{client: c}
}

func (k *ktwidgetCheckout) forget(ids []string) { k.payments.forget(ids) }

// maxReturnWaits bounds the return requests waiting for a notification.
const maxReturnWaits = 64

// startWait admits one waiting return per order, maxReturnWaits in all.
func (k *ktwidgetCheckout) startWait(id string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.waiting == nil {
		k.waiting = map[string]bool{}
	}
	if k.waiting[id] || len(k.waiting) >= maxReturnWaits {
		return false
	}
	k.waiting[id] = true
	return true
}

func (k *ktwidgetCheckout) endWait(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.waiting, id)
}

func (*ktwidgetCheckout) id() string       { return "ktwidget" }
func (*ktwidgetCheckout) title() string    { return "KTPay" }
func (*ktwidgetCheckout) currency() string { return "KZT" }

// Expect is the ktwidget.NotificationHandler's Expect: the merchant's records
// of the notified order.
func (k *ktwidgetCheckout) Expect(_ context.Context, n *ktwidget.Notification) (ktwidget.Expectation, error) {
	p, ok := k.payments.get(n.OrderID)
	ord, known := k.orders.get(n.OrderID)
	if !ok || !known {
		return ktwidget.Expectation{}, errors.New("unknown order")
	}
	return ktwidget.Expectation{TransactionHash: p.TransactionHash, Amount: ord.Amount}, nil
}

var ktwidgetPage = template.Must(pages.New("ktwidget").Parse(`{{template "head" "Pay with KTPay"}}{{template "summary" .Order}}
<h1>Pay {{.Order.Amount}} ₸ with KTPay</h1>
<p id="ktwidget-message">The payment window is open.</p>
<p><a id="cancel" href="/orders/{{.Order.ID}}">Back to the order</a></p>
{{.Widget}}
<script nonce="{{.Nonce}}">
document.addEventListener("ktwidget:close", function () {
  document.getElementById("ktwidget-message").textContent = "The payment window was closed.";
});
</script>{{template "foot"}}`))

func (k *ktwidgetCheckout) register(mux *http.ServeMux, a *app) {
	k.orders = a.orders
	mux.HandleFunc("GET /pay/ktwidget/{order}", func(w http.ResponseWriter, r *http.Request) {
		ord, ok := a.orderFor(w, r, "ktwidget")
		if !ok {
			return
		}
		p, err := k.paymentFor(r, a, ord)
		if err != nil {
			a.fail(w, "KTPay checkout could not be opened", err)
			return
		}
		n := nonce()
		widget, err := k.client.Snippet(p.WidgetURL, n)
		if err != nil {
			a.fail(w, "KTPay widget could not be rendered", err)
			return
		}
		secure(w, policy{frames: []string{k.client.WidgetBaseURL()}}, n)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = ktwidgetPage.Execute(w, map[string]any{"Order": ord, "Widget": widget, "Nonce": n})
	})

	// The widget sends the shopper here (only a redirect: nothing it sends
	// is read); KTPay's notification is the only
	// source of truth, so wait a moment for it before showing the order.
	// The widget sends the shopper here (only a redirect: nothing it sends
	// is read); KTPay's notification is the only source of truth, so wait a
	// moment for it before showing the order — only for the order's own
	// session, one wait per order, and at most maxReturnWaits at once.
	// Anyone else is sent on at once (and the order page answers 404).
	mux.HandleFunc("GET /ktwidget/return/{order}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("order")
		if ord, ok := a.owned(r, id); ok && ord.Provider == "ktwidget" && ord.Status == StatusNew && k.startWait(id) {
			a.orders.waitSettled(r.Context(), ord.ID, a.returnWait)
			k.endWait(id)
		}
		http.Redirect(w, r, "/orders/"+id, http.StatusSeeOther)
	})

	mux.Handle("POST /ktwidget/notify", &ktwidget.NotificationHandler{Client: k.client, Expect: k.Expect, Store: a.claims, Report: func(_ context.Context, n *ktwidget.Notification) error {
		if n.Paid() {
			a.orders.settle(n.OrderID, StatusPaid, "")
		} else {
			detail := n.Status.Status
			if n.Status.Error != nil {
				detail = n.Status.Error.Message
			}
			a.orders.settle(n.OrderID, StatusFailed, detail)
		}
		return nil
	}})
}

// paymentFor creates the order's KTPay transaction once; a reload of the
// checkout page shows the same widget again. The notification address
// (callback_post_url) is not set here: the client derives it from its
// configured CallbackBase. The shopper's return addresses come from the
// shop's configured base URL, never from the request.
func (k *ktwidgetCheckout) paymentFor(r *http.Request, a *app, ord Order) (*ktwidget.Payment, error) {
	return k.payments.do(r.Context(), ord.ID, func(ctx context.Context) (*ktwidget.Payment, error) {
		back := a.url("/ktwidget/return/" + ord.ID)
		p, err := k.client.CreatePaymentOnce(ctx, &ktwidget.Order{OrderID: ord.ID, Amount: ord.Amount, Type: ktwidget.TypeEcom,
			Description: ord.Product.Name, CallbackSuccessURL: back, CallbackFailedURL: back, CallbackBackURL: back}, nil)
		if err != nil {
			return nil, err
		}
		_ = a.orders.setRef(ord.ID, "ktwidget:"+p.TransactionHash)
		return p, nil
	})
}
