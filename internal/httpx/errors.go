package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrOutcomeUnknown marks a money-moving call whose request may have reached
// the provider but whose answer was lost or unusable: a reset after the request
// was written, a response timeout, a truncated or oversized reply, a 408 or a
// 5xx. The payment may or may not exist. Query it by the merchant's own order
// reference before doing anything else; never simply send it again.
//
// It is one value for every provider: each provider package re-exports it as
// its own ErrOutcomeUnknown, so errors.Is(err, finrota.ErrOutcomeUnknown)
// holds for an outcome-unknown error of any provider. What that provider's
// merchant can do is registered with OutcomeSentinel and said in the text of
// the errors httpx builds for it.
var ErrOutcomeUnknown = errors.New("outcome unknown — query before retrying")

// outcomeSentinel is one provider's outcome-unknown text and advice; it
// matches ErrOutcomeUnknown.
type outcomeSentinel struct{ msg, advice string }

func (e *outcomeSentinel) Error() string { return e.msg }

// Is makes a provider's sentinel match the shared ErrOutcomeUnknown.
func (e *outcomeSentinel) Is(target error) bool { return target == ErrOutcomeUnknown }

var sentinels sync.Map // provider name → *outcomeSentinel

// OutcomeSentinel registers the advice of one provider, what its merchant can
// do about an outcome-unknown error (query by reference, wait for the
// notification, …), and returns ErrOutcomeUnknown itself: the provider's
// exported sentinel is the one shared value. Errors httpx builds for the
// provider read "<provider>: … outcome unknown — <advice>" and match
// ErrOutcomeUnknown. The advice is also the default of a call that gives
// none of its own (Request.Unknown). Call it once per provider, from a
// package-level var.
func OutcomeSentinel(provider, advice string) error {
	sentinels.Store(provider, &outcomeSentinel{msg: provider + ": outcome unknown — " + advice, advice: advice})
	return ErrOutcomeUnknown
}

// OutcomeAdvice is the outcome-unknown text registered for provider
// ("<provider>: outcome unknown — <advice>"), or ErrOutcomeUnknown's own text.
func OutcomeAdvice(provider string) string { return sentinelFor(provider).Error() }

// sentinelFor is the provider's ErrOutcomeUnknown, or the shared one.
func sentinelFor(provider string) error {
	if e, ok := sentinels.Load(provider); ok {
		return e.(error)
	}
	return ErrOutcomeUnknown
}

// adviceFor is what to do after an outcome-unknown failure of one call: the
// call's own advice, else the provider's, else the shared one.
func adviceFor(provider, advice string) string {
	if advice != "" {
		return advice
	}
	if e, ok := sentinels.Load(provider); ok {
		return e.(*outcomeSentinel).advice
	}
	return "query before retrying"
}

// unknownText is the middle of every outcome-unknown message.
func unknownText(provider, advice string) string {
	return "outcome unknown — " + adviceFor(provider, advice)
}

// withoutPrefix drops a leading "<provider>: " from an inner error's text, so
// that a wrapped provider error does not repeat the provider's name.
func withoutPrefix(provider, msg string) string {
	return strings.TrimPrefix(msg, provider+": ")
}

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

// ErrPaymentFailed is matched by a provider's *PaymentError: the provider
// answered that the payment (or refund) failed, so nothing was charged.
var ErrPaymentFailed = errors.New("payment failed")

// ErrInvalidCallback is matched when a provider's callback or notification
// is refused as not genuine or not well-formed: a forged or missing URL
// token, a body that is not a callback. One value in every provider package.
var ErrInvalidCallback = errors.New("invalid callback")

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
	// Advice says what to do when OutcomeUnknown is set: the failed call's
	// own (look the checkout up, query the refund, …); empty selects the
	// provider's.
	Advice string
	Err    error
}

func (e *TransportError) Error() string {
	msg := fmt.Sprintf("%s: %s %s%s", e.Provider, e.Method, e.Host, e.Path)
	if e.OutcomeUnknown {
		msg += ": " + unknownText(e.Provider, e.Advice)
	}
	if e.Err == nil {
		return msg
	}
	return msg + ": " + withoutPrefix(e.Provider, transportText(e.Err))
}

// Unwrap exposes the cause and, for an ambiguous money call, ErrOutcomeUnknown.
func (e *TransportError) Unwrap() []error {
	if e.OutcomeUnknown {
		return []error{sentinelFor(e.Provider), e.Err}
	}
	if e.Err == nil {
		return nil
	}
	return []error{e.Err}
}

