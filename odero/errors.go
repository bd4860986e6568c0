package odero

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Sentinels callers branch on with errors.Is. They are the same values in
// every paywidget-go provider package, so errors.Is(err, ErrOutcomeUnknown)
// holds for an outcome-unknown error of any provider; what to do with this
// provider is said in the text of the errors that match it.
var (
	// ErrOutcomeUnknown: a checkout init or refund may or may not have been
	// created. Query it (RetrieveCheckout, GetRefund…) before doing anything
	// else; never simply send it again.
	ErrOutcomeUnknown = httpx.OutcomeSentinel(provider, "never resend it: a lost checkout init moves no money (start a new checkout); look a refund up first (GetRefund, GetRefundTransaction or the dashboard)")
	// ErrUnauthorized: the API key or signature was refused.
	ErrUnauthorized = httpx.ErrUnauthorized
	// ErrRateLimited: the gateway answered 429.
	ErrRateLimited = httpx.ErrRateLimited
	// ErrInvalidRequest: the request broke a documented rule and was not sent.
	ErrInvalidRequest = httpx.ErrInvalidRequest
	// ErrMalformedResponse: a reply or callback could not be decoded.
	ErrMalformedResponse = httpx.ErrMalformedResponse
	// ErrResponseTooLarge: a reply exceeded the configured bound.
	ErrResponseTooLarge = httpx.ErrResponseTooLarge
	// ErrPaymentFailed is matched by *PaymentError: the payment or refund
	// failed at the gateway.
	ErrPaymentFailed = httpx.ErrPaymentFailed
)

// ErrorGroup is the standard bank/payment code name OderoPay puts in
// errorGroup; the documentation says to key payment-error handling on it.
// Unknown groups are kept as they arrive.
type ErrorGroup string

// Error groups the documentation lists (the full table is not published;
// any other group arrives unchanged).
const (
	GroupNotSufficientFunds ErrorGroup = "NOT_SUFFICIENT_FUNDS" // 10051
	GroupDoNotHonour        ErrorGroup = "DO_NOT_HONOUR"        // 10005
	GroupInvalidTransaction ErrorGroup = "INVALID_TRANSACTION"  // 10012
	GroupLostCard           ErrorGroup = "LOST_CARD"            // 10041
	GroupStolenCard         ErrorGroup = "STOLEN_CARD"          // 10043
)

// APIError is OderoPay's {"errors": {errorCode, errorDescription,
// errorGroup}} envelope, returned whatever the HTTP status (the gateway
// answers errors with 200 too).
type APIError struct {
	// HTTPStatus is the status the envelope came with.
	HTTPStatus int
	// Code is errorCode, e.g. "10051".
	Code string
	// Message is errorDescription, often in Turkish.
	Message string
	// RequestID is the gateway's request id header, if any.
	RequestID string
	// RetryAfter is the reply's Retry-After hint, zero when it gave none.
	RetryAfter time.Duration
	// Group is errorGroup, present for payment errors.
	Group ErrorGroup
}

func (e *APIError) Error() string {
	s := "odero: " + strconv.Itoa(e.HTTPStatus) + " error " + e.Code
	if e.Group != "" {
		s += " (" + string(e.Group) + ")"
	}
	if e.Message != "" {
		s += ": " + truncate(e.Message, 200)
	}
	return s
}

// Unwrap maps 401 and 429 to ErrUnauthorized and ErrRateLimited.
func (e *APIError) Unwrap() error { return httpx.StatusSentinel(e.HTTPStatus) }

// apiErrorBody is the errors object on the wire. errorCode is a string in the
// documentation; a number is accepted too.
type apiErrorBody struct {
	ErrorCode        flexString `json:"errorCode"`
	ErrorDescription string     `json:"errorDescription"`
	ErrorGroup       string     `json:"errorGroup"`
}

// decodeError claims every reply carrying an errors object, and every
// non-2xx reply, as a typed error.
func (c *Client) decodeError(r *httpx.Response) error {
	if bytes.Contains(r.Body, []byte(`"errors"`)) {
		var env struct {
			Errors *apiErrorBody `json:"errors"`
		}
		if err := json.Unmarshal(r.Body, &env); err == nil && env.Errors != nil {
			e := &APIError{
				HTTPStatus: r.StatusCode,
				Code:       string(env.Errors.ErrorCode),
				Message:    env.Errors.ErrorDescription,
				Group:      ErrorGroup(env.Errors.ErrorGroup),
				RequestID:  r.RequestID,
			}
			e.RetryAfter, _ = r.RetryAfter()
			return e
		}
	}
	return nil // a non-2xx reply without the envelope: httpx makes it a *StatusError
}

// flexString decodes a JSON string or number into its text.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("expected a string or a number")
	}
	*f = flexString(n)
	return nil
}

// truncate shortens s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
