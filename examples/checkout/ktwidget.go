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

	mu       sync.Mutex
	recorded map[string]ktwidget.Recorded // order id → what was created
	payments map[string]*ktwidget.Payment // order id → its one KTPay transaction
}

func newKTWidgetCheckout(c *ktwidget.Client) *ktwidgetCheckout {
	return &ktwidgetCheckout{client: c, recorded: map[string]ktwidget.Recorded{}, payments: map[string]*ktwidget.Payment{}}
}

func (*ktwidgetCheckout) id() string       { return "ktwidget" }
func (*ktwidgetCheckout) title() string    { return "KTPay" }
func (*ktwidgetCheckout) currency() string { return "KZT" }

// Lookup implements ktwidget.Orders from the merchant's records.
func (k *ktwidgetCheckout) Lookup(_ context.Context, id string) (ktwidget.Recorded, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	r, ok := k.recorded[id]
	if !ok {
		return r, errors.New("unknown order")
	}
	return r, nil
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
	mux.HandleFunc("GET /ktwidget/return/{order}", func(w http.ResponseWriter, r *http.Request) {
		ord, ok := a.orders.get(r.PathValue("order"))
		if !ok || ord.Provider != "ktwidget" {
			http.NotFound(w, r)
			return
		}
		a.orders.waitSettled(r.Context(), ord.ID, a.returnWait)
		http.Redirect(w, r, "/orders/"+ord.ID, http.StatusSeeOther)
	})

	mux.Handle("POST /ktwidget/notify", &ktwidget.NotificationHandler{Client: k.client, Orders: k, Store: a.claims, Report: func(_ context.Context, n *ktwidget.Notification) error {
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
	k.mu.Lock()
	defer k.mu.Unlock()
	if p, ok := k.payments[ord.ID]; ok {
		return p, nil
	}
	back := a.url("/ktwidget/return/" + ord.ID)
	p, err := k.client.CreatePayment(r.Context(), &ktwidget.Order{OrderID: ord.ID, Amount: ord.Amount, Type: ktwidget.TypeEcom,
		Description: ord.Product.Name, CallbackSuccessURL: back, CallbackFailedURL: back, CallbackBackURL: back}, nil)
	if err != nil {
		return nil, err
	}
	k.recorded[ord.ID] = ktwidget.Recorded{TransactionHash: p.TransactionHash, Amount: ord.Amount}
	k.payments[ord.ID] = p
	_ = a.orders.setRef(ord.ID, "ktwidget:"+p.TransactionHash)
	return p, nil
}
