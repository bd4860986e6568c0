package odero

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/internal/dedup"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

// MaxCallbackBytes bounds the body of a callback read by ParseCallback.
const MaxCallbackBytes = 64 << 10

// ErrInvalidCallback is matched by every *CallbackError.
var ErrInvalidCallback = httpx.ErrInvalidCallback

// CallbackError says which field of a callback was missing or malformed. It
// never quotes the value.
type CallbackError struct {
	Field  string
	Reason string
}

func (e *CallbackError) Error() string {
	return "odero: callback " + e.Field + ": " + e.Reason
}

// Unwrap lets errors.Is(err, ErrInvalidCallback) hold.
func (e *CallbackError) Unwrap() error { return ErrInvalidCallback }

// Callback is the form the shopper's browser posts to callbackUrl after the
// hosted page. OderoPay does not sign it: it is only a hint to go and check.
type Callback struct {
	// Token identifies the checkout.
	Token string
	// MultiPayment says the checkout was paid in several parts.
	MultiPayment bool
	// PaymentIDs lists the payment ids (paymentIdList).
	PaymentIDs []int64
	// SubscriptionID is set for a successful SUBSCRIPTION checkout.
	SubscriptionID int64
}

// ParseCallback reads the callback form from r: a POST of
// application/x-www-form-urlencoded (or multipart) with at most
// MaxCallbackBytes. Anything else is a *CallbackError.
func ParseCallback(r *http.Request) (*Callback, error) {
	if r.Method != http.MethodPost {
		return nil, &CallbackError{Field: "method", Reason: "must be POST"}
	}
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (ct != "application/x-www-form-urlencoded" && ct != "multipart/form-data") {
		return nil, &CallbackError{Field: "Content-Type", Reason: "must be a form"}
	}
	r.Body = http.MaxBytesReader(nil, r.Body, MaxCallbackBytes)
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(MaxCallbackBytes)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return nil, &CallbackError{Field: "body", Reason: "unreadable or larger than 64 KiB"}
	}
	return callbackFromForm(r.PostForm)
}

// callbackFromForm validates the documented fields.
func callbackFromForm(f map[string][]string) (*Callback, error) {
	get := func(k string) (string, error) {
		v := f[k]
		if len(v) > 1 {
			return "", &CallbackError{Field: k, Reason: "sent more than once"}
		}
		if len(v) == 0 {
			return "", nil
		}
		return strings.TrimSpace(v[0]), nil
	}
	tok, err := get("token")
	if err != nil {
		return nil, err
	}
	if verr := validateToken("token", tok); verr != nil {
		return nil, &CallbackError{Field: "token", Reason: "missing or not a checkout token"}
	}
	cb := &Callback{Token: tok}
	if s, err := get("multiPayment"); err != nil {
		return nil, err
	} else if s != "" {
		b, perr := strconv.ParseBool(s)
		if perr != nil {
			return nil, &CallbackError{Field: "multiPayment", Reason: "not a boolean"}
		}
		cb.MultiPayment = b
	}
	if s, err := get("paymentIdList"); err != nil {
		return nil, err
	} else if s != "" {
		ids, perr := parseIDList(s)
		if perr != nil {
			return nil, &CallbackError{Field: "paymentIdList", Reason: "not a list of ids"}
		}
		cb.PaymentIDs = ids
	}
	if s, err := get("subscriptionId"); err != nil {
		return nil, err
	} else if s != "" {
		id, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil || id <= 0 {
			return nil, &CallbackError{Field: "subscriptionId", Reason: "not a positive id"}
		}
		cb.SubscriptionID = id
	}
	return cb, nil
}

