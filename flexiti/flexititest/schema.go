package flexititest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"

	"github.com/paywidget/paywidget-go/internal/wire"
)

// The POS API's request rules from the specification (flexiti.md §2, §3,
// §5, §7, §8): every call carries x-reference-id, a GUID in ASCII(32) (32
// hex digits); the token request is form-encoded, every other body is
// application/json with ids and amounts as JSON numbers (number(14),
// number(10), number(18,2)), text as strings of the documented ASCII(N)
// length and flags as booleans. A body that breaks them is answered 409
// wrong_inputs with field_errors, as Flexiti's error example shows.

// guid32 reports whether ref is a GUID written as 32 hex digits.
func guid32(ref string) bool {
	_, err := hex.DecodeString(ref)
	return len(ref) == 32 && err == nil
}

func personalInformation(required bool) wire.Field {
	f := wire.Req("personal_information", wire.Object,
		wire.Req("first_name", wire.String).Max(80),
		wire.Req("last_name", wire.String).Max(80),
		wire.Req("dob", wire.String),
		wire.Req("postal_code", wire.String))
	f.Required = required
	return f
}

// widgetInit is widget/init's body; apply makes the apply flow's fields
// required (§5).
func widgetInit(apply bool) wire.Schema {
	field := wire.Opt
	if apply {
		field = wire.Req
	}
	return wire.Schema{
		wire.Req("flow", wire.String),
		wire.Req("customer_identification", wire.Object,
			wire.Opt("account_number", wire.Number).Integer(14),
			wire.Opt("vcc_number", wire.String).Max(16),
			personalInformation(apply)),
		wire.Opt("lang", wire.String),
		field("tos_agreement", wire.Bool),
		field("email", wire.String).Max(100),
		field("phone_number", wire.Number).Integer(10),
		field("address_1", wire.String).Max(250),
		wire.Opt("address_2", wire.String).Max(100),
		field("city", wire.String).Max(100),
		field("province", wire.String).Max(2),
		field("account_type", wire.String),
	}
}

func money(name string, required bool) wire.Field {
	f := wire.Req(name, wire.Number).Decimal(2)
	f.Required = required
	return f
}

var skuData = wire.Opt("sku_data", wire.Object,
	wire.Opt("purchase_order", wire.String).Max(10),
	wire.Opt("register_id", wire.String),
	money("shipping_total", false),
	money("transaction_discount_total", false),
	money("transaction_subtotal", false),
	money("transaction_total", false),
	money("gst_hst", false),
	money("pst", false),
	wire.Opt("products", wire.Array,
		wire.Opt("sku_id", wire.String),
		wire.Opt("category", wire.String),
		wire.Opt("description", wire.String),
		wire.Opt("quantity", wire.Number).Integer(0),
		money("unit_price", false),
		money("extended_price", false)))

func post(body wire.Schema) *wire.Spec {
	return &wire.Spec{ContentType: "application/json", Headers: []string{"Authorization", "x-reference-id"}, Body: body}
}

func get(query ...wire.Field) *wire.Spec {
	return &wire.Spec{Headers: []string{"Authorization", "x-reference-id"}, Query: append(wire.Schema{wire.Opt("lang", wire.String).Max(2)}, query...)}
}

const (
	v25  = "POST " + Base + "/v2.5/client-id/{client}"
	v251 = "POST " + Base + "/v2.5.1/client-id/{client}"
	g25  = "GET " + Base + "/v2.5/client-id/{client}"
	g251 = "GET " + Base + "/v2.5.1/client-id/{client}"
)

