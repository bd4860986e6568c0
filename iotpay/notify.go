package iotpay

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/internal/dedup"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

// MaxNotifyBytes bounds a notification body.
const MaxNotifyBytes = 64 << 10

// VerifyNotification checks a notification body (a flat JSON object with a
// sign) against the merchant key over every field it carries, unknown ones
// included, and returns the order it describes. A bad sign matches
// ErrInvalidSignature; a body that is not such an object matches
// ErrMalformedResponse. The notification must be for this merchant.
func (c *Client) VerifyNotification(body []byte) (*Order, error) {
	if len(body) > MaxNotifyBytes {
		return nil, &httpx.DecodeError{Provider: provider, Into: "notification", Err: errors.New("larger than 64 KiB")}
	}
	p, err := decodeParams(body)
	if err != nil {
		return nil, &httpx.DecodeError{Provider: provider, Into: "notification", Err: err}
	}
	if err := verify(p, c.cfg.Key.Reveal()); err != nil {
		return nil, err
	}
	var o Order
	if err := httpx.DecodeJSON(provider, body, &o); err != nil {
		return nil, err
	}
	if o.MerchantID != c.cfg.MerchantID {
		return nil, &httpx.DecodeError{Provider: provider, Into: "notification", Err: errors.New("mchId is not this merchant's")}
	}
	if o.PayOrderID == "" {
		return nil, &httpx.DecodeError{Provider: provider, Into: "notification", Err: errMissing("payOrderId")}
	}
	return &o, nil
}

// Ack is the answer IOTPay expects to a notification it need not send
// again.
const Ack = "SUCCESS"

// WriteAck writes IOTPay's expected answer: 200, text/plain, SUCCESS.
func WriteAck(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, Ack)
}

// Expectation is what the merchant's own record says a notification must
// carry. Both fields are required and both are compared: an Expectation
// that leaves one empty fails closed (the notification is refused and
// reported to nobody), because a forgotten field would otherwise accept a
// payment for another order or amount.
type Expectation struct {
	// MchOrderNo is the merchant's order number (mchRefundNo for a refund's
	// notification).
	MchOrderNo string
	// Amount is what the order (or refund) is for; greater than 0.
	Amount Amount
}

// Validate reports the first missing field as a *ValidationError matching
// ErrInvalidRequest.
func (e Expectation) Validate() error {
	switch {
	case e.MchOrderNo == "":
		return httpx.Invalid(provider, "Expectation.MchOrderNo", "required: the order the notification must be for")
	case e.Amount.Sign() <= 0:
		return httpx.Invalid(provider, "Expectation.Amount", "required and greater than 0: the amount the order is for")
	}
	return nil
}

// Mismatches names the fields of o that differ from e (nil when o is the
// order e describes). Currency is always compared with IOTPay's Currency.
func (e Expectation) Mismatches(o *Order) []string {
	var m []string
	if o.MchOrderNo != e.MchOrderNo {
		m = append(m, "mchOrderNo")
	}
	if !o.Amount.Equal(e.Amount) {
		m = append(m, "amount")
	}
	if o.Currency != Currency {
		m = append(m, "currency")
	}
	return m
}

// NotificationHandler is the http.Handler for notifyUrl: it bounds the
// body, verifies the sign, cross-checks the order with the merchant's own
// record (Expect), hands the order to Report once per payOrderId and
// outcome (statuses 2 and 3 are both "paid", reported once), and answers
// IOTPay: Reply (Ack, "SUCCESS") only once Report has taken the order (now
// or on an earlier delivery), "FAIL" with a non-200 status otherwise, so
// that IOTPay sends it again. An order Expect does not know (404), an
// incomplete Expectation (500) or a mismatch (409) is refused and reported
// to nobody. A delivery that arrives while another delivery of
// the same notification is being reported waits up to Wait for it and is
// otherwise answered 503 "FAIL" with Retry-After: it is never acknowledged
// before Report succeeded.
type NotificationHandler struct {
	// Client holds the merchant key. Required.
	Client *Client
	// Expect looks up the merchant's own record of the notified order
	// (o.MchOrderNo) and returns what it must carry. An error (an unknown
	// order) answers 404 and reports nothing. Required.
	Expect func(ctx context.Context, o *Order) (Expectation, error)
	// Report receives each verified order that matched its Expectation,
	// once; act on Order.Paid and Order.Status. An error makes IOTPay
	// retry. Its context ends with the Lease. Required.
	Report func(ctx context.Context, o *Order) error
	// Reply is the body of a successful answer (default Ack, "SUCCESS").
	Reply string
	// Store deduplicates reports (default: 100 000 keys for 72 hours in
	// memory). Several replicas need a shared one: NewSQLStore.
	Store Store
	// Lease is how long a delivery holds its notification while Report
	// runs (default 30 s). When a replica dies mid-report, the next
	// delivery after the lease reports it. Make it longer than Report takes.
	Lease time.Duration
	// Wait is how long a delivery that finds its notification being
	// reported by another waits for that one to finish (default 2 s;
	// negative: not at all).
	Wait time.Duration

	fallback dedup.Fallback
}

