package oderotest

import (
	"net/http"

	"github.com/paywidget/paywidget-go/internal/wire"
)

// The gateway's request rules from the specification (odero.md §2.1, §4.1,
// §6, §7, §8, the official clients' refund-transaction search and payment
// retrieval, and the seed's init table): every request carries x-api-key, x-rnd-key, x-auth-version
// and x-signature and accepts application/json; a body is application/json
// with money as JSON numbers, ids as integers and enums as strings. A
// violation is answered 400 with errorCode "10000" naming the field.
var authHeaders = []string{"x-api-key", "x-rnd-key", "x-auth-version", "x-signature"}

func read() *wire.Spec { return &wire.Spec{Accept: "application/json", Headers: authHeaders} }

func write(body wire.Schema) *wire.Spec {
	return &wire.Spec{Accept: "application/json", Headers: authHeaders, ContentType: "application/json", Body: body}
}

var (
	itemSchema = []wire.Field{
		wire.Req("name", wire.String),
		wire.Req("price", wire.Number),
		wire.Opt("externalId", wire.String),
		wire.Opt("subMerchantId", wire.Number).Integer(0),
		wire.Opt("subMerchantPrice", wire.Number),
	}
	planSchema = []wire.Field{
		wire.Req("price", wire.Number),
		wire.Req("periodType", wire.Number).Integer(0),
		wire.Req("nochargeDayCount", wire.Number).Integer(0), // "All fields have to be sent" (seed)
		wire.Req("description", wire.String),
	}
)

var specs = wire.Specs{
	"POST /payment/v1/checkout-payments/init": write(wire.Schema{
		wire.Opt("conversationId", wire.String),
		wire.Req("price", wire.Number),
		wire.Req("paidPrice", wire.Number),
		wire.Opt("walletPrice", wire.Number),
		wire.Opt("buyerId", wire.Number).Integer(0),
		wire.Opt("cardUserKey", wire.String),
		wire.Req("currency", wire.String),
		wire.Req("paymentGroup", wire.String),
		wire.Req("callbackUrl", wire.String),
		wire.Req("items", wire.Array, itemSchema...),
		wire.Opt("plan", wire.Object, planSchema...),
		wire.Opt("installment", wire.Number).Integer(0),
		wire.Opt("paymentPhase", wire.String),
		wire.Opt("expireAfterMinutes", wire.Number).Integer(0),
	}),
	"GET /payment/v1/checkout-payments/{token}": read(),
	"POST /payment/v1/refunds": write(wire.Schema{
		wire.Req("paymentId", wire.Number).Integer(0),
		wire.Opt("conversationId", wire.String),
		wire.Req("refundDestinationType", wire.String),
	}),
	"GET /payment/v1/refunds/{id}": read(),
	"POST /payment/v1/refund-transactions": write(wire.Schema{
		wire.Req("paymentTransactionId", wire.Number).Integer(0),
		wire.Opt("conversationId", wire.String),
		wire.Req("refundPrice", wire.Number),
		wire.Req("refundDestinationType", wire.String),
	}),
	"GET /payment/v1/refund-transactions/{id}": read(),
	"GET /payment/v1/refund-transactions": {Accept: "application/json", Headers: authHeaders, Query: wire.Schema{
		wire.Opt("paymentId", wire.Number).Integer(0), wire.Opt("paymentTransactionId", wire.Number).Integer(0),
		wire.Opt("conversationId", wire.String), wire.Opt("page", wire.Number).Integer(0), wire.Opt("size", wire.Number).Integer(0),
	}},
	"GET /payment-reporting/v1/payments/{id}": read(),
	"GET /payment/v1/cards": {Accept: "application/json", Headers: authHeaders, Query: wire.Schema{
		wire.Opt("cardAlias", wire.String), wire.Opt("cardBrand", wire.String), wire.Opt("cardType", wire.String),
		wire.Opt("cardUserKey", wire.String), wire.Opt("cardToken", wire.String), wire.Opt("cardBankName", wire.String),
		wire.Opt("cardAssociation", wire.String), wire.Opt("page", wire.Number).Integer(0), wire.Opt("size", wire.Number).Integer(0),
	}},
	"DELETE /payment/v1/cards": {Accept: "application/json", Headers: authHeaders, Query: wire.Schema{
		wire.Req("cardUserKey", wire.String).Max(36), wire.Req("cardToken", wire.String).Max(36),
	}},
}

// checkWire refuses a request that breaks the specification's rules with
// the gateway's error envelope, and reports whether it did.
func checkWire(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if v := specs.Check(r, body); v != nil {
		writeError(w, http.StatusBadRequest, "10000", "", v.Error())
		return true
	}
	return false
}
