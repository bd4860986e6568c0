package flexiti

import (
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

// FuzzDecodeError: every reply gives nil (2xx) or an *APIError.
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
		var api *APIError
		if !errors.As(err, &api) || api.Error() == "" {
			t.Fatalf("want *APIError, got %v", err)
		}
	})
}
