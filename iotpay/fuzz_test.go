package iotpay

import (
	"testing"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// FuzzVerifyNotification: any body gives an order or a typed error, never a
// panic, and an accepted body always carries a valid sign.
func FuzzVerifyNotification(f *testing.F) {
	c, err := New(Config{MerchantID: "10000701", Key: "k", LoginName: "l", Environment: Sandbox})
	if err != nil {
		f.Fatal(err)
	}
	good := Params{"payOrderId": "PC1", "mchId": "10000701", "amount": int64(1500), "status": int64(2)}
	good["sign"] = Sign(good, "k")
	b, _ := httpx.MarshalJSON(good)
	f.Add(b)
	f.Add([]byte(`{"payOrderId":"PC1","mchId":"10000701","amount":"1500","status":2,"sign":"00"}`))
	f.Add([]byte(`{"amount":1e400}`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := c.VerifyNotification(body)
		if err != nil {
			return
		}
		p, derr := decodeParams(body)
		if derr != nil || verify(p, "k") != nil || o.PayOrderID == "" {
			t.Fatalf("accepted an unverifiable notification")
		}
	})
}

// FuzzDecodeReply: any reply decodes to a value or a typed error.
func FuzzDecodeReply(f *testing.F) {
	f.Add(200, []byte(`{"retCode":"SUCCESS","retMsg":"","retData":{"payOrderId":"PC1","amount":1500,"status":2}}`))
	f.Add(200, []byte(`{"retCode":"FAIL","retMsg":"cardId is not binding"}`))
	f.Add(200, []byte(`{"retCode":"SUCCESS","retData":{"amount":"15.00"}}`))
	f.Add(502, []byte(`<html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		var o Order
		err := decodeReply(&httpx.Response{StatusCode: status, Body: body}, &o)
		if err != nil && err.Error() == "" {
			t.Fatal("empty error")
		}
		var card Card
		_ = decodeReply(&httpx.Response{StatusCode: status, Body: body}, &card)
	})
}
