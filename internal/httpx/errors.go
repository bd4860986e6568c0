package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// ErrOutcomeUnknown marks a money-moving call whose request may have reached
// the provider but whose answer was lost or unusable: a reset after the request
// was written, a response timeout, a truncated or oversized reply, a 408 or a
// 5xx. The payment may or may not exist. Query it by the merchant's own order
// reference before doing anything else; never simply send it again.
var ErrOutcomeUnknown = errors.New("outcome unknown — query before retrying")

// ErrUnauthorized is matched by errors for HTTP 401 replies: the credentials or
// bearer token were refused and nothing was processed.
var ErrUnauthorized = errors.New("unauthorized")

// ErrRateLimited is matched by errors for HTTP 429 replies.
var ErrRateLimited = errors.New("rate limited")

// ErrResponseTooLarge is matched when a reply is larger than the configured
// bound (1 MiB by default). The SDK stops reading rather than buffering it.
var ErrResponseTooLarge = errors.New("response body too large")

// ErrMalformedResponse is matched when a reply cannot be decoded.
var ErrMalformedResponse = errors.New("malformed response")

// ErrInvalidRequest is matched by every validation error: the request was
// refused before anything was sent.
var ErrInvalidRequest = errors.New("invalid request")

// TransportError is a failure below HTTP: DNS, dial, TLS, reset, timeout, or a
// body that could not be read. Its message names the method, host and path,
// never the query string, headers or body.
type TransportError struct {
	Provider string
	Method   string
	Host     string
	Path     string
	Attempts int
	// Sent reports whether the request may have reached the provider. It is
	// false only when every attempt failed before a connection was made or
	// was refused by an HTTP/2 server unprocessed (REFUSED_STREAM, or a
	// GOAWAY below the stream).
	Sent bool
	// OutcomeUnknown is set for a money-moving call that may have been
	// processed; errors.Is(err, ErrOutcomeUnknown) then holds.
	OutcomeUnknown bool
	Err            error
}

func (e *TransportError) Error() string {
	msg := fmt.Sprintf("%s: %s %s%s", e.Provider, e.Method, e.Host, e.Path)
	if e.OutcomeUnknown {
		msg += ": " + ErrOutcomeUnknown.Error()
	}
	return msg + ": " + e.Err.Error()
}

// Unwrap exposes the cause and, for an ambiguous money call, ErrOutcomeUnknown.
func (e *TransportError) Unwrap() []error {
	if e.OutcomeUnknown {
		return []error{ErrOutcomeUnknown, e.Err}
	}
	return []error{e.Err}
}

// StatusError is the default error for a non-2xx reply when the provider's own
// envelope decoder did not claim it. Body is a bounded copy of the reply for
// diagnostics; Error() never includes it.
type StatusError struct {
	Provider   string
	StatusCode int
	RequestID  string
	// RetryAfter is the server's Retry-After hint, if it gave one.
	RetryAfter time.Duration
	Body       []byte
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s: HTTP %d %s", e.Provider, e.StatusCode, http.StatusText(e.StatusCode))
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// Unwrap lets errors.Is match ErrUnauthorized and ErrRateLimited.
func (e *StatusError) Unwrap() error { return StatusSentinel(e.StatusCode) }

// StatusSentinel returns the sentinel an HTTP status stands for
// (ErrUnauthorized for 401, ErrRateLimited for 429) or nil. Provider error
// types return it from Unwrap so that callers branch the same way everywhere.
func StatusSentinel(status int) error {
	switch status {
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusTooManyRequests:
		return ErrRateLimited
	}
	return nil
}

// outcomeUnknownError wraps a provider's typed error for a money call that got
// an ambiguous status (408 or 5xx): the typed error stays reachable with
// errors.As and ErrOutcomeUnknown with errors.Is.
type outcomeUnknownError struct{ err error }

func (e *outcomeUnknownError) Error() string {
	return ErrOutcomeUnknown.Error() + ": " + e.err.Error()
}

func (e *outcomeUnknownError) Unwrap() []error { return []error{ErrOutcomeUnknown, e.err} }

// OutcomeUnknown marks err as the failure of a money-moving call whose request
// reached the provider: a 2xx reply that cannot be decoded, for example. The
// result matches ErrOutcomeUnknown and still unwraps to err. A nil err stays
// nil, and an err that already matches ErrOutcomeUnknown is returned as is.
func OutcomeUnknown(err error) error {
	if err == nil || errors.Is(err, ErrOutcomeUnknown) {
		return err
	}
	return &outcomeUnknownError{err: err}
}

// ValidationError says which field of a request broke which rule. It is
// returned before anything is sent and matches ErrInvalidRequest.
type ValidationError struct {
	Provider string
	Field    string
	Rule     string
}

func (e *ValidationError) Error() string {
	return e.Provider + ": " + e.Field + ": " + e.Rule
}

// Unwrap lets errors.Is(err, ErrInvalidRequest) hold.
func (e *ValidationError) Unwrap() error { return ErrInvalidRequest }

// Invalid builds a ValidationError.
func Invalid(provider, field, rule string) *ValidationError {
	return &ValidationError{Provider: provider, Field: field, Rule: rule}
}

// DecodeError says a reply could not be decoded. Its message names the Go type
// that was expected and the decoder's complaint, never the body.
type DecodeError struct {
	Provider string
	Into     string
	Err      error
}

func (e *DecodeError) Error() string {
	return e.Provider + ": " + ErrMalformedResponse.Error() + " (decoding " + e.Into + "): " + e.Err.Error()
}

// Unwrap exposes ErrMalformedResponse and the decoder's error.
func (e *DecodeError) Unwrap() []error { return []error{ErrMalformedResponse, e.Err} }

func parseRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}
