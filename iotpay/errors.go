package iotpay

import (
	"errors"
	"strconv"
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Sentinels callers branch on with errors.Is. They are the same values in
// every paywidget-go provider package, so errors.Is(err, ErrOutcomeUnknown)
// holds for an outcome-unknown error of any provider; what to do with this
// provider is said in the text of the errors that match it.
var (
	// ErrOutcomeUnknown: a purchase, refund or void may or may not have
	// happened. Query it by mchOrderNo (or the refund's payOrderId) before
	// doing anything else; never simply send it again.
	ErrOutcomeUnknown = httpx.OutcomeSentinel(provider, "query it by mchOrderNo (Query) before anything else; never send it again")
	// ErrUnauthorized: IOTPay answered 401.
	ErrUnauthorized = httpx.ErrUnauthorized
	// ErrRateLimited: IOTPay answered 429.
	ErrRateLimited = httpx.ErrRateLimited
	// ErrInvalidRequest: the request broke a documented rule and was not sent.
	ErrInvalidRequest = httpx.ErrInvalidRequest
	// ErrMalformedResponse: a reply or notification could not be decoded.
	ErrMalformedResponse = httpx.ErrMalformedResponse
	// ErrResponseTooLarge: a reply exceeded the configured bound.
	ErrResponseTooLarge = httpx.ErrResponseTooLarge
)

// APIError is a reply with retCode other than SUCCESS (IOTPay answers them
// with HTTP 200), e.g. retMsg "cardId is not binding". A non-2xx reply
// without IOTPay's envelope is a *StatusError.
type APIError struct {
	// HTTPStatus is the reply's HTTP status (200 for most refusals).
	HTTPStatus int
	// Code is retCode ("FAIL").
	Code string
	// Message is retMsg.
	Message string
	// RequestID is the reply's request id header, when it sent one.
	RequestID string
	// RetryAfter is the reply's Retry-After hint, zero when it gave none.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	msg := e.Message
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return "iotpay: " + strconv.Itoa(e.HTTPStatus) + " " + e.Code + ": " + msg
}

// Unwrap maps 401 and 429 to ErrUnauthorized and ErrRateLimited.
func (e *APIError) Unwrap() error { return httpx.StatusSentinel(e.HTTPStatus) }

func asAPIError(err error, target **APIError) bool { return errors.As(err, target) }

func errMissing(what string) error { return errors.New("reply lacks " + what) }

func itoa(n int) string { return strconv.Itoa(n) }