// ServeHTTP implements http.Handler.
func (h *NotificationHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if h.Client == nil || h.Expect == nil || h.Report == nil || r.Method != http.MethodPost {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "FAIL")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxNotifyBytes))
	if err != nil {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_, _ = io.WriteString(w, "FAIL")
		return
	}
	o, err := h.Client.VerifyNotification(body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "FAIL")
		return
	}
	want, err := h.Expect(r.Context(), o)
	if err != nil {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "FAIL")
		return
	}
	if err := want.Validate(); err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "FAIL")
		return
	}
	if len(want.Mismatches(o)) > 0 {
		w.WriteHeader(http.StatusConflict)
		_, _ = io.WriteString(w, "FAIL")
		return
	}
	if err := h.reportOnce(r.Context(), o); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, claims.ErrBusy) {
			w.Header().Set("Retry-After", dedup.RetryAfter(err))
			status = http.StatusServiceUnavailable
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "FAIL")
		return
	}
	reply := h.Reply
	if reply == "" {
		reply = Ack
	}
	_, _ = io.WriteString(w, reply)
}

func (h *NotificationHandler) reportOnce(ctx context.Context, o *Order) error {
	// The merchant's fact, not IOTPay's raw status: 2 (success) and 3
	// (success, acknowledged) are both "paid" and reported once.
	key := "iotpay:" + o.PayOrderID + ":" + o.Status.Outcome()
	return dedup.Report(ctx, h.fallback.Or(h.Store), key, h.Lease, h.Wait, func(ctx context.Context) error { return h.Report(ctx, o) })
}

// Return is what IOTPay appends to returnUrl when it sends the shopper's
// browser back. It is NOT signed: anyone can forge it. Use it to choose
// what to show, and Confirm (or the notification) to decide.
type Return struct {
	RetCode    string
	RetMsg     string
	Status     Status
	MchOrderNo string
}

// ParseReturn reads the query of the shopper's request to returnUrl, as
// every package's ParseReturn reads the returning request. Unauthenticated:
// see Return.
func ParseReturn(req *http.Request) (*Return, error) {
	if req == nil || req.URL == nil {
		return nil, &httpx.DecodeError{Provider: provider, Into: "return", Err: errMissing("a request")}
	}
	q := req.URL.Query()
	r := &Return{RetCode: q.Get("retCode"), RetMsg: q.Get("retMsg"), MchOrderNo: q.Get("mchOrderNo")}
	if r.RetCode == "" {
		return nil, &httpx.DecodeError{Provider: provider, Into: "return", Err: errMissing("retCode")}
	}
	if s := q.Get("status"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, &httpx.DecodeError{Provider: provider, Into: "return", Err: errors.New("status is not a number")}
		}
		r.Status = Status(n)
	}
	if len(r.MchOrderNo) > 30 || len(r.RetMsg) > 500 {
		return nil, &httpx.DecodeError{Provider: provider, Into: "return", Err: errors.New("field too long")}
	}
	return r, nil
}

// Confirm asks IOTPay (signed) what happened to the order the browser's
// return names, or to mchOrderNo when the return does not name one.
func (c *Client) Confirm(ctx context.Context, mchOrderNo string) (_ *Order, err error) {
	ctx, sp := c.http.Trace(ctx, "iotpay.Confirm", mchOrderNo)
	defer sp.End(&err)
	return c.Query(ctx, &QueryRequest{MchOrderNo: mchOrderNo})
}
