package iotpay

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

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

// Store remembers which notifications were already reported, so that the
// same one twice is reported once. Share one between replicas (SQL, Redis).
// Its methods, which an implementation must provide:
//
//	Claim(ctx context.Context, key string) (bool, error)
//		records key and reports whether this call recorded it first; of
//		several concurrent Claims of one key exactly one gets true
//	Release(ctx context.Context, key string) error
//		forgets key, so that a redelivery is reported again (the handler
//		calls it when the merchant's code failed to take the event)
//
// With database/sql and a table reported_events (key TEXT PRIMARY KEY, at
// TIMESTAMP NOT NULL), Claim is an INSERT … ON CONFLICT DO NOTHING that
// reports whether one row was affected, and Release is a DELETE by key.
type Store = dedup.Store

// NewMemoryStore returns the in-process Store: at most max keys, each
// forgotten after ttl (zero or negative values select 100 000 keys and 72
// hours). It is right for one replica; several replicas need a shared Store.
func NewMemoryStore(max int, ttl time.Duration) Store { return dedup.NewMemory(max, ttl) }

// NotifyHandler is the http.Handler for notifyUrl: it bounds the body,
// verifies the sign, hands the order to Report once per payOrderId and
// status, and answers IOTPay: Reply ("SUCCESS") when handled, "FAIL" with a
// non-200 status otherwise, so that IOTPay sends it again.
type NotifyHandler struct {
	// Client holds the merchant key. Required.
	Client *Client
	// Report receives each verified order once. Check the amount against your
	// own order and act on Order.Status. An error makes IOTPay retry.
	Report func(ctx context.Context, o *Order) error
	// Reply is the body of a successful answer (default "SUCCESS").
	Reply string
	// Store deduplicates reports (default: 100 000 keys for 72 hours in
	// memory).
	Store Store

	fallback dedup.Fallback
}

// ServeHTTP implements http.Handler.
func (h *NotifyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if h.Client == nil || h.Report == nil || r.Method != http.MethodPost {
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
	if err := h.reportOnce(r.Context(), o); err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "FAIL")
		return
	}
	reply := h.Reply
	if reply == "" {
		reply = "SUCCESS"
	}
	_, _ = io.WriteString(w, reply)
}

func (h *NotifyHandler) reportOnce(ctx context.Context, o *Order) error {
	key := "iotpay:" + o.PayOrderID + ":" + strconv.Itoa(int(o.Status))
	return dedup.Once(ctx, h.fallback.Or(h.Store), key, func(ctx context.Context) error { return h.Report(ctx, o) })
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

// ParseReturn reads the returnUrl query. Unauthenticated: see Return.
func ParseReturn(q url.Values) (*Return, error) {
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
func (c *Client) Confirm(ctx context.Context, mchOrderNo string) (*Order, error) {
	return c.Query(ctx, &QueryRequest{MchOrderNo: mchOrderNo})
}
