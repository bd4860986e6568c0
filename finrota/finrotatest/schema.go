package finrotatest

import (
	"bytes"
	"io"
	"net/http"

	"github.com/paywidget/paywidget-go/internal/wire"
)

// The B2C gateway's request rules from the specification (finrota.md §1–4,
// §8): JSON bodies (Content-Type application/json) with amounts as JSON
// numbers (decimal lira, at most two places), expMonth/expYear integers,
// use3D a boolean and every other field a string, each table's fields
// required; every merchant call carries Authorization, paymentOptions also
// Proxy-Authorization, with its binNumber, amount and currency in the
// query. A violation is answered 422 ValidationError naming the field (the
// status Finrota's sibling APIs use for field validation).
var card = wire.Req("card", wire.Object,
	wire.Req("cardNumber", wire.String),
	wire.Req("cardHolderName", wire.String),
	wire.Req("cvv", wire.String),
	wire.Req("expMonth", wire.Number).Integer(2),
	wire.Req("expYear", wire.Number).Integer(4))

func amountField() wire.Field { return wire.Req("amount", wire.Number).Decimal(2) }

func postJSON(headers []string, body ...wire.Field) *wire.Spec {
	return &wire.Spec{ContentType: "application/json", Headers: headers, Body: body}
}

var (
	authHeader = []string{"Authorization"}
	specs      = wire.Specs{
		"POST /auth/api/token/connect": postJSON(nil, wire.Req("apiKey", wire.String), wire.Req("secretKey", wire.String)),
		"GET /b2c/widget/token":        {Headers: authHeader},
		"GET /b2c/paymentOptions": {Headers: []string{"Authorization", "Proxy-Authorization"}, Query: wire.Schema{
			wire.Req("binNumber", wire.String).Max(8), amountField(), wire.Req("currency", wire.String)}},
		"POST /b2c/widget/preparePayment": postJSON(authHeader, card, wire.Req("use3D", wire.Bool), wire.Req("currency", wire.String),
			amountField(), wire.Req("installmentToken", wire.String)),
		"POST /b2c/widget/payment": postJSON(authHeader, amountField(), wire.Req("prepareToken", wire.String), wire.Req("returnUrl", wire.String),
			wire.Req("clientReferenceCode", wire.String), wire.Req("customerIpAddress", wire.String)),
		// Experimental in the SDK: preparePayment's fields and widget/payment's.
		"POST /b2c/payment": postJSON(authHeader, card, wire.Req("use3D", wire.Bool), wire.Req("currency", wire.String), amountField(),
			wire.Req("installmentToken", wire.String), wire.Req("returnUrl", wire.String),
			wire.Req("clientReferenceCode", wire.String), wire.Req("customerIpAddress", wire.String)),
		"GET /erp/payments": {Headers: authHeader, Query: wire.Schema{
			wire.Opt("page", wire.Number).Integer(0), wire.Opt("pageSize", wire.Number).Integer(0),
			wire.Opt("clientReferenceCode", wire.String), wire.Opt("referenceCode", wire.String),
			wire.Opt("transactionId", wire.String), wire.Opt("StartDate", wire.String), wire.Opt("EndDate", wire.String),
			wire.Opt("userCode", wire.String), wire.Opt("vendorErpCode", wire.String)}},
	}
)

// checkWire refuses a request that breaks the specification's rules with
// Finrota's error shape, and reports whether it did. It leaves the body
// readable for the handler.
func checkWire(w http.ResponseWriter, r *http.Request) bool {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if v := specs.Check(r, body); v != nil {
		writeError(w, http.StatusUnprocessableEntity, "ValidationError", v.Error())
		return true
	}
	return false
}
