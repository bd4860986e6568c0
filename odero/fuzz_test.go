package odero

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// FuzzDecodeReply feeds arbitrary replies to every decoder of the package:
// the error envelope, the payment union, refunds and card lists. None may
// panic; whatever is not an error must be a usable value.
func FuzzDecodeReply(f *testing.F) {
	f.Add(200, []byte(`{"data":{"id":1,"price":100.5,"paidPrice":"100.50","paymentStatus":"SUCCESS","createdDate":"2026-11-22T10:00:00"}}`))
	f.Add(200, []byte(`{"errors":{"errorCode":"10051","errorDescription":"Yetersiz","errorGroup":"NOT_SUFFICIENT_FUNDS"}}`))
	f.Add(404, []byte(`{"errors":{"errorCode":10005}}`))
	f.Add(200, []byte(`{"data":{"items":[{"cardToken":"x"}],"page":0,"size":10,"totalSize":1}}`))
	f.Add(200, []byte(`{"items":[]}`))
	f.Add(502, []byte(`<html>`))
	f.Add(200, []byte(`{"data":null}`))
	c, err := New(Config{APIKey: "k", SecretKey: "s", Environment: SandboxTR})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if err := c.decodeError(&httpx.Response{StatusCode: status, Body: body}); err != nil && err.Error() == "" {
			t.Fatal("empty error message")
		}
		var p Payment
		_ = decodeData(body, &p)
		var rf Refund
		_ = decodeData(body, &rf)
		if l, err := decodeList(body); err == nil && l == nil {
			t.Fatal("nil list without error")
		}
	})
}

// FuzzParseCallback feeds arbitrary form bodies to the callback parser: a
// typed error or a callback with a valid token, never a panic.
func FuzzParseCallback(f *testing.F) {
	f.Add("token=fe4b0c2d-3c48-4553-9429-695d204bd7c1&multiPayment=true&paymentIdList=%5B1%2C2%5D&subscriptionId=9")
	f.Add("token=a&paymentIdList=1,2,3")
	f.Add("token=%ZZ")
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		cb, err := ParseCallback(r)
		if err != nil {
			if _, ok := err.(*CallbackError); !ok {
				t.Fatalf("untyped error %T", err)
			}
			return
		}
		if validateToken("token", cb.Token) != nil {
			t.Fatalf("accepted invalid token %q", cb.Token)
		}
	})
}
