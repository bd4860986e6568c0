package finrota

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// FuzzParseReturn: any return body gives a result that keeps the raw values
// and is never verified, or ErrInvalidReturn; never a panic.
func FuzzParseReturn(f *testing.F) {
	f.Add("orderId=1&clientReferenceCode=r&success=true")
	f.Add("success=maybe&error=%ZZ")
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/return", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		ret, err := ParseReturn(r)
		if err != nil {
			return
		}
		if ret.Verified {
			t.Fatal("a return can never be verified")
		}
	})
}

// FuzzDecodeReplies: the error decoder and the payment and options decoders
// never panic on any reply.
func FuzzDecodeReplies(f *testing.F) {
	f.Add(200, []byte(`{"paymentType":"RedirectUrl","redirectTo":"https://bank.example/3d","orderId":"1"}`))
	f.Add(200, []byte(`{"paymentType":"DirectSale","success":false,"error":"x"}`))
	f.Add(422, []byte(`{"statusCode":422,"message":"m","errors":{"amount":["bad"]}}`))
	f.Add(200, []byte(`[{"id":1,"installments":[{"amount":"1.5","token":"t"}]}]`))
	f.Add(200, []byte(`{"data":[{"id":"x"}]}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if err := decodeError(&httpx.Response{StatusCode: status, Body: body}); err != nil && err.Error() == "" {
			t.Fatal("empty message")
		}
		var p paymentReply
		_ = httpx.DecodeJSON(provider, body, &p)
		var l rawList
		_ = httpx.DecodeJSON(provider, body, &l)
	})
}
