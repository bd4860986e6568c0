package flexiti

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// FuzzParseWidgetEvent: a forwarded event decodes or fails with
// ErrMalformedResponse; NextStep always answers.
func FuzzParseWidgetEvent(f *testing.F) {
	f.Add([]byte(`{"eventType":"flx-success","eventData":{"accountNumber":20009100,"verified":true,"action":"purchase"}}`))
	f.Add([]byte(`{"eventType":"flx-failure","eventData":{"error":409,"message":"x"}}`))
	f.Add([]byte(`{"eventType":"flx-cancel"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseWidgetEvent(b)
		if err != nil {
			if !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if NextStep(FlowPurchase, ev) == "" || NextStep(FlowApply, ev) == "" {
			t.Fatal("no step")
		}
	})
}

// FuzzDecodeError: every reply gives nil (2xx, or a non-2xx without the
// envelope, which httpx makes a *StatusError) or an *APIError; the statuses
// Flexiti documents are an *APIError with or without the envelope.
func FuzzDecodeError(f *testing.F) {
	f.Add(409, []byte(`{"url":"/x","message":"m","error":"credit_exceeded","field_errors":[{"param":"a","msg":"b"}]}`))
	f.Add(400, []byte(`{"error":"invalid_client","error_description":"d"}`))
	f.Add(466, []byte(`<html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		err := decodeError(&httpx.Response{StatusCode: status, Body: body})
		if status >= 200 && status <= 299 {
			if err != nil {
				t.Fatal("2xx is not an error")
			}
			return
		}
		if err == nil && !documentedStatus(status) {
			return
		}
		var api *APIError
		if !errors.As(err, &api) || api.Error() == "" {
			t.Fatalf("want *APIError, got %v", err)
		}
	})
}

// FuzzAmountAndID: money and ids in replies decode from a number or a
// string, or fail with an error; a decoded amount writes back as a JSON
// number with two decimals that decodes to the same value.
func FuzzAmountAndID(f *testing.F) {
	f.Add([]byte(`1499.99`))
	f.Add([]byte(`"10.5"`))
	f.Add([]byte(`-0.01`))
	f.Add([]byte(`1e400`))
	f.Add([]byte(`"20009100"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var id ID
		_ = json.Unmarshal(b, &id)
		var a Amount
		if err := json.Unmarshal(b, &a); err != nil {
			return
		}
		out, err := json.Marshal(a)
		if err != nil {
			t.Fatalf("marshal %s: %v", a, err)
		}
		var back Amount
		if err := json.Unmarshal(out, &back); err != nil || back.Cmp(a) != 0 {
			t.Fatalf("%s -> %s does not round-trip: %v", b, out, err)
		}
	})
}
