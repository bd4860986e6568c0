package main

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/paywidget/paywidget-go/iotpay"
)

// iotpayCheckout embeds IOTPay's card widget (iotpaycc.js from IOTPay's
// host), settles orders from the signed notification, and, when the widget
// reports, confirms with a signed cc_query before showing the order.
type iotpayCheckout struct {
	client *iotpay.Client

	attempts perOrder[*iotpay.Checkout] // order id → its one purchase
}

func newIOTPayCheckout(c *iotpay.Client) *iotpayCheckout {
	return &iotpayCheckout{client: c}
}

func (p *iotpayCheckout) forget(ids []string) { p.attempts.forget(ids) }

func (*iotpayCheckout) id() string       { return "iotpay" }
func (*iotpayCheckout) title() string    { return "IOTPay" }
func (*iotpayCheckout) currency() string { return iotpay.Currency }

var iotpayPage = template.Must(pages.New("iotpay").Parse(`{{template "head" "Pay with IOTPay"}}{{template "summary" .Order}}
<h1>Pay {{.Order.Amount}} {{.Order.Currency}} with IOTPay</h1>
{{.Widget}}
<p id="iotpay-message"></p>
<form id="iotpay-confirm" method="post" action="/iotpay/confirm/{{.Order.ID}}"></form>
<script nonce="{{.Nonce}}">
window.onIotpay = function (event) {
  document.getElementById("iotpay-message").textContent = event.result === "SUCCESS" ? "Checking your payment…" : "Payment not completed: " + (event.message || "");
  // The widget's word is not proof: the server asks IOTPay.
  document.getElementById("iotpay-confirm").submit();
};
</script>
<p><a id="cancel" href="/orders/{{.Order.ID}}">Back to the order</a></p>{{template "foot"}}`))

func (p *iotpayCheckout) register(mux *http.ServeMux, a *app) {
	mux.HandleFunc("GET /pay/iotpay/{order}", func(w http.ResponseWriter, r *http.Request) {
		ord, ok := a.orderFor(w, r, "iotpay")
		if !ok {
			return
		}
		co, err := p.purchaseFor(r, a, ord)
		if err != nil {
			a.fail(w, "IOTPay checkout could not be opened", err)
			return
		}
		n := nonce()
		widget, err := p.client.Embed(iotpay.Embed{SecureID: co.SecureID, Callback: "onIotpay", Nonce: n})
		if err != nil {
			a.fail(w, "IOTPay widget could not be rendered", err)
			return
		}
		origin := origin(p.client.ScriptURL())
		secure(w, policy{scripts: []string{origin}, connects: []string{origin}, frames: []string{origin}}, n)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = iotpayPage.Execute(w, map[string]any{"Order": ord, "Widget": widget, "Nonce": n})
	})

	// The widget finished: confirm with IOTPay before showing the order.
	mux.HandleFunc("POST /iotpay/confirm/{order}", func(w http.ResponseWriter, r *http.Request) {
		ord, ok := a.owned(r, r.PathValue("order"))
		if !ok || ord.Provider != "iotpay" {
			http.NotFound(w, r)
			return
		}
		if no, ok := strings.CutPrefix(ord.Ref, "iotpay:"); ok && no != "" {
			if st, err := p.client.Settle(r.Context(), &iotpay.SettleRequest{MchOrderNo: no}); err == nil && st.Record != nil {
				settleIotpay(a, ord, st.Record)
			}
		}
		http.Redirect(w, r, "/orders/"+ord.ID, http.StatusSeeOther)
	})

	mux.Handle("POST /iotpay/notify", &iotpay.NotificationHandler{Client: p.client, Store: a.claims, Expect: func(_ context.Context, o *iotpay.Order) (iotpay.Expectation, error) {
		ord, ok := a.orders.byReference("iotpay:" + o.MchOrderNo)
		if !ok {
			return iotpay.Expectation{}, errors.New("unknown order")
		}
		cents, err := ord.Amount.MinorUnits(2)
		if err != nil {
			return iotpay.Expectation{}, err
		}
		return iotpay.Expectation{MchOrderNo: o.MchOrderNo, Amount: iotpay.AmountFromMinor(cents)}, nil
	}, Report: func(_ context.Context, o *iotpay.Order) error {
		if ord, ok := a.orders.byReference("iotpay:" + o.MchOrderNo); ok {
			settleIotpay(a, ord, o)
		}
		return nil
	}})
}

// purchaseFor creates the order's IOTPay purchase once; a reload of the
// checkout page embeds the same one again. PurchaseOnce makes the number
// safe to repeat beyond this process: after a lost answer, or on another
// replica sharing the claim store, IOTPay receives no second cc_purchase. Its notifyUrl is the client's
// configured one and its returnUrl comes from the shop's configured base
// URL, never from the request.
func (p *iotpayCheckout) purchaseFor(r *http.Request, a *app, ord Order) (*iotpay.Checkout, error) {
	return p.attempts.do(r.Context(), ord.ID, func(ctx context.Context) (*iotpay.Checkout, error) {
		cents, err := ord.Amount.MinorUnits(2)
		if err != nil {
			return nil, err
		}
		no := clean(ord.ID)
		co, err := p.client.PurchaseOnce(ctx, &iotpay.PurchaseRequest{
			MchOrderNo: no, Amount: iotpay.AmountFromMinor(cents), Subject: ord.Product.Name,
			ReturnURL: a.url("/orders/" + ord.ID),
		})
		if err != nil {
			return nil, err
		}
		_ = a.orders.setRef(ord.ID, "iotpay:"+no)
		return co, nil
	})
}

// settleIotpay records IOTPay's signed answer, checking it is this order's.
func settleIotpay(a *app, ord Order, o *iotpay.Order) {
	cents, _ := ord.Amount.MinorUnits(2)
	switch {
	case !o.Amount.Equal(iotpay.AmountFromMinor(cents)) || o.Currency != iotpay.Currency:
		a.orders.settle(ord.ID, StatusMismatch, "amount or currency differs")
	case o.Status.Paid():
		a.orders.settle(ord.ID, StatusPaid, "")
	case o.Status.Failed():
		a.orders.settle(ord.ID, StatusFailed, "declined")
	}
}

// clean keeps an order number within IOTPay's alphabet and 30 characters.
func clean(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(out) < 30; i++ {
		c := s[i]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' {
			out = append(out, c)
		}
	}
	return string(out)
}
