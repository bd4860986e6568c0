package ktwidgettest

import (
	"mime"
	"net/http"
	"strings"

	"github.com/paywidget/paywidget-go/internal/wire"
	"github.com/paywidget/paywidget-go/ktwidget"
)

// The create-payment rules from the specification (ktwidget.md §2.1, §2.2):
// the body is the bare base64 of a sealed box, sent as text/plain (the
// official client) or with no Content-Type (the PHP SDK), never JSON; the
// sealed plaintext is {"order": {...}, "user": {...}} with amount a JSON
// number of at most two decimals, service_id a number, show_close_button a
// boolean and every other field a string. A plaintext that breaks them is
// answered 4220002 (validation failed), a wrong content type 4220101 (bad
// data format).
var plaintext = wire.Schema{
	wire.Req("order", wire.Object,
		wire.Req("order_id", wire.String),
		wire.Req("amount", wire.Number).Decimal(2),
		wire.Req("type", wire.String),
		wire.Opt("service", wire.Object,
			wire.Req("service_id", wire.Number).Integer(0),
			wire.Req("contract_value", wire.String)),
		wire.Opt("description", wire.String),
		wire.Opt("callback_back_url", wire.String),
		wire.Opt("callback_success_url", wire.String),
		wire.Opt("callback_failed_url", wire.String),
		wire.Opt("callback_post_url", wire.String),
		wire.Opt("callback_force_back_url", wire.String),
		wire.Opt("callback_force_success_url", wire.String),
		wire.Opt("callback_force_failed_url", wire.String),
		wire.Opt("show_close_button", wire.Bool)),
	wire.Opt("user", wire.Object,
		wire.Opt("merchant_user_id", wire.String),
		wire.Opt("phone", wire.String),
		wire.Opt("email", wire.String)),
}

// checkContentType refuses a create call whose Content-Type is neither
// text/plain nor absent, and reports whether it did.
func checkContentType(w http.ResponseWriter, r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return false
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil && strings.EqualFold(mt, "text/plain") {
		return false
	}
	writeError(w, http.StatusUnprocessableEntity, ktwidget.CodeBadData, "Bad data format: the body is a base64 string sent as text/plain, not "+ct)
	return true
}

// checkPlaintext refuses a sealed order whose plaintext breaks the
// specification's types, and reports whether it did.
func checkPlaintext(w http.ResponseWriter, plain []byte) bool {
	if v := plaintext.CheckJSON(plain); v != nil {
		writeError(w, http.StatusUnprocessableEntity, ktwidget.CodeValidation, "Request parameter validation failed: "+v.Error())
		return true
	}
	return false
}
