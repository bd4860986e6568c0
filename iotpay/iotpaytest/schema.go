package iotpaytest

import (
	"net/http"

	"github.com/paywidget/paywidget-go/internal/wire"
)

// The v3 card API's request rules from the specification (iotpay.md §2, §4):
// every call is a POST of a flat JSON object with Content-Type
// application/json;charset=UTF-8 carrying mchId String(30) and sign
// String(32); amounts (amount, refundAmount) are integer cents as JSON
// numbers and every other field is a string of its documented length. A
// request that breaks them is answered retCode FAIL with the field in
// retMsg, as IOTPay reports every refused request.
func v3(fields ...wire.Field) *wire.Spec {
	return &wire.Spec{ContentType: "application/json", Charset: "UTF-8", Body: append(wire.Schema{
		wire.Req("mchId", wire.String).Max(30),
		wire.Req("sign", wire.String).Max(32),
	}, fields...)}
}

// text is a string field of at most max bytes (0: no documented bound).
func text(name string, required bool, max int) wire.Field {
	f := wire.Req(name, wire.String).Max(max)
	f.Required = required
	return f
}

func centsField(name string) wire.Field { return wire.Req(name, wire.Number).Integer(0) }

var specs = wire.Specs{
	"POST /v3/cc_purchase": v3(
		text("mchOrderNo", true, 30), centsField("amount"), text("currency", true, 0), text("loginName", true, 12),
		text("subject", false, 64), text("body", false, 250), text("channel", true, 0),
		text("notifyUrl", true, 200), text("returnUrl", true, 200), text("mchUserId", false, 30)),
	"POST /v3/cc_addcard": v3(
		text("cardId", true, 30), text("loginName", true, 12), text("channel", true, 0), text("returnUrl", true, 200)),
	"POST /v3/cc_querycard": v3(text("cardId", true, 30)),
	"POST /v3/cc_purchasewithtoken": v3(
		text("loginName", true, 12), text("currency", true, 0), text("mchOrderNo", true, 30), text("cardId", true, 30), centsField("amount"),
		text("subject", false, 64), text("body", false, 250), text("clientIp", false, 50),
		text("notifyUrl", false, 200), text("mchUserId", false, 30)),
	"POST /v3/cc_void": v3(
		text("mchRefundNo", true, 30), text("loginName", true, 12), text("payOrderId", true, 0), text("notifyUrl", false, 200)),
	"POST /v3/cc_refund": v3(
		text("mchRefundNo", true, 30), text("loginName", true, 12), centsField("refundAmount"), text("payOrderId", true, 0),
		text("notifyUrl", false, 200)),
	// One of payOrderId and mchOrderNo; the handler asks for one.
	"POST /v3/cc_query": v3(text("payOrderId", false, 0), text("mchOrderNo", false, 30)),
}

// checkWire refuses a request that breaks the specification's rules with
// IOTPay's FAIL envelope, and reports whether it did.
func checkWire(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if v := specs.Check(r, body); v != nil {
		reply(w, nil, v.Error())
		return true
	}
	return false
}
