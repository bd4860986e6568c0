package main

import (
	"encoding/json"
	"errors"
	"html/template"
	"net"
	"net/http"

	"github.com/paywidget/paywidget-go/finrota"
)

// finrotaCheckout shows Finrota's widget with a widget token; its onSuccess
// posts the prepare token here, the backend completes the payment with the
// order's own amount, follows a 3-D redirect, and confirms the return with
// Finrota before the order counts as paid.
type finrotaCheckout struct {
	client    *finrota.Client
	scriptURL string
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
			CompleteURL: "/finrota/complete/" + ord.ID, CSRFToken: a.csrf.token(a.csrf.session(w, r)), Nonce: n}.Snippet()
		if err != nil {
			a.fail(w, "Finrota widget could not be rendered", err)
			return
		}
		o := origin(f.scriptURL)
		secure(w, policy{scripts: []string{o}, connects: []string{o}, frames: []string{o}}, n)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = finrotaPage.Execute(w, map[string]any{"Order": ord, "Widget": widget, "Nonce": n})
	})

	// onSuccess: prepared, not paid. The payment is made here.
	mux.HandleFunc("POST /finrota/complete/{order}", func(w http.ResponseWriter, r *http.Request) {
		if !a.csrf.check(r) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		ord, ok := a.orders.get(r.PathValue("order"))
		if !ok || ord.Provider != "finrota" || ord.Status != StatusNew {
			http.NotFound(w, r)
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
			ReturnURL: siteURL(r) + "/finrota/return/" + ord.ID, ClientReferenceCode: ref, CustomerIP: ip})
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

	// The bank returns the shopper here. The return is unsigned: ask Finrota.
	mux.HandleFunc("/finrota/return/{order}", func(w http.ResponseWriter, r *http.Request) {
		ord, ok := a.orders.get(r.PathValue("order"))
		if !ok || ord.Provider != "finrota" {
			http.NotFound(w, r)
			return
		}
		ret, err := finrota.ParseReturn(r)
		if err == nil && ord.Ref != "" {
			list, lerr := f.client.ListPayments(r.Context(), finrota.PaymentFilter{ClientReferenceCode: ord.Ref[len("finrota:"):]})
			switch {
			case lerr == nil && len(list) == 1 && list[0].LastAmount.Equal(ord.Amount):
				a.orders.settle(ord.ID, StatusPaid, "")
			case lerr == nil && ret.Success != nil && !*ret.Success:
				a.orders.settle(ord.ID, StatusFailed, ret.Error)
			}
		}
		http.Redirect(w, r, "/orders/"+ord.ID, http.StatusSeeOther)
	})
}

func asPaymentError(err error, target **finrota.PaymentError) bool { return errors.As(err, target) }
