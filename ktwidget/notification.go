package ktwidget

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/internal/dedup"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/secret"
)

// MaxNotificationBytes bounds a notification body.
const MaxNotificationBytes = 64 << 10

// Transaction statuses. KTPay notifies only the final ones.
const (
	StatusPending    = "pending"
	StatusAuthorized = "authorized"
	StatusSuccess    = "success"
	StatusCompleted  = "completed"
	// StatusFailed is KTPay's "error": the payment failed (the
	// notification's error object says why).
	StatusFailed = "error"
	StatusDenied = "denied"
)

// IsFinal reports whether status is completed, error (StatusFailed) or
// denied.
func IsFinal(status string) bool {
	return status == StatusCompleted || status == StatusFailed || status == StatusDenied
}

// ErrInvalidCallback is matched when a notification's URL token is missing
// or forged, or its body is not a notification.
var ErrInvalidCallback = httpx.ErrInvalidCallback

// Notification is what KTPay posts to callback_post_url. KTPay does not sign
// it: the per-order URL token and the cross-check against the merchant's
// own records are what make it trustworthy.
type Notification struct {
	MerchantID      int64      `json:"merchant_id"`
	OrderID         string     `json:"order_id"`
	Description     string     `json:"description"`
	Amount          Amount     `json:"amount"`
	TransactionHash string     `json:"transaction_hash"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       *time.Time `json:"updated_at"`
	Status          struct {
		Status    string     `json:"status"`
		CreatedAt time.Time  `json:"created_at"`
		UpdatedAt *time.Time `json:"updated_at"`
		Error     *struct {
			// Type is ERROR_PAYMENT, ERROR_INPUT or ERROR_SYSTEM.
			Type    string `json:"error_type"`
			Message string `json:"error_message"`
		} `json:"error"`
	} `json:"status"`
}

// Final reports whether the notification carries a final status.
func (n *Notification) Final() bool { return IsFinal(n.Status.Status) }

// Paid reports status completed: the money was cleared.
func (n *Notification) Paid() bool { return n.Status.Status == StatusCompleted }

// CallbackURL returns the callback_post_url CreatePayment sends for one
// order: Config.CallbackBase with the order id and an unguessable token
// (HMAC-SHA256 of the order id under Config.CallbackSecret) added to its
// query. Only KTPay sees it, because the order is sealed to KTPay's key.
// The base is configured once; there is deliberately no way to pass one per
// call.
func (c *Client) CallbackURL(orderID string) (string, error) {
	if c.callback == "" {
		return "", httpx.InvalidField(provider, "CallbackBase", "callback_post_url", "not configured")
	}
	if orderID == "" {
		return "", httpx.Invalid(provider, "order_id", "required")
	}
	u, err := url.Parse(c.callback)
	if err != nil {
		return "", httpx.InvalidField(provider, "CallbackBase", "callback_post_url", "must be an absolute URL")
	}
	q := u.Query()
	q.Set("o", orderID)
	q.Set("t", c.token(orderID))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func (c *Client) token(orderID string) string {
	m := hmac.New(sha256.New, []byte(c.secret.Reveal()))
	m.Write([]byte(orderID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// VerifyCallbackToken checks the o and t query parameters of a notification
// request in constant time and returns the order id.
func (c *Client) VerifyCallbackToken(r *http.Request) (string, error) {
	if c.secret.IsZero() {
		return "", ErrInvalidCallback
	}
	q := r.URL.Query()
	o, t := q.Get("o"), q.Get("t")
	if o == "" || t == "" || !secret.Equal(c.token(o), t) {
		return "", ErrInvalidCallback
	}
	return o, nil
}

// ParseNotification reads a notification: a POST with a JSON body of at
// most MaxNotificationBytes. Null updated_at and error are accepted, and
// amount may be an integer or a decimal.
func ParseNotification(r *http.Request) (*Notification, error) {
	if r.Method != http.MethodPost {
		return nil, ErrInvalidCallback
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxNotificationBytes+1))
	if err != nil || len(body) > MaxNotificationBytes {
		return nil, errors.Join(ErrInvalidCallback, &httpx.DecodeError{Provider: provider, Into: "notification", Err: errors.New("unreadable or larger than 64 KiB")})
	}
	return decodeNotification(body)
}

func decodeNotification(body []byte) (*Notification, error) {
	var n Notification
	if err := httpx.DecodeJSON(provider, body, &n); err != nil {
		return nil, errors.Join(ErrInvalidCallback, err)
	}
	if n.OrderID == "" || n.TransactionHash == "" || n.Status.Status == "" {
		return nil, errors.Join(ErrInvalidCallback, &httpx.DecodeError{Provider: provider, Into: "notification", Err: errors.New("order_id, transaction_hash and status are required")})
	}
	return &n, nil
}

// Expectation is what the merchant stored when it created the payment, and
// so what a notification must carry. Both fields are required and both are
// compared: an Expectation that leaves one empty fails closed (the
// notification is refused and reported to nobody), because a forgotten field
// would otherwise accept a notification for another payment or amount.
type Expectation struct {
	// TransactionHash is what CreatePayment returned for the order.
	TransactionHash string
	// Amount is the order's amount; greater than 0.
	Amount Amount
}

// Validate reports the first missing field as a *ValidationError matching
// ErrInvalidRequest.
func (e Expectation) Validate() error {
	switch {
	case e.TransactionHash == "":
		return httpx.Invalid(provider, "Expectation.TransactionHash", "required: the payment the notification must be for")
	case e.Amount.Sign() <= 0:
		return httpx.Invalid(provider, "Expectation.Amount", "required and greater than 0: the amount the order is for")
	}
	return nil
}

// Ack is the body of the acknowledgment KTPay expects for a notification,
// with status 200 and Content-Type application/json (WriteAck writes all
// three); KTPay resends a notification answered any other way.
const Ack = `{"status":"ok"}`

// WriteAck writes KTPay's expected answer: 200, application/json,
// {"status":"ok"}.
func WriteAck(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, Ack)
}

// NotificationHandler is the http.Handler for callback_post_url. It checks
// the URL token in constant time, bounds and decodes the body, cross-checks
// transaction_hash and amount against the merchant's record (Expect),
// reports each final
// status once (however often KTPay retries), and answers {"status":"ok"}
// to every notification it accepts, final or not. A forged token, an unknown
// order or a mismatch is refused (403, 404, 409) and reported to nobody.
// What is reported once is the final verdict of a transaction (paid, or
// failed for error and denied alike). A final notification is acknowledged
// only once Report has taken it (now or on an earlier delivery); a delivery
// that arrives while another delivery of it is being reported waits up to
// Wait and is otherwise answered 503 with Retry-After, so that KTPay
// delivers it again. Once reported, the verdict (the final status and the
// transaction hash) is recorded by order_id in the Client's Config.Claims,
// where CreatePaymentOnce and Settle on every replica read it; a delivery
// that cannot record it is not acknowledged.
type NotificationHandler struct {
	Client *Client
	// Expect looks up the merchant's own record of n.OrderID (already
	// checked against the URL token) and returns what the notification must
	// carry. An error (an unknown order) answers 404 and reports nothing; an
	// incomplete Expectation answers 500. Required.
	Expect func(ctx context.Context, n *Notification) (Expectation, error)
	// Report receives each final notification once; an error makes KTPay
	// deliver it again. Its context ends with the Lease.
	Report func(ctx context.Context, n *Notification) error
	// Store deduplicates reports (default: in memory, 100 000 keys, 72 h).
	// Several replicas need a shared one: NewSQLStore.
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
	if h.Client == nil || h.Expect == nil || h.Report == nil {
		http.Error(w, "handler not configured", http.StatusInternalServerError)
		return
	}
	orderID, err := h.Client.VerifyCallbackToken(r)
	if err != nil {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxNotificationBytes)
	n, err := ParseNotification(r)
	if err != nil {
		http.Error(w, "bad notification", http.StatusBadRequest)
		return
	}
	if n.OrderID != orderID {
		http.Error(w, "order mismatch", http.StatusConflict)
		return
	}
	rec, err := h.Expect(r.Context(), n)
	if err != nil {
		http.Error(w, "unknown order", http.StatusNotFound)
		return
	}
	if err := rec.Validate(); err != nil {
		http.Error(w, "handler misconfigured: incomplete expectation", http.StatusInternalServerError)
		return
	}
	if !secret.Equal(rec.TransactionHash, n.TransactionHash) || !rec.Amount.Equal(n.Amount) {
		http.Error(w, "notification does not match the order", http.StatusConflict)
		return
	}
	if n.Final() {
		if err := h.reportOnce(r.Context(), n); err != nil {
			if errors.Is(err, claims.ErrBusy) {
				w.Header().Set("Retry-After", dedup.RetryAfter(err))
				http.Error(w, "being recorded; deliver again", http.StatusServiceUnavailable)
				return
			}
			http.Error(w, "not recorded", http.StatusInternalServerError)
			return
		}
		// Reported: keep the verdict for CreatePaymentOnce and Settle (on
		// every delivery; the first verdict stays).
		if err := h.Client.recordVerdict(r.Context(), n); err != nil {
			if errors.Is(err, claims.ErrBusy) {
				w.Header().Set("Retry-After", "1")
				http.Error(w, "being recorded; deliver again", http.StatusServiceUnavailable)
				return
			}
			http.Error(w, "not recorded", http.StatusInternalServerError)
			return
		}
	}
	WriteAck(w)
}

func (h *NotificationHandler) reportOnce(ctx context.Context, n *Notification) error {
	// The merchant's fact: paid, or failed (error and denied alike).
	verdict := "failed"
	if n.Paid() {
		verdict = "paid"
	}
	key := "ktwidget:" + n.TransactionHash + ":" + verdict
	return dedup.Report(ctx, h.fallback.Or(h.Store), key, h.Lease, h.Wait, func(ctx context.Context) error { return h.Report(ctx, n) })
}

func isInvalid(err error) bool { return errors.Is(err, ErrInvalidCallback) }
