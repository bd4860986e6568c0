package httpx

import (
	"net/url"
	"strconv"
	"strings"
)

// The checks below are the ones every provider's New shares: they add to a
// Violations so that New reports every problem of a Config at once, each a
// *ValidationError naming the Go field (and the wire name beside it).

// Required records field as missing when empty is true.
func (v *Violations) Required(field, wire string, empty bool) {
	if empty {
		v.AddField(field, wire, "required")
	}
}

// Environment checks a Config's Environment: one of the provider's constants
// (known), or empty when the merchant gave WithBaseURL (s.BaseURL). choices
// lists the constants as the merchant writes them ("finrota.Sandbox or
// finrota.Production"). A client never talks to production by default.
func (v *Violations) Environment(s *Settings, empty, known bool, choices string) {
	switch {
	case empty && s.BaseURL == "":
		v.AddField("Environment", "", "required: choose "+choices+", or give WithBaseURL")
	case !empty && !known:
		v.AddField("Environment", "", "not one of the documented environments: choose "+choices+" (WithBaseURL sends requests elsewhere)")
	}
}

// URLRule is the rule a merchant URL breaks, or "" when it is acceptable:
// a callback, notify or return URL the provider calls or sends the shopper
// to. It must be an absolute http(s) URL with a host, no user info and no
// fragment, at most max characters (max 0: no bound).
//
// With a production environment it must be https: the provider's servers
// post notifications to it and shoppers' browsers carry tokens to it, which
// plain http would expose. Outside production (sandbox, test, a fake given
// with WithBaseURL) http is accepted for any host, loopback included, so that
// a developer's machine or tunnel can receive them.
func URLRule(u string, max int, production bool) string {
	if max > 0 && len([]rune(u)) > max {
		return "longer than " + strconv.Itoa(max) + " characters"
	}
	if !WebURL(u) || strings.Contains(u, "#") {
		return "must be an absolute http(s) URL without user info or fragment"
	}
	if production && !strings.HasPrefix(strings.ToLower(u), "https:") {
		return httpsRule
	}
	return ""
}

// URL records the rule u breaks (see URLRule) under field and wire. An empty
// u is "required" when required is true and accepted otherwise.
func (v *Violations) URL(field, wire, u string, max int, required, production bool) {
	if u == "" {
		v.Required(field, wire, required)
		return
	}
	if rule := URLRule(u, max, production); rule != "" {
		v.AddField(field, wire, rule)
	}
}

// HostURL checks a provider host given in a Config (a widget host, say): an
// absolute http(s) URL with a host. Production is not enforced: it is the
// provider's host, not the merchant's.
func (v *Violations) HostURL(field, u string) {
	if p, err := url.Parse(u); err != nil || p.Host == "" || (p.Scheme != "https" && p.Scheme != "http") {
		v.AddField(field, "", "must be an absolute http(s) URL")
	}
}

// httpsRule is the rule an http URL breaks with a production environment.
const httpsRule = "must be https with a production environment (http is accepted only outside production)"

// SecureURL adds the production rule of URLRule for a URL checked for shape
// elsewhere (a request's Validate, which does not know the environment):
// with production, a non-empty u that is not https is recorded.
func (v *Violations) SecureURL(field, wire, u string, production bool) {
	if production && u != "" && !strings.HasPrefix(strings.ToLower(u), "https:") {
		v.AddField(field, wire, httpsRule)
	}
}