// parseIDList accepts a JSON array of ids or comma-separated ids, with at
// most 1000 entries.
func parseIDList(s string) ([]int64, error) {
	const max = 1000
	if strings.HasPrefix(s, "[") {
		var ids []int64
		if err := json.Unmarshal([]byte(s), &ids); err != nil {
			return nil, err
		}
		if len(ids) > max {
			return nil, errors.New("too many ids")
		}
		return ids, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > max {
		return nil, errors.New("too many ids")
	}
	ids := make([]int64, 0, len(parts))
	for _, p := range parts {
		id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Expectation is what the merchant's own order record says the checkout
// should have paid. All three fields are required and all three are
// compared: an Expectation that leaves one empty fails closed (VerifyCheckout
// returns an error matching ErrInvalidRequest and never a paid verdict),
// because a forgotten field would otherwise accept a payment for another
// order, amount or currency.
type Expectation struct {
	// ConversationID is the conversationId the checkout was opened with.
	ConversationID string
	// PaidPrice is what the shopper must have paid; greater than 0.
	PaidPrice Amount
	// Currency is the checkout's currency.
	Currency Currency
}

// Validate reports every missing field at once, each a *ValidationError
// matching ErrInvalidRequest.
func (e Expectation) Validate() error {
	v := httpx.NewViolations(provider, nil)
	if e.ConversationID == "" {
		v.AddField("Expectation.ConversationID", "conversationId", "required: the order the checkout must have paid")
	}
	if e.PaidPrice.Sign() <= 0 {
		v.AddField("Expectation.PaidPrice", "paidPrice", "required and greater than 0: the amount the checkout must have taken")
	}
	if e.Currency == "" {
		v.AddField("Expectation.Currency", "currency", "required: the currency the checkout must have taken")
	}
	return v.Err()
}

// Outcome is the merchant-facing result of verifying a checkout.
type Outcome string

// Outcomes of VerifyCheckout.
const (
	// OutcomePaid: the gateway says SUCCESS and everything matched.
	OutcomePaid Outcome = "paid"
	// OutcomeFailed: the gateway says FAILURE.
	OutcomeFailed Outcome = "failed"
	// OutcomePending: 3-D Secure or the bank is not finished; check again.
	OutcomePending Outcome = "pending"
	// OutcomeMismatch: the gateway says SUCCESS but for another order,
	// amount or currency. Do not ship; investigate.
	OutcomeMismatch Outcome = "mismatch"
)

// Verdict is the verified outcome of a checkout.
type Verdict struct {
	Outcome Outcome
	Token   string
	// Mismatches names the fields that differed (for OutcomeMismatch).
	Mismatches []string
	// Payment is the gateway's signed answer.
	Payment *Payment
	// Callback is the browser's callback, when the verdict came from one.
	Callback *Callback
}

// Paid reports OutcomePaid: the money was taken for this order.
func (v *Verdict) Paid() bool { return v.Outcome == OutcomePaid }

// VerifyCheckout fetches the checkout by token with a signed query and
// compares it with what the merchant expected. Only a Verdict with
// OutcomePaid means the money was taken for this order. An incomplete
// Expectation is refused before anything is sent (see Expectation).
func (c *Client) VerifyCheckout(ctx context.Context, token string, want Expectation) (_ *Verdict, err error) {
	ctx, sp := c.http.Trace(ctx, "odero.VerifyCheckout", want.ConversationID)
	defer sp.End(&err)
	if err := want.Validate(); err != nil {
		return nil, err
	}
	p, err := c.RetrieveCheckout(ctx, token)
	if err != nil {
		return nil, err
	}
	v := &Verdict{Token: token, Payment: p}
	switch p.Status {
	case PaymentStatusSuccess:
		v.Mismatches = mismatches(p, want)
		v.Outcome = OutcomePaid
		if len(v.Mismatches) > 0 {
			v.Outcome = OutcomeMismatch
		}
	case PaymentStatusFailure:
		v.Outcome = OutcomeFailed
	default:
		v.Outcome = OutcomePending
	}
	return v, nil
}

// mismatches compares every field of want (which Validate has checked is
// complete) with the gateway's answer.
func mismatches(p *Payment, want Expectation) []string {
	var m []string
	if p.ConversationID != want.ConversationID {
		m = append(m, "conversationId")
	}
	if !p.PaidPrice.Equal(want.PaidPrice) {
		m = append(m, "paidPrice")
	}
	if p.Currency != want.Currency {
		m = append(m, "currency")
	}
	return m
}

// CallbackHandler is the http.Handler for callbackUrl: it parses the
// browser's form, verifies the checkout with a signed query, hands the
// verdict to Report once per checkout and outcome, and answers the browser.
// The outcome is part of what is reported once: a checkout reported failed
// and later verified paid is reported again, as paid. The browser is shown
// the result only once Report has taken the verdict (now or on an earlier
// callback); a callback that arrives while another callback of the same
// checkout is being reported waits up to Wait and otherwise gets a 503 "still
// processing" page with Retry-After and a button that posts the callback
// again.
type CallbackHandler struct {
	// Client makes the signed query. Required.
	Client *Client
	// Expect looks up the merchant's order for the callback's token. An
	// error (an unknown token) answers 404 and reports nothing. An
	// incomplete Expectation answers 500 and reports nothing. Required.
	Expect func(ctx context.Context, cb *Callback) (Expectation, error)
	// Report receives each final verdict (paid, failed, mismatch) once.
	// When it fails the callback can be delivered again. Its context ends
	// with the Lease. Required.
	Report func(ctx context.Context, v *Verdict) error
	// Respond answers the shopper's browser, typically with a redirect to
	// the order page. The default writes a short page with the outcome.
	Respond func(w http.ResponseWriter, r *http.Request, v *Verdict)
	// Store deduplicates reports; the default remembers 100 000 tokens for
	// 72 hours in this process. Several replicas need a shared one:
	// NewSQLStore.
	Store Store
	// Lease is how long a callback holds its verdict while Report runs
	// (default 30 s). When a replica dies mid-report, the next callback
	// after the lease reports it. Make it longer than Report takes.
	Lease time.Duration
	// Wait is how long a callback that finds its verdict being reported by
	// another waits for that one to finish (default 2 s; negative: not at
	// all).
	Wait time.Duration

	fallback dedup.Fallback
}

var resultPage = template.Must(template.New("result").Parse(
	`<!doctype html><meta charset="utf-8"><title>Payment {{.}}</title><p>Payment {{.}}.</p>`))

// processingPage re-posts the callback's own documented fields to the same
// URL when the shopper presses the button.
var processingPage = template.Must(template.New("processing").Parse(
	`<!doctype html><meta charset="utf-8"><title>Payment still processing</title>` +
		`<p>Your payment is still being recorded. Please wait a moment, then check again.</p>` +
		`<form method="post">{{range $k, $v := .}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}` +
		`<button type="submit">Check again</button></form>`))

func writeProcessing(w http.ResponseWriter, r *http.Request, err error) {
	fields := map[string]string{}
	for _, k := range []string{"token", "multiPayment", "paymentIdList", "subscriptionId"} {
		if v := r.PostForm[k]; len(v) == 1 {
			fields[k] = v[0]
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Retry-After", dedup.RetryAfter(err))
	w.WriteHeader(http.StatusServiceUnavailable)
	_ = processingPage.Execute(w, fields)
}

// ServeHTTP implements http.Handler.
func (h *CallbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.Client == nil || h.Expect == nil || h.Report == nil {
		http.Error(w, "callback handler not configured", http.StatusInternalServerError)
		return
	}
	cb, err := ParseCallback(r)
	if err != nil {
		http.Error(w, "invalid callback", http.StatusBadRequest)
		return
	}
	want, err := h.Expect(r.Context(), cb)
	if err != nil {
		http.Error(w, "unknown checkout", http.StatusNotFound)
		return
	}
	if err := want.Validate(); err != nil {
		http.Error(w, "callback handler misconfigured: incomplete expectation", http.StatusInternalServerError)
		return
	}
	v, err := h.Client.VerifyCheckout(r.Context(), cb.Token, want)
	if err != nil {
		http.Error(w, "payment could not be verified yet; reload to try again", http.StatusBadGateway)
		return
	}
	v.Callback = cb
	if v.Outcome != OutcomePending {
		if err := h.reportOnce(r.Context(), v); err != nil {
			if errors.Is(err, claims.ErrBusy) {
				writeProcessing(w, r, err)
				return
			}
			http.Error(w, "payment could not be recorded; reload to try again", http.StatusInternalServerError)
			return
		}
	}
	if h.Respond != nil {
		h.Respond(w, r, v)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = resultPage.Execute(w, string(v.Outcome))
}

func (h *CallbackHandler) reportOnce(ctx context.Context, v *Verdict) error {
	// The verdict is part of the key: failed, then later verified paid, is
	// news the merchant must hear.
	key := "odero:" + v.Token + ":" + string(v.Outcome)
	return dedup.Report(ctx, h.fallback.Or(h.Store), key, h.Lease, h.Wait, func(ctx context.Context) error { return h.Report(ctx, v) })
}
