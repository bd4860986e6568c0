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
	"time"

	"github.com/paywidget/paywidget-go/finrota"
)

// finrotaCheckout shows Finrota's widget with a widget token; its onSuccess
// posts the prepare token here, the backend completes the payment with the
// order's own amount, follows a 3-D redirect, and confirms every attempt
// with Finrota's listing (amount, currency, reference) before the order
// counts as paid: a direct sale too, since the widget runs in the
// shopper's browser and prepares in the currency it is told.
//
// Every attempt of an order is remembered and settled on its own; a new
// attempt is refused while an earlier one may still complete (it waits at
// the bank, or its answer was lost), so one order is never paid twice and
// no payment is lost by overwriting its reference.
type finrotaCheckout struct {
	client    *finrota.Client
	scriptURL string

	mu       sync.Mutex
	inFlight map[string]bool              // order ids with a payment call or check running
	attempts map[string][]*finrotaAttempt // order id → every attempt, oldest first
}

// finrotaAttempt is one payment attempt of an order.
type finrotaAttempt struct {
	ref     string // clientReferenceCode, new per attempt
	state   attemptState
	started time.Time
}

type attemptState int

const (
	// attemptOpen: sent, and not (yet) listed by Finrota: at the bank for
	// 3-D Secure, or its answer was lost.
	attemptOpen attemptState = iota
	attemptPaid
	attemptFailed
	attemptMismatch
)

// Bounds of an order's attempts: an open attempt blocks a new one for
// bankWindow (a 3-D session's life at the bank; it is still settled if
// Finrota lists it later), and an order has at most maxAttempts.
const (
	bankWindow  = 15 * time.Minute
	maxAttempts = 5
)

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
	// a time per order, and not while an earlier attempt of the order may
	// still complete.
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
		reply := func(next string) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"redirect": next})
		}
		if f.settle(r.Context(), a, ord) != StatusNew {
			reply("/orders/" + ord.ID)
			return
		}
		if open, n := f.open(ord.ID, a.orders.time()); open || n >= maxAttempts {
			http.Error(w, "an earlier payment of this order may still complete: see the order page", http.StatusConflict)
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
		at := f.add(ord.ID, ord.ID[:16]+"-"+nonce()[:6], a.orders.time())
		out, err := f.pay(r.Context(), &finrota.CompleteRequest{Amount: ord.Amount, PrepareToken: finrota.PrepareToken(in.PrepareToken),
			ReturnURL: a.url("/finrota/return/" + ord.ID), ClientReferenceCode: at.ref, CustomerIP: ip})
		next := "/orders/" + ord.ID
		var pe *finrota.PaymentError
		switch o := out.(type) {
		case *finrota.Redirect:
			next = o.URL // the attempt stays open until Finrota lists it
		case *finrota.DirectSale:
			f.settle(r.Context(), a, ord) // confirmed like any other: by the listing
		default:
			if errors.As(err, &pe) {
				f.mark(ord.ID, at, attemptFailed)
				f.settle(r.Context(), a, ord)
				a.orders.settle(ord.ID, StatusFailed, pe.Message)
			}
			// Otherwise the outcome is unknown: the attempt stays open and
			// is settled by the listing.
		}
		reply(next)
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
		if f.begin(ord.ID) {
			f.settle(r.Context(), a, ord)
			f.end(ord.ID)
		}
		http.Redirect(w, r, "/orders/"+ord.ID, http.StatusSeeOther)
	}
	mux.HandleFunc("GET /finrota/return/{order}", back)
	mux.HandleFunc("POST /finrota/return/{order}", back)
}

// pay is the shop's one Finrota money call, in its repeatable form: a
// repeat of the attempt's reference (a double click, a retried request, a
// replica taking over) reaches Finrota at most once.
func (f *finrotaCheckout) pay(ctx context.Context, r *finrota.CompleteRequest) (finrota.Outcome, error) {
	return f.client.CompletePaymentOnce(ctx, r)
}

// settle asks Finrota about every open attempt of the order and records
// what it lists: an attempt is paid only when Finrota lists exactly one
// payment under its reference, for the order's amount and currency. The
// order is paid when an attempt is; an order paid more than once says
// which payments to refund. It returns the order's status. The caller
// holds the order (begin).
func (f *finrotaCheckout) settle(ctx context.Context, a *app, ord Order) Status {
	for _, at := range f.list(ord.ID) {
		if at.state != attemptOpen {
			continue
		}
		st, err := f.client.Settle(ctx, &finrota.SettleRequest{ClientReferenceCode: at.ref})
		switch {
		case err != nil || st.State != finrota.SettleDone || st.Record == nil || st.Record.Status.Pending():
			// Not (yet) completed, or Finrota cannot tell now: still open.
		case st.Record.Status.Failed():
			f.mark(ord.ID, at, attemptFailed)
		case st.Record.Status.Paid() && st.Record.ClientReferenceNumber == at.ref && st.Record.LastAmount.Equal(ord.Amount) &&
			st.Record.CurrencyType == ord.Currency:
			f.mark(ord.ID, at, attemptPaid)
		default:
			f.mark(ord.ID, at, attemptMismatch)
		}
	}
	var paid, mismatched []string
	for _, at := range f.list(ord.ID) {
		switch at.state {
		case attemptPaid:
			paid = append(paid, at.ref)
		case attemptMismatch:
			mismatched = append(mismatched, at.ref)
		}
	}
	switch {
	case len(paid) > 1:
		a.orders.settle(ord.ID, StatusPaid, "")
		a.orders.note(ord.ID, "paid more than once: refund the payments "+strings.Join(paid[1:], ", "))
	case len(paid) == 1:
		a.orders.settle(ord.ID, StatusPaid, "")
	case len(mismatched) > 0:
		a.orders.settle(ord.ID, StatusMismatch, "Finrota's payment does not match the order (amount, currency or reference)")
	}
	now, _ := a.orders.get(ord.ID)
	return now.Status
}

// add remembers a new attempt before it is sent.
func (f *finrotaCheckout) add(id, ref string, now time.Time) *finrotaAttempt {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.attempts == nil {
		f.attempts = map[string][]*finrotaAttempt{}
	}
	at := &finrotaAttempt{ref: ref, started: now}
	f.attempts[id] = append(f.attempts[id], at)
	return at
}

// list returns copies of the order's attempts.
func (f *finrotaCheckout) list(id string) []*finrotaAttempt {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]*finrotaAttempt, 0, len(f.attempts[id]))
	for _, at := range f.attempts[id] {
		c := *at
		out = append(out, &c)
	}
	return out
}

// mark records an attempt's state.
func (f *finrotaCheckout) mark(id string, at *finrotaAttempt, s attemptState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range f.attempts[id] {
		if x.ref == at.ref {
			x.state = s
		}
	}
}

// open reports whether an attempt of the order may still complete (open
// and younger than bankWindow), and how many attempts it has.
func (f *finrotaCheckout) open(id string, now time.Time) (bool, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, at := range f.attempts[id] {
		if at.state == attemptOpen && now.Sub(at.started) < bankWindow {
			return true, len(f.attempts[id])
		}
	}
	return false, len(f.attempts[id])
}

// forget drops the attempts of forgotten orders.
func (f *finrotaCheckout) forget(ids []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		delete(f.attempts, id)
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
