package flexiti

import (
	"net/url"
	"strings"
)

// endpoint names one POS API call; endpoints maps each to its API version
// and path template ({c} is the client id, {} the next argument). Versions
// follow the specification: v2.5.1 for the upgraded transaction and
// interest endpoints (and, by its default, every transaction endpoint).
type endpoint int

const (
	epToken endpoint = iota
	epWidgetInit
	epApply
	epAuthorize
	epGetAuthorization
	epListAuthorizations
	epRelease
	epCapture
	epReturn
	epRefund
	epCaptures
	epCalculateInterest
	epCustomersSearch
	epCustomersLookup
	epMerchantsLogin
)

var endpoints = map[endpoint]struct{ version, path string }{
	epToken:              {"v2.5", "/oauth/token"},
	epWidgetInit:         {"v2.5", "/client-id/{c}/widget/init"},
	epApply:              {"v2.5", "/client-id/{c}/apply"},
	epAuthorize:          {"v2.5.1", "/client-id/{c}/authorization"},
	epGetAuthorization:   {"v2.5.1", "/client-id/{c}/authorization/{}"},
	epListAuthorizations: {"v2.5.1", "/client-id/{c}/authorizations"},
	epRelease:            {"v2.5.1", "/client-id/{c}/authorization/{}/release"},
	epCapture:            {"v2.5.1", "/client-id/{c}/authorization/{}/capture"},
	epReturn:             {"v2.5.1", "/client-id/{c}/authorization/{}/capture/{}/return"},
	epRefund:             {"v2.5.1", "/client-id/{c}/accounts/{}/refund"},
	epCaptures:           {"v2.5.1", "/client-id/{c}/captures"},
	epCalculateInterest:  {"v2.5.1", "/client-id/{c}/accounts/{}/calculate-interest"},
	epCustomersSearch:    {"v2.5", "/client-id/{c}/customers/search"},
	epCustomersLookup:    {"v2.5", "/client-id/{c}/customers/lookup"},
	epMerchantsLogin:     {"v2.5", "/client-id/{c}/merchants/login"},
}

// unknownAdvice is what to do when a money call's outcome is unknown (its
// ErrOutcomeUnknown text); calls not listed take the provider's advice.
var unknownAdvice = map[endpoint]string{
	epApply:     "a lost application moves no money: look the customer up (CustomersLookup) before applying again",
	epAuthorize: "reconcile with FindAuthorization (by reference) or GetAuthorization before retrying; never authorize again blind",
	epCapture:   "read the authorization (GetAuthorization) or its captures (Captures) before retrying; never capture again blind",
	epRelease:   "read the authorization (GetAuthorization) to see whether it was released before retrying",
	epReturn:    "read the capture's returns (Captures, GetAuthorization) before retrying; never return again blind",
	epRefund:    "look the account's refunds up in Flexiti's merchant portal before retrying; never refund again blind",
}

func versionOf(e endpoint) string { return endpoints[e].version }

// path fills an endpoint's template: {c} with the client id, then each {}
// with the next argument, all path-escaped, then appends suffix (a query
// already encoded, or ""), in one buffer.
func (c *Client) path(e endpoint, suffix string, args ...string) string {
	ep := endpoints[e]
	var b strings.Builder
	b.Grow(1 + len(ep.version) + len(ep.path) + len(c.cfg.ClientID) + 24*len(args) + len(suffix))
	b.WriteByte('/')
	b.WriteString(ep.version)
	rest := ep.path
	if i := strings.Index(rest, "{c}"); i >= 0 {
		b.WriteString(rest[:i])
		b.WriteString(url.PathEscape(c.cfg.ClientID))
		rest = rest[i+len("{c}"):]
	}
	for _, a := range args {
		i := strings.Index(rest, "{}")
		if i < 0 {
			break
		}
		b.WriteString(rest[:i])
		b.WriteString(url.PathEscape(a))
		rest = rest[i+len("{}"):]
	}
	b.WriteString(rest)
	b.WriteString(suffix)
	return b.String()
}
