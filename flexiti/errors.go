package flexiti

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Sentinels callers branch on with errors.Is.
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

// FieldError is one entry of field_errors.
type FieldError struct {
	Param string `json:"param"`
	Msg   string `json:"msg"`
}

// APIError is Flexiti's error reply: {url, message, error, field_errors}
// (or the OAuth {error, error_description}). 409 carries most business
// errors.
type APIError struct {
	Status      int
	Code        string
	Message     string
	URL         string
	FieldErrors []FieldError
	RequestID   string
}

func (e *APIError) Error() string {
	s := "flexiti: " + strconv.Itoa(e.Status)
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
	case e.Status == 403:
		return ErrInsufficientScope
	case e.Status >= 465 && e.Status <= 467:
		return ErrBlocked
	case e.Status == 404:
		return ErrNotFound
	}
	return httpx.StatusSentinel(e.Status)
}

func decodeError(r *httpx.Response) error {
	if r.StatusCode >= 200 && r.StatusCode <= 299 {
		return nil
	}
	e := &APIError{Status: r.StatusCode, RequestID: r.RequestID}
	var body struct {
		URL              string          `json:"url"`
		Message          string          `json:"message"`
		Error            string          `json:"error"`
		ErrorDescription string          `json:"error_description"`
		FieldErrors      json.RawMessage `json:"field_errors"`
	}
	if json.Unmarshal(r.Body, &body) == nil {
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
