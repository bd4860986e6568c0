package main

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/paywidget/paywidget-go/finrota"
)

// finrotaCheckout shows Finrota's widget with a widget token; its onSuccess
// posts the prepare token here, the backend completes the payment with the
// order's own amount, follows a 3-D redirect, and confirms the return with
// Finrota before the order counts as paid.
type finrotaCheckout struct {
	client    *finrota.Client
	scriptURL string

	mu       sync.Mutex
	inFlight map[string]bool // order ids with a payment call running
}

func (*finrotaCheckout) id() string       { return "finrota" }
func (*finrotaCheckout) title() string    { return "Finrota" }
func (*finrotaCheckout) currency() string { return string(finrota.TRY) }

var finrotaPage = template.Must(pages.New("finrota").Parse(`{{template "head" "Pay with Finrota"}}{{template "summary" .Order}}
<h1>Pay {{.Order.Amount}} TRY with Finrota</h1>
<p id="finrota-message"></p>
{{.Widget}}
<script nonce="{{.Nonce}}">
document.addEventListener("finrota:ready", function () { document.getElementById("finrota-message").dataset.ready = "1"; });
document.addEventListener("finrota:close", function () { document.getElementById("finrota-message").textContent = "The payment window was closed."; });
document.addEventListener("finrota:fail", function () { document.getElementById("finrota-message").textContent = "The card was not accepted."; });
</script>
<p><a id="cancel" href="/orders/{{.Order.ID}}">Back to the order</a></p>{{template "foot"}}`))

func (f *finrotaCheckout) register(mux *http.ServeMux, a *app) {
	mux.HandleFunc("GET /pay/finrota/{order}", func(w http.ResponseWriter, r *http.Request) {
		ord, ok := a.orderFor(w, r, "finrota")
		if !ok {
			return
		}
		tok, err := f.client.CreateWidgetToken(r.Context())
		if err != nil {
			a.fail(w, "Finrota checkout could not be opened", err)
			return
		}
		n := nonce()
		widget, err := finrota.Widget{Token: tok, Amount: ord.Amount, Currency: finrota.TRY, ScriptURL: f.scriptURL,
			CompleteURL: "/finrota/complete/" + ord.ID, CrossOriginProtected: true, Nonce: n}.Snippet()
		if err != nil {
			a.fail(w, "Finrota widget could not be rendered", err)
			return
		}
		o := origin(f.scriptURL)
		secure(w, policy{scripts: []string{o}, connects: []string{o}, frames: []string{o}}, n)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = finrotaPage.Execute(w, map[string]any{"Order": ord, "Widget": widget, "Nonce": n})
	})

	// onSuccess: prepared, not paid. The payment is made here, one call at
	// a time per order, and not at all when an earlier attempt of the order
	// already paid.
	mux.HandleFunc("POST /finrota/complete/{order}", func(w http.ResponseWriter, r *http.Request) {
		ord, ok := a.owned(r, r.PathValue("order"))
		if !ok || ord.Provider != "finrota" || ord.Status != StatusNew {
			http.NotFound(w, r)
			return
		}
		if !f.begin(ord.ID) {
			http.Error(w, "a payment for this order is in progress", http.StatusConflict)
			return
		}
		defer f.end(ord.ID)
		if f.check(r.Context(), a, ord) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"redirect": "/orders/" + ord.ID})
			return
		}
		var in struct {
			PrepareToken string `json:"prepareToken"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil || in.PrepareToken == "" {
			http.Error(w, "prepareToken required", http.StatusBadRequest)
			return
		}
		ip, _, _ := net.SplitHostPort(r.RemoteAddr)
		ref := ord.ID[:16] + "-" + nonce()[:6]
		_ = a.orders.setRef(ord.ID, "finrota:"+ref)
		out, err := f.client.CompletePayment(r.Context(), &finrota.CompleteRequest{Amount: ord.Amount, PrepareToken: finrota.PrepareToken(in.PrepareToken),
			ReturnURL: a.url("/finrota/return/" + ord.ID), ClientReferenceCode: ref, CustomerIP: ip})
		next := "/orders/" + ord.ID
		switch o := out.(type) {
		case *finrota.Redirect:
			next = o.URL
		case *finrota.DirectSale:
			a.orders.settle(ord.ID, StatusPaid, "")
		default:
			var pe *finrota.PaymentError
			if asPaymentError(err, &pe) {
				a.orders.settle(ord.ID, StatusFailed, pe.Message)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"redirect": next})
	})

	// The bank returns the shopper here, by GET or a cross-site form POST
	// that carries no session. The return is unsigned and Finrota documents
	// none of its fields, so nothing in it is read, shown or stored: it only
	// makes the server ask Finrota, then sends the browser to the order page
	// (which shows the order only to its own session).
	back := func(w http.ResponseWriter, r *http.Request) {
		ord, ok := a.orders.get(r.PathValue("order"))
		if !ok || ord.Provider != "finrota" {
			http.NotFound(w, r)
			return
		}
		f.check(r.Context(), a, ord)
		http.Redirect(w, r, "/orders/"+ord.ID, http.StatusSeeOther)
	}
	mux.HandleFunc("GET /finrota/return/{order}", back)
	mux.HandleFunc("POST /finrota/return/{order}", back)
}

// check asks Finrota for the order's latest attempt and settles it when
// Finrota lists the payment: paid when its amount is the order's, a
// mismatch otherwise. When Finrota lists nothing the order is left as it is.
// It reports whether the order is paid.
func (f *finrotaCheckout) check(ctx context.Context, a *app, ord Order) bool {
	ref, ok := strings.CutPrefix(ord.Ref, "finrota:")
	if !ok || ref == "" {
		return false
	}
	list, err := f.client.ListPayments(ctx, finrota.PaymentFilter{ClientReferenceCode: ref})
	switch {
	case err != nil || len(list) == 0 || list[0].Status.Pending():
		return false
	case len(list) == 1 && list[0].Status.Failed():
		a.orders.settle(ord.ID, StatusFailed, "Finrota recorded the payment as failed")
		return false
	case len(list) == 1 && list[0].Status.Paid() && list[0].LastAmount.Equal(ord.Amount):
		a.orders.settle(ord.ID, StatusPaid, "")
		return true
	default:
		a.orders.settle(ord.ID, StatusMismatch, "Finrota's payment does not match the order")
		return false
	}
}

func (f *finrotaCheckout) begin(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inFlight[id] {
		return false
	}
	if f.inFlight == nil {
		f.inFlight = map[string]bool{}
	}
	f.inFlight[id] = true
	return true
}

func (f *finrotaCheckout) end(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.inFlight, id)
}

func asPaymentError(err error, target **finrota.PaymentError) bool { return errors.As(err, target) }
