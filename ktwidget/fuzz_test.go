package ktwidget

import (
	"testing"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// FuzzDecodeNotification: any body gives a notification with the required
// fields or an error matching ErrInvalidCallback, never a panic.
func FuzzDecodeNotification(f *testing.F) {
	f.Add([]byte(`{"merchant_id":1001,"order_id":"o-1","amount":2750.5,"transaction_hash":"h","created_at":"2019-02-05T14:22:53+06:00","updated_at":null,"status":{"status":"completed","created_at":"2019-02-05T14:22:53+06:00","updated_at":null,"error":null}}`))
	f.Add([]byte(`{"order_id":"o","amount":"10","transaction_hash":"h","status":{"status":"denied","error":{"error_type":"ERROR_PAYMENT"}}}`))
	f.Add([]byte(`{"amount":1e999}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := decodeNotification(body)
		if err != nil {
			if !isInvalid(err) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if n.OrderID == "" || n.TransactionHash == "" || n.Status.Status == "" {
			t.Fatal("accepted a notification without its required fields")
		}
	})
}

// FuzzDecodeError: any reply decodes to nil, an *APIError or a
// *httpx.StatusError, never a panic.
func FuzzDecodeError(f *testing.F) {
	f.Add(200, []byte(`{"error":[],"response":{"success":true,"data":{"transaction_hash":"h"}}}`))
	f.Add(422, []byte(`{"success":false,"data":[],"error":{"code":4220002,"messages":{"error":"x"},"hint":""}}`))
	f.Add(200, []byte(`{"response":{"success":false},"error":{"code":"4010103","messages":["a",["b"]]}}`))
	f.Add(500, []byte(`<html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		err := decodeError(&httpx.Response{StatusCode: status, Body: body})
		switch err.(type) {
		case nil, *APIError, *httpx.StatusError:
		default:
			t.Fatalf("unexpected error type %T", err)
		}
		var d createData
		_ = decodeData(body, &d)
	})
}
