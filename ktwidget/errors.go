package ktwidget

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Sentinels callers branch on with errors.Is. They are the same values in
// every paywidget-go provider package, so errors.Is(err, ErrOutcomeUnknown)
// holds for an outcome-unknown error of any provider; what to do with this
// provider is said in the text of the errors that match it.
var (
	// ErrOutcomeUnknown: the payment may or may not have been created. KTPay
	// has no status query: wait for the notification for this order_id, and
	// never create the same order_id again.
	ErrOutcomeUnknown = httpx.OutcomeSentinel(provider, "KTPay has no status query: wait for the notification to this order's callback URL (or ask KTPay support); never create the same order_id again")
	// ErrUnauthorized: the app id was refused (4010103) or HTTP 401.
	ErrUnauthorized = httpx.ErrUnauthorized
	// ErrRateLimited: KTPay answered 429.
	ErrRateLimited = httpx.ErrRateLimited
	// ErrInvalidRequest: the request broke a documented rule and was not sent.
	ErrInvalidRequest = httpx.ErrInvalidRequest
	// ErrMalformedResponse: a reply or notification could not be decoded.
	ErrMalformedResponse = httpx.ErrMalformedResponse
	// ErrResponseTooLarge: a reply exceeded the configured bound.
	ErrResponseTooLarge = httpx.ErrResponseTooLarge
	// ErrKeyExpired: KTPay's public key expired (4220104); ask KTPay support
	// for the new one and install it with SetPublicKey.
	ErrKeyExpired = errors.New("ktwidget: public key expired")
	// ErrRejected: KTPay refused the order's data (4220xxx): a client bug or
	// an invalid order, not worth retrying.
	ErrRejected = errors.New("ktwidget: order rejected")
)

// KTPay's documented error codes.
const (
	CodeInternal          = 5000001
	CodeCreateFailed      = 5000105
	CodeUnknownApp        = 4010103
	CodeValidation        = 4220002
	CodeBadData           = 4220101
	CodeWrongEncryption   = 4220102
	CodeValidationDetails = 4220103
	CodeKeyExpired        = 4220104
)

// APIError is KTPay's error envelope, in whichever documented shape it
// came, or a 2xx reply whose success is false. A non-2xx reply without the
// envelope is a *StatusError.
type APIError struct {
	// HTTPStatus is the reply's HTTP status (KTPay documents none; errors
	// often come with 200).
	HTTPStatus int
	// Code is error.code, KTPay's numeric code (CodeValidation, …); zero
	// when the reply had none.
	Code int
	// Message is Messages joined with "; ".
	Message string
	// RequestID is the reply's request id header, when it sent one.
	RequestID string
	// RetryAfter is KTPay's Retry-After hint on a 429, zero when it sent
	// none.
	RetryAfter time.Duration
	// Messages are the texts of error.messages (a map or a list on the wire)
	// and error.message.
	Messages []string
	// Hint is error.hint.
	Hint string
}

func (e *APIError) Error() string {
	var s string
	switch {
	case e.HTTPStatus == http.StatusTooManyRequests && e.RetryAfter > 0:
		s = "ktwidget: rate limited (HTTP 429): try again in " + e.RetryAfter.String()
	case e.HTTPStatus == http.StatusTooManyRequests:
		s = "ktwidget: rate limited (HTTP 429): try again later, after a pause (KTPay gave no Retry-After)"
	default:
		s = "ktwidget: " + strconv.Itoa(e.HTTPStatus) + " error " + strconv.Itoa(e.Code)
	}
	if e.HTTPStatus == http.StatusTooManyRequests && e.Code != 0 {
		s += " (error " + strconv.Itoa(e.Code) + ")"
	}
	if m := e.Message; m != "" {
		if len(m) > 200 {
			m = m[:200] + "…"
		}
		s += ": " + m
	}
	return s
}

// Unwrap maps codes to sentinels: 4220104 ErrKeyExpired, 4010103
// ErrUnauthorized, other 422xxxx ErrRejected; else by HTTP status.
func (e *APIError) Unwrap() error {
	switch {
	case e.Code == CodeKeyExpired:
		return ErrKeyExpired
	case e.Code == CodeUnknownApp:
		return ErrUnauthorized
	case e.Code/10000 == 422:
		return ErrRejected
	}
	return httpx.StatusSentinel(e.HTTPStatus)
}

// serverSide reports a 5xxxxxx code: KTPay failed while handling the call.
func (e *APIError) serverSide() bool { return e.Code/1000000 == 5 }

// reply is every documented envelope at once: success and data at the top
// level or under response; error as an object, or PHP's [] when empty.
type reply struct {
	Success  *bool           `json:"success"`
	Data     json.RawMessage `json:"data"`
	Error    json.RawMessage `json:"error"`
	Response *struct {
		Success *bool           `json:"success"`
		Data    json.RawMessage `json:"data"`
	} `json:"response"`
}

type errorBody struct {
	Code     flexInt         `json:"code"`
	Messages json.RawMessage `json:"messages"`
	Message  string          `json:"message"`
	Hint     string          `json:"hint"`
}

// decodeError finds KTPay's error in a reply of any HTTP status.
func decodeError(r *httpx.Response) error {
	var wait time.Duration
	if r.StatusCode == http.StatusTooManyRequests {
		wait, _ = r.RetryAfter()
	}
	var rep reply
	if err := json.Unmarshal(r.Body, &rep); err != nil {
		// Not KTPay's envelope: a non-2xx becomes httpx's *StatusError; a
		// 2xx is decoded (and refused) by the caller.
		return nil
	}
	success := rep.Success
	if rep.Response != nil && rep.Response.Success != nil {
		success = rep.Response.Success
	}
	if e := errorObject(rep.Error); e != nil {
		msgs := messages(e)
		return &APIError{HTTPStatus: r.StatusCode, Code: int(e.Code), Message: strings.Join(msgs, "; "), Messages: msgs, Hint: e.Hint, RequestID: r.RequestID, RetryAfter: wait}
	}
	if success != nil && !*success {
		return &APIError{HTTPStatus: r.StatusCode, RequestID: r.RequestID, RetryAfter: wait}
	}
	return nil // a non-2xx without the envelope: httpx makes it a *StatusError
}

// errorObject decodes error unless it is absent, null or an empty array.
func errorObject(raw json.RawMessage) *errorBody {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '{' {
		return nil
	}
	var e errorBody
	if json.Unmarshal(t, &e) != nil {
		return &errorBody{}
	}
	return &e
}

// messages flattens error.messages (map, list or string) and message.
func messages(e *errorBody) []string {
	var out []string
	var asMap map[string]any
	var asList []any
	var asString string
	switch {
	case json.Unmarshal(e.Messages, &asMap) == nil:
		keys := make([]string, 0, len(asMap))
		for k := range asMap {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, flatten(asMap[k])...)
		}
	case json.Unmarshal(e.Messages, &asList) == nil:
		for _, v := range asList {
			out = append(out, flatten(v)...)
		}
	case json.Unmarshal(e.Messages, &asString) == nil && asString != "":
		out = append(out, asString)
	}
	if e.Message != "" {
		out = append(out, e.Message)
	}
	return out
}

func flatten(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, y := range x {
			out = append(out, flatten(y)...)
		}
		return out
	case nil:
		return nil
	}
	b, _ := json.Marshal(v)
	return []string{string(b)}
}

// flexInt decodes a number or a numeric string.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return err
	}
	*f = flexInt(n)
	return nil
}
