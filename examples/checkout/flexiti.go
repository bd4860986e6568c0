package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/paywidget/paywidget-go/flexiti"
)

// flexitiCheckout runs a Flexiti flow per order: widget init with the
// shopper's account number, the widget in an iframe, its events forwarded
// here (checked by origin in the page, still only hints), and the
// authorization made by the server with the order's own amount.
//
// The widget's iframe URL carries the flow's customer-scope token, and
// Flexiti lets that token authorize: the shopper can authorize on terms of
// their own (no capture, other financing). So the reference the shop sends
// Flexiti is a random one kept on the server (no page shows it), and the
// order is paid only when Flexiti, asked with the merchant's scope, shows
// that authorization captured for the order's amount under the financing
// the shop offered (regular purchase).
type flexitiCheckout struct {
	client *flexiti.Client
	origin string

	mu    sync.Mutex
	flows map[string]flexiti.FlowState // order id → flow, as a session store would keep it
}

// flexitiTerms is the financing the shop offers.
var flexitiTerms = flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}

func newFlexitiCheckout(c *flexiti.Client, widgetOrigin string) *flexitiCheckout {
	return &flexitiCheckout{client: c, origin: widgetOrigin, flows: map[string]flexiti.FlowState{}}
}

func (x *flexitiCheckout) forget(ids []string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, id := range ids {
		delete(x.flows, id)
	}
}

// reference is the order's reference at Flexiti: random, made once, kept
// on the server (Order.Ref), never in a page.
func (x *flexitiCheckout) reference(a *app, ord Order) (string, error) {
	if ref, ok := strings.CutPrefix(ord.Ref, "flexiti:"); ok && ref != "" {
		return ref, nil
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	ref := hex.EncodeToString(b[:])
	if err := a.orders.setRefOnce(ord.ID, "flexiti:"+ref); err != nil {
		cur, _ := a.orders.get(ord.ID)
		if ref, ok := strings.CutPrefix(cur.Ref, "flexiti:"); ok && ref != "" {
			return ref, nil
		}
		return "", err
	}
	return ref, nil
}

func (*flexitiCheckout) id() string       { return "flexiti" }
func (*flexitiCheckout) title() string    { return "Flexiti" }
func (*flexitiCheckout) currency() string { return "CAD" }

var flexitiStart = template.Must(pages.New("flexiti-start").Parse(`{{template "head" "Pay with Flexiti"}}{{template "summary" .Order}}
<h1>Finance {{.Order.Amount}} CAD with Flexiti</h1>
<form method="post" action="/flexiti/start/{{.Order.ID}}">
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
    headers: {"Content-Type": "application/json"}, body: JSON.stringify(event.data)})
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
		_ = flexitiStart.Execute(w, map[string]any{"Order": ord, "Account": "20009100"})
	})

	mux.HandleFunc("POST /flexiti/start/{order}", func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
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
		if _, err := x.reference(a, ord); err != nil {
			a.fail(w, "order lost", err)
			return
		}
		x.mu.Lock()
		x.flows[ord.ID] = flow.State()
		x.mu.Unlock()
		n := nonce()
		secure(w, policy{frames: []string{x.origin}}, n)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = flexitiPage.Execute(w, map[string]any{"Order": ord, "URL": ws.RedirectionURL, "Origin": x.origin, "Nonce": n})
	})

	// The page forwards the widget's event; the server decides. The event
	// may come twice (a double-fired message, a replay, two tabs): the
	// authorization is made once per order by AuthorizeOnce.
	mux.HandleFunc("POST /flexiti/event/{order}", func(w http.ResponseWriter, r *http.Request) {
		ord, ok := a.owned(r, r.PathValue("order"))
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
			want, err := flexiti.ParseAmount(ord.Amount.String())
			if err != nil {
				a.fail(w, "order amount Flexiti cannot carry", err)
				return
			}
			ref, ok := strings.CutPrefix(ord.Ref, "flexiti:")
			if !ok || ref == "" {
				http.NotFound(w, r)
				return
			}
			auth, err := x.authorize(r.Context(), flow, &flexiti.AuthorizeRequest{AccountNumber: *ev.Success.AccountNumber, Reference: ref,
				Amount: want, AutoCapture: true, FinancingOption: flexitiTerms})
			if err == nil {
				var onTerms bool
				onTerms, err = x.confirm(r.Context(), auth, ref, want)
				switch {
				case err != nil:
				case onTerms:
					a.orders.settle(ord.ID, StatusPaid, "")
				default:
					a.warn("flexiti: an authorization under the order's reference is not on the shop's terms", "order", ord.ID, "authorization", auth.AuthorizationID)
					a.orders.settle(ord.ID, StatusMismatch, "Flexiti's authorization is not on the shop's terms (captured, amount, financing)")
				}
			}
			switch {
			case err == nil:
			case errors.Is(err, flexiti.ErrInProgress), errors.Is(err, flexiti.ErrOutcomeUnknown):
				// Another request is authorizing this order, or Flexiti's
				// answer was lost: the order page shows what is settled.
			default:
				var ae *flexiti.APIError
				if errors.As(err, &ae) || errors.Is(err, flexiti.ErrReferenceConflict) {
					a.orders.settle(ord.ID, StatusFailed, "financing refused")
				}
			}
		case flexiti.StepOtherTender, flexiti.StepCannotProceed, flexiti.StepFailed:
			a.orders.settle(ord.ID, StatusFailed, "Flexiti could not finance this purchase")
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"redirect": "/orders/" + ord.ID})
	})
}

// authorize is the shop's one Flexiti money call: at most one authorization
// per reference, however often the event arrives.
func (x *flexitiCheckout) authorize(ctx context.Context, flow *flexiti.Flow, r *flexiti.AuthorizeRequest) (*flexiti.Authorization, error) {
	return flow.AuthorizeOnce(ctx, r)
}

// confirm asks Flexiti with the merchant's scope (never trusting the
// customer-scope answer) whether the authorization is on the shop's terms:
// under the shop's reference, for the order's amount, captured in full,
// and financed as the shop offered.
func (x *flexitiCheckout) confirm(ctx context.Context, auth *flexiti.Authorization, ref string, want flexiti.Amount) (bool, error) {
	got, err := x.client.GetAuthorization(ctx, auth.AuthorizationID)
	if err != nil {
		return false, err
	}
	if got.AuthorizationID != auth.AuthorizationID || got.Reference != ref || got.Amount.Cmp(want) != 0 || got.CaptureID == nil {
		return false, nil
	}
	caps, err := x.client.Captures(ctx, url.Values{"authorization_id": {got.AuthorizationID.String()}})
	if err != nil {
		return false, err
	}
	var captured int64 // cents
	for _, c := range caps {
		if c.AuthorizationID == got.AuthorizationID {
			captured += c.Amount.Cents()
		}
	}
	if captured != want.Cents() {
		return false, nil
	}
	for page := 1; page <= 20; page++ {
		list, err := x.client.ListAuthorizations(ctx, flexiti.AuthorizationFilter{AccountNumber: got.AccountNumber,
			TransactionType: flexitiTerms.TransactionType, Page: page, PageSize: 100})
		if err != nil {
			return false, err
		}
		for _, a := range list {
			if a.AuthorizationID == got.AuthorizationID {
				return true, nil
			}
		}
		if len(list) < 100 {
			break
		}
	}
	return false, nil
}
