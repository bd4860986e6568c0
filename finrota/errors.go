package finrota

import (
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
	// ErrOutcomeUnknown: a payment may or may not have been made. Look it up
	// (ListPayments by clientReferenceCode, or Finrota's panel) before doing
	// anything else; never simply send it again.
	ErrOutcomeUnknown = httpx.OutcomeSentinel(provider, "look the payment up by its clientReferenceCode (ListPayments) or in the Finrota panel before anything else; never send it again")
	// ErrUnauthorized: the token or keys were refused (401) even after one
	// refresh.
	ErrUnauthorized = httpx.ErrUnauthorized
	// ErrRateLimited: the endpoint's limit was exceeded (429).
	ErrRateLimited = httpx.ErrRateLimited
	// ErrInvalidRequest: the request broke a documented rule and was not sent.
	ErrInvalidRequest = httpx.ErrInvalidRequest
	// ErrMalformedResponse: a reply could not be decoded.
	ErrMalformedResponse = httpx.ErrMalformedResponse
	// ErrResponseTooLarge: a reply exceeded the configured bound.
	ErrResponseTooLarge = httpx.ErrResponseTooLarge
	// ErrConflict: Finrota answered 409, e.g. a reused clientReferenceCode.
	ErrConflict = errors.New("finrota: conflict")
	// ErrPaymentFailed is matched by *PaymentError: the payment did not
	// happen.
	ErrPaymentFailed = httpx.ErrPaymentFailed
)

// APIError is a non-2xx reply carrying Finrota's error envelope, in
// whichever of its shapes it came ({statusCode, error, message} or
// {statusCode, message, errors}). A non-2xx reply without it is a
// *StatusError.
type APIError struct {
	// HTTPStatus is the reply's HTTP status.
	HTTPStatus int
	// Code is the envelope's error member ("Bad Request"), when it sent one.
	Code string
	// Message is the envelope's message.
	Message string
	// RequestID is the reply's request id header, when it sent one.
	RequestID string
	// RetryAfter is the reply's Retry-After hint, zero when it gave none.
	RetryAfter time.Duration
	// BodyStatusCode is the envelope's own statusCode member, which may
	// differ from HTTPStatus.
	BodyStatusCode int
	// Errors is the reply's errors or exceptions member, as sent; it prints
	// as its size only.
	Errors RawBody
}

func (e *APIError) Error() string {
	s := "finrota: " + strconv.Itoa(e.HTTPStatus)
	if e.Code != "" {
		s += " " + truncate(e.Code, 80)
	}
	if e.Message != "" {
		s += ": " + truncate(e.Message, 200)
	}
	return s
}

// Unwrap maps 401, 409 and 429 to their sentinels.
func (e *APIError) Unwrap() error {
	if e.HTTPStatus == 409 {
		return ErrConflict
	}
	return httpx.StatusSentinel(e.HTTPStatus)
}

// PaymentError is a 2xx payment reply that says it failed (success false or
// a non-empty error). The payment did not happen.
type PaymentError struct {
	OrderID             string
	ClientReferenceCode string
	Message             string
}

func (e *PaymentError) Error() string {
	return "finrota: payment " + e.OrderID + " (" + e.ClientReferenceCode + ") failed: " + truncate(e.Message, 200)
}

// Unwrap lets errors.Is(err, ErrPaymentFailed) hold.
func (e *PaymentError) Unwrap() error { return ErrPaymentFailed }

func decodeError(r *httpx.Response) error {
	if r.StatusCode >= 200 && r.StatusCode <= 299 {
		return nil
	}
	var body struct {
		StatusCode flexInt         `json:"statusCode"`
		Message    string          `json:"message"`
		Error      json.RawMessage `json:"error"`
		Errors     json.RawMessage `json:"errors"`
		Exceptions json.RawMessage `json:"exceptions"`
	}
	if json.Unmarshal(r.Body, &body) != nil || body.StatusCode == 0 && body.Message == "" && body.Error == nil && body.Errors == nil && body.Exceptions == nil {
		return nil // no envelope: httpx makes it a *StatusError
	}
	e := &APIError{HTTPStatus: r.StatusCode, RequestID: r.RequestID}
	e.RetryAfter, _ = r.RetryAfter()
	{
		e.BodyStatusCode, e.Message = int(body.StatusCode), body.Message
		var s string
		if json.Unmarshal(body.Error, &s) == nil {
			e.Code = s
		}
		e.Errors = append(RawBody(nil), body.Errors...)
		if len(e.Errors) == 0 {
			e.Errors = append(RawBody(nil), body.Exceptions...)
		}
		if len(e.Errors) > 4096 {
			e.Errors = nil
		}
	}
	return e
}

type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		var s string
		if json.Unmarshal(b, &s) == nil {
			n = json.Number(s)
		} else {
			return nil
		}
	}
	v, _ := n.Int64()
	*f = flexInt(v)
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