var (
	tokenSpec = &wire.Spec{ContentType: "application/x-www-form-urlencoded", Headers: []string{"x-reference-id"}, Form: wire.Schema{
		wire.Req("client_id", wire.String).Max(100),
		wire.Req("client_secret", wire.String).Max(100),
		wire.Opt("grant_type", wire.String),
		wire.Opt("refresh_token", wire.String),
		wire.Opt("scope", wire.String),
	}}

	applySpecs = wire.Specs{
		v25 + "/widget/init": post(widgetInit(true)),
		v25 + "/apply":       post(append(widgetInit(true), wire.Req("widget_session_id", wire.String))),
	}

	specs = wire.Specs{
		v25 + "/widget/init": post(widgetInit(false)),
		v25 + "/apply":       applySpecs[v25+"/apply"],
		v251 + "/authorization": post(wire.Schema{
			wire.Req("account_number", wire.Number).Integer(14),
			wire.Opt("vcc_number", wire.String).Max(16),
			wire.Opt("reference", wire.String).Max(40),
			wire.Req("financing_option", wire.Object,
				wire.Req("transaction_type", wire.String),
				wire.Opt("plan_id", wire.Number).Integer(0),
				wire.Opt("term", wire.Number).Integer(0)),
			money("amount", true),
			wire.Req("auto_capture", wire.Bool),
			skuData,
			wire.Opt("external_location_id", wire.String),
			wire.Opt("external_employee_id", wire.String),
		}),
		v251 + "/authorization/{id}/capture": post(wire.Schema{
			wire.Opt("reference", wire.String).Max(40),
			money("amount", true),
			skuData,
		}),
		v251 + "/authorization/{id}/release": post(wire.Schema{
			money("amount", false),
			wire.Opt("reference", wire.String).Max(40),
		}),
		v251 + "/authorization/{id}/capture/{cap}/return": post(wire.Schema{
			wire.Opt("reference", wire.String).Max(40),
			wire.Opt("vcc_number", wire.String).Max(16),
			wire.Opt("full_return", wire.Bool),
			money("amount", false),
			skuData,
		}),
		v251 + "/accounts/{acct}/refund": post(wire.Schema{
			money("amount", true),
			wire.Opt("reference", wire.String).Max(40),
			wire.Opt("vcc_number", wire.String).Max(16),
		}),
		v251 + "/accounts/{acct}/calculate-interest": post(wire.Schema{money("amount", true)}),
		g251 + "/authorization/{id}":                 get(),
		g251 + "/authorizations": get(
			wire.Opt("account_number", wire.Number).Integer(14),
			wire.Opt("transaction_type", wire.String),
			wire.Opt("authorization_status", wire.String),
			wire.Opt("creation_date_from", wire.String),
			wire.Opt("creation_date_to", wire.String),
			wire.Opt("page_number", wire.Number).Integer(0),
			wire.Opt("page_size", wire.Number).Integer(0)),
		g251 + "/captures": get(),
		g25 + "/customers/search": get(
			wire.Req("first_name", wire.String).Max(80),
			wire.Req("last_name", wire.String).Max(80),
			wire.Req("dob", wire.String),
			wire.Opt("postal_code", wire.String)),
		g25 + "/customers/lookup": get(
			wire.Opt("vcc_number", wire.String).Max(16),
			wire.Opt("account_number", wire.Number).Integer(14),
			wire.Opt("customer_id", wire.String)),
	}
)

// readBody reads the request's body and puts it back for the handler.
func readBody(r *http.Request) []byte {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body
}

// checkWire refuses a call that breaks the specification's rules with
// Flexiti's error shape, and reports whether it did. widget/init in the
// apply flow is held to the apply flow's required fields.
func checkWire(w http.ResponseWriter, r *http.Request, body []byte) bool {
	set := specs
	var f struct {
		Flow string `json:"flow"`
	}
	if _, ok := applySpecs[r.Pattern]; ok && json.Unmarshal(body, &f) == nil && f.Flow == "apply" {
		set = applySpecs
	}
	v := set.Check(r, body)
	if v == nil {
		return false
	}
	writeJSON(w, http.StatusConflict, map[string]any{"url": r.URL.Path, "message": "Some inputs are wrong!", "error": "wrong_inputs",
		"field_errors": []map[string]string{{"param": v.Field, "msg": v.Problem, "value": v.Value}}})
	return true
}

// checkToken refuses a token request that is not the documented form:
// invalid_client without the client's credentials, else invalid_request.
func checkToken(w http.ResponseWriter, r *http.Request, body []byte) bool {
	v := tokenSpec.Check(r, body)
	switch {
	case v == nil:
		return false
	case v.Field == "client_id" || v.Field == "client_secret":
		writeError(w, r, 400, "invalid_client", v.Error())
	case v.Field == "header x-reference-id":
		writeError(w, r, 400, "wrong_inputs", "x-reference-id is required")
	default:
		writeError(w, r, 400, "invalid_request", v.Error())
	}
	return true
}
