package main

import (
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/paywidget/paywidget-go/flexiti"
)

// flexitiCheckout runs a Flexiti flow per order: widget init with the
// shopper's account number, the widget in an iframe, its events forwarded
// here (checked by origin in the page, still only hints), and the
// authorization made by the server with the order's own amount.
type flexitiCheckout struct {
	client *flexiti.Client
	origin string

	mu    sync.Mutex
	flows map[string]flexiti.FlowState // order id → flow, as a session store would keep it
}

func newFlexitiCheckout(c *flexiti.Client, widgetOrigin string) *flexitiCheckout {
	return &flexitiCheckout{client: c, origin: widgetOrigin, flows: map[string]flexiti.FlowState{}}
}

func (*flexitiCheckout) id() string       { return "flexiti" }
func (*flexitiCheckout) title() string    { return "Flexiti" }
func (*flexitiCheckout) currency() string { return "CAD" }

var flexitiStart = template.Must(pages.New("flexiti-start").Parse(`{{template "head" "Pay with Flexiti"}}{{template "summary" .Order}}
<h1>Finance {{.Order.Amount}} CAD with Flexiti</h1>
<form method="post" action="/flexiti/start/{{.Order.ID}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label>Flexiti account number <input id="flexiti-account" name="account" inputmode="numeric" required value="{{.Account}}"></label>
<button id="flexiti-start" type="submit">Continue with Flexiti</button></form>
<p><a id="cancel" href="/orders/{{.Order.ID}}">Back to the order</a></p>{{template "foot"}}`))

var flexitiPage = template.Must(pages.New("flexiti").Parse(`{{template "head" "Flexiti"}}{{template "summary" .Order}}
<h1>Finance {{.Order.Amount}} CAD with Flexiti</h1>
<iframe id="flexiti-frame" title="Flexiti" src="{{.URL}}"></iframe>
<script nonce="{{.Nonce}}">
window.addEventListener("message", function (event) {
  if (event.origin !== {{.Origin}}) { return; } // Flexiti posts to "*": check who is talking
  fetch("/flexiti/event/{{.Order.ID}}", {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": {{.CSRF}}}, body: JSON.stringify(event.data)})
    .then(function (r) { return r.json(); })
    .then(function (r) { if (r.redirect) { window.location.href = r.redirect; } });
});
</script>{{template "foot"}}`))

func (x *flexitiCheckout) register(mux *http.ServeMux, a *app) {
	mux.HandleFunc("GET /pay/flexiti/{order}", func(w http.ResponseWriter, r *http.Request) {
		ord, ok := a.orderFor(w, r, "flexiti")
		if !ok {
			return
		}
		secure(w, policy{}, nonce())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = flexitiStart.Execute(w, map[string]any{"Order": ord, "CSRF": a.csrf.token(a.csrf.session(w, r)), "Account": "20009100"})
	})

	mux.HandleFunc("POST /flexiti/start/{order}", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || !a.csrf.check(r) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		ord, ok := a.orderFor(w, r, "flexiti")
		if !ok {
			return
		}
		acct, err := strconv.ParseInt(r.PostForm.Get("account"), 10, 64)
		if err != nil {
			http.Error(w, "account number required", http.StatusBadRequest)
			return
		}
		flow, err := x.client.NewFlow(r.Context())
		if err != nil {
			a.fail(w, "Flexiti could not be reached", err)
			return
		}
		ws, err := flow.WidgetInit(r.Context(), &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase,
			CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: flexiti.ID(acct)}})
		if err != nil {
			a.fail(w, "Flexiti widget could not be opened", err)
			return
		}
		x.mu.Lock()
		x.flows[ord.ID] = flow.State()
		x.mu.Unlock()
		n := nonce()
		secure(w, policy{frames: []string{x.origin}}, n)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = flexitiPage.Execute(w, map[string]any{"Order": ord, "URL": ws.RedirectionURL, "Origin": x.origin, "Nonce": n, "CSRF": a.csrf.token(a.csrf.session(w, r))})
	})

	// The page forwards the widget's event; the server decides.
	mux.HandleFunc("POST /flexiti/event/{order}", func(w http.ResponseWriter, r *http.Request) {
		if !a.csrf.check(r) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		ord, ok := a.orders.get(r.PathValue("order"))
		x.mu.Lock()
		state, has := x.flows[ord.ID]
		x.mu.Unlock()
		if !ok || !has || ord.Provider != "flexiti" {
			http.NotFound(w, r)
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, flexiti.MaxEventBytes+1))
		ev, err := flexiti.ParseWidgetEvent(body)
		if err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		switch flexiti.NextStep(flexiti.FlowPurchase, ev) {
		case flexiti.StepAuthorize:
			flow, err := x.client.RestoreFlow(state)
			if err != nil {
				a.fail(w, "flow lost", err)
				return
			}
			_, err = flow.Authorize(r.Context(), &flexiti.AuthorizeRequest{AccountNumber: *ev.Success.AccountNumber, Reference: ord.ID[:16],
				Amount: flexiti.Cents(mustCents(ord)), AutoCapture: true, FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}})
			if err == nil {
				a.orders.settle(ord.ID, StatusPaid, "")
			} else {
				a.orders.settle(ord.ID, StatusFailed, "financing refused")
			}
		case flexiti.StepOtherTender, flexiti.StepCannotProceed, flexiti.StepFailed:
			a.orders.settle(ord.ID, StatusFailed, "Flexiti could not finance this purchase")
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"redirect": "/orders/" + ord.ID})
	})
}

func mustCents(o Order) int64 {
	n, _ := o.Amount.MinorUnits(2)
	return n
}