// StatusError is the default error for a non-2xx reply when the provider's own
// envelope decoder did not claim it. Body is a bounded copy of the reply for
// diagnostics; Error() never includes it. Error() names the method and path
// of the call (never its query string, which may carry identifiers).
type StatusError struct {
	Provider string
	Method   string
	Path     string
	// HTTPStatus is the reply's HTTP status, named as in every provider's
	// APIError.
	HTTPStatus int
	RequestID  string
	// RetryAfter is the server's Retry-After hint, if it gave one.
	RetryAfter time.Duration
	// Body is at most 4 KiB of the reply; it prints as its size only.
	Body RawBody
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s: HTTP %d %s", e.Provider, e.HTTPStatus, http.StatusText(e.HTTPStatus))
	if e.Method != "" || e.Path != "" {
		s = fmt.Sprintf("%s: %s %s: HTTP %d %s", e.Provider, e.Method, e.Path, e.HTTPStatus, http.StatusText(e.HTTPStatus))
	}
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// Unwrap lets errors.Is match ErrUnauthorized and ErrRateLimited.
func (e *StatusError) Unwrap() error { return StatusSentinel(e.HTTPStatus) }

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
// an ambiguous status (408 or 5xx) or an unusable reply: the typed error stays
// reachable with errors.As and ErrOutcomeUnknown with errors.Is. Its text is
// "<provider>: [<method> <path>: ]outcome unknown — <advice>: <cause>", the
// provider named once.
type outcomeUnknownError struct {
	provider, method, path, advice string
	sentinel, err                  error
}

func (e *outcomeUnknownError) Error() string {
	s := e.provider + ": "
	if e.method != "" {
		s += e.method + " " + e.path + ": "
	}
	s += unknownText(e.provider, e.advice)
	if e.err != nil {
		inner := withoutPrefix(e.provider, e.err.Error())
		if e.method != "" {
			inner = strings.TrimPrefix(inner, e.method+" "+e.path+": ")
		}
		s += ": " + inner
	}
	return s
}

func (e *outcomeUnknownError) Unwrap() []error { return []error{e.sentinel, e.err} }

// OutcomeUnknown marks err as the failure of a money-moving call whose request
// reached the provider: a 2xx reply that cannot be decoded, for example. The
// result matches ErrOutcomeUnknown and still unwraps to err. A nil err stays
// nil, and an err that already matches ErrOutcomeUnknown is returned as is.
// The result also matches provider's own sentinel (see OutcomeSentinel); its
// text gives the provider's advice (see OutcomeUnknownAdvice for a call's).
func OutcomeUnknown(provider string, err error) error {
	return OutcomeUnknownAdvice(provider, "", err)
}

// OutcomeUnknownAdvice is OutcomeUnknown with the failed call's own advice
// (what to look up before anything else); empty selects the provider's.
func OutcomeUnknownAdvice(provider, advice string, err error) error {
	if err == nil || errors.Is(err, ErrOutcomeUnknown) {
		return err
	}
	return &outcomeUnknownError{provider: provider, advice: advice, sentinel: sentinelFor(provider), err: err}
}

// ValidationError says which field of a request broke which rule. It is
// returned before anything is sent and matches ErrInvalidRequest.
type ValidationError struct {
	// Provider is the provider package's name ("odero", "iotpay", …).
	Provider string
	// Field is the Go field, with its path for nested values
	// ("Items[1].Price"), or the argument's name.
	Field string
	// Wire is the field's name on the wire ("items[1].price"), empty when
	// it has none. Error shows it beside Field unless the two are equal:
	// "iotpay: MchOrderNo (mchOrderNo): longer than 30 characters".
	Wire string
	// Rule is what the value broke; "required" when it was missing.
	Rule string
}

func (e *ValidationError) Error() string {
	if e.Wire != "" && e.Wire != e.Field {
		return e.Provider + ": " + e.Field + " (" + e.Wire + "): " + e.Rule
	}
	return e.Provider + ": " + e.Field + ": " + e.Rule
}

// Unwrap lets errors.Is(err, ErrInvalidRequest) hold.
func (e *ValidationError) Unwrap() error { return ErrInvalidRequest }

// Invalid builds a ValidationError.
func Invalid(provider, field, rule string) *ValidationError {
	return &ValidationError{Provider: provider, Field: field, Rule: rule}
}

// InvalidField builds a ValidationError for the Go field whose wire name is
// wire.
func InvalidField(provider, field, wire, rule string) *ValidationError {
	return &ValidationError{Provider: provider, Field: field, Wire: wire, Rule: rule}
}

// DecodeError says a reply could not be decoded. Its message names the Go type
// that was expected and the decoder's complaint, never the body.
type DecodeError struct {
	Provider string
	Into     string
	Err      error
}

func (e *DecodeError) Error() string {
	s := e.Provider + ": " + ErrMalformedResponse.Error() + " (decoding " + e.Into + ")"
	if e.Err == nil {
		return s
	}
	return s + ": " + e.Err.Error()
}

// Unwrap exposes ErrMalformedResponse and the decoder's error.
func (e *DecodeError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrMalformedResponse}
	}
	return []error{ErrMalformedResponse, e.Err}
}

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

// transportText is the message of a transport failure without the advice
// Go's transport gives its own caller: HTTP/2's "cannot retry err [X] after
// Request.Body was written; define Request.GetBody to avoid this error" is
// X, since not resending a money call is this package's decision, not a bug
// the merchant should fix.
func transportText(err error) string {
	msg := err.Error()
	const pre, post = "cannot retry err [", "] after Request.Body was written"
	if i := strings.Index(msg, pre); i >= 0 {
		if j := strings.LastIndex(msg, post); j > i+len(pre) {
			msg = msg[:i] + msg[i+len(pre):j] + msg[j+len(post):]
		}
	}
	if i := strings.Index(msg, "; define Request.GetBody"); i >= 0 {
		rest := msg[i+len("; define Request.GetBody"):]
		end := strings.IndexAny(rest, ";:")
		if end < 0 {
			rest = ""
		} else {
			rest = rest[end:]
		}
		msg = msg[:i] + rest
	}
	return strings.ReplaceAll(msg, "http2: Transport: ", "")
}

// OutcomeUnknown marks err as the outcome-unknown failure of the money call
// r, after its request reached the provider (a 2xx reply that cannot be
// decoded, say): as the package-level OutcomeUnknown, with r's method, path
// and advice (Request.Unknown) in the text.
func (r *Request) OutcomeUnknown(provider string, err error) error {
	if err == nil || errors.Is(err, ErrOutcomeUnknown) {
		return err
	}
	return &outcomeUnknownError{provider: provider, method: r.Method, path: r.Path, advice: r.Unknown, sentinel: sentinelFor(provider), err: err}
}
