package flexiti

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Sentinels callers branch on with errors.Is. They are the same values in
// every paywidget-go provider package, so errors.Is(err, ErrOutcomeUnknown)
// holds for an outcome-unknown error of any provider; what to do with this
// provider is said in the text of the errors that match it.
var (
	// ErrOutcomeUnknown: an authorization, capture, release, return or
	// refund may or may not have happened. Reconcile (FindAuthorization by
	// reference, GetAuthorization) before doing anything else.
	ErrOutcomeUnknown = httpx.OutcomeSentinel(provider, "reconcile with FindAuthorization (by reference) or GetAuthorization before anything else; never send it again")
	// ErrInvalidToken: 401 invalid_token (after one refresh).
	ErrInvalidToken = httpx.ErrUnauthorized
	// ErrUnauthorized is ErrInvalidToken under its shared name.
	ErrUnauthorized = httpx.ErrUnauthorized
	// ErrRateLimited: 429.
	ErrRateLimited = httpx.ErrRateLimited
	// ErrInvalidRequest: the request broke a documented rule and was not sent.
	ErrInvalidRequest = httpx.ErrInvalidRequest
	// ErrMalformedResponse: a reply or widget event could not be decoded.
	ErrMalformedResponse = httpx.ErrMalformedResponse
	// ErrResponseTooLarge: a reply exceeded the configured bound.
	ErrResponseTooLarge = httpx.ErrResponseTooLarge

	ErrInsufficientScope        = errors.New("flexiti: insufficient scope")
	ErrBlocked                  = errors.New("flexiti: blocked by the firewall")
	ErrCreditExceeded           = errors.New("flexiti: credit exceeded")
	ErrCustomerIdentityNotFound = errors.New("flexiti: customer did not pass the widget")
	ErrApplicationDeclined      = errors.New("flexiti: application declined")
	ErrApplicationPending       = errors.New("flexiti: application pending")
	ErrWrongInputs              = errors.New("flexiti: wrong inputs")
	ErrNotFound                 = errors.New("flexiti: not found")
	ErrReturnDateExceeded       = errors.New("flexiti: capture older than 100 days; use Refund")
	ErrNotVerified              = errors.New("flexiti: not verified")
)

// FieldError is one entry of field_errors: the parameter Flexiti refused
// and why. It is an error, for merchants who collect them.
type FieldError struct {
	Param string `json:"param"`
	Msg   string `json:"msg"`
}

func (f FieldError) Error() string {
	return "flexiti: " + trunc(f.Param, 40) + ": " + trunc(f.Msg, 60)
}

// APIError is Flexiti's error reply: {url, message, error, field_errors}
// (or the OAuth {error, error_description}). 409 carries most business
// errors.
//
// A 403, 404 or 465–467 without the envelope is an APIError too (Flexiti
// documents them); any other non-2xx reply without it is a *StatusError.
type APIError struct {
	// HTTPStatus is the reply's HTTP status.
	HTTPStatus int
	// Code is the envelope's error member ("credit_exceeded").
	Code string
	// Message is message, or the OAuth error_description.
	Message string
	// RequestID is the reply's request id header, when it sent one.
	RequestID string
	// RetryAfter is the reply's Retry-After hint, zero when it gave none.
	RetryAfter time.Duration
	// URL is the envelope's url member: the path the error is about.
	URL string
	// FieldErrors are the envelope's field_errors.
	FieldErrors []FieldError
}

func (e *APIError) Error() string {
	s := "flexiti: " + strconv.Itoa(e.HTTPStatus)
	if e.Code != "" {
		s += " " + trunc(e.Code, 60)
	}
	if e.Message != "" {
		s += ": " + trunc(e.Message, 200)
	}
	for i, f := range e.FieldErrors {
		if i == 3 {
			s += " …"
			break
		}
		s += " [" + trunc(f.Param, 40) + ": " + trunc(f.Msg, 60) + "]"
	}
	return s
}

// Unwrap maps the documented codes and statuses to sentinels.
func (e *APIError) Unwrap() error {
	switch {
	case e.Code == "credit_exceeded" || e.Code == "not_enough_credit":
		return ErrCreditExceeded
	case e.Code == "customer_identity_not_found":
		return ErrCustomerIdentityNotFound
	case strings.HasPrefix(e.Code, "application_declined"):
		return ErrApplicationDeclined
	case strings.HasPrefix(e.Code, "application_marked_pending"):
		return ErrApplicationPending
	case e.Code == "wrong_input" || e.Code == "wrong_inputs":
		return ErrWrongInputs
	case e.Code == "return_date_exceeded":
		return ErrReturnDateExceeded
	case e.Code == "not_verified":
		return ErrNotVerified
	case e.HTTPStatus == 403:
		return ErrInsufficientScope
	case e.HTTPStatus >= 465 && e.HTTPStatus <= 467:
		return ErrBlocked
	case e.HTTPStatus == 404:
		return ErrNotFound
	}
	return httpx.StatusSentinel(e.HTTPStatus)
}

// documentedStatus reports a status Flexiti gives a meaning of its own even
// without its envelope: 403 (scope), 404 and the firewall's 465–467.
func documentedStatus(status int) bool {
	return status == 403 || status == 404 || status >= 465 && status <= 467
}

func decodeError(r *httpx.Response) error {
	if r.StatusCode >= 200 && r.StatusCode <= 299 {
		return nil
	}
	var body struct {
		URL              string          `json:"url"`
		Message          string          `json:"message"`
		Error            string          `json:"error"`
		ErrorDescription string          `json:"error_description"`
		FieldErrors      json.RawMessage `json:"field_errors"`
	}
	envelope := json.Unmarshal(r.Body, &body) == nil && (body.Error != "" || body.Message != "" || body.ErrorDescription != "" || body.URL != "" || body.FieldErrors != nil)
	if !envelope && !documentedStatus(r.StatusCode) {
		return nil // no envelope: httpx makes it a *StatusError
	}
	e := &APIError{HTTPStatus: r.StatusCode, RequestID: r.RequestID}
	e.RetryAfter, _ = r.RetryAfter()
	{
		e.Code, e.Message, e.URL = body.Error, body.Message, body.URL
		if e.Message == "" {
			e.Message = body.ErrorDescription
		}
		_ = json.Unmarshal(body.FieldErrors, &e.FieldErrors)
	}
	return e
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
