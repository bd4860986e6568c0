package main

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// sessions gives each shopper an anonymous session: a random id in an
// HttpOnly, SameSite=Lax cookie, Secure whenever the shop's configured base
// URL is https (decided from configuration, not from the request, so it
// stays Secure behind a TLS-terminating proxy). Orders belong to the session
// that created them.
//
// Cross-site request forgery is refused by http.CrossOriginProtection (see
// app.handler). What it does not cover is kept here: a state-changing
// request must carry the session cookie, and may only touch that session's
// own orders. Provider callbacks are not session requests: they come from
// the provider's page or servers and are verified by a signed
// server-to-server query (or KTPay's per-order token) instead.
type sessions struct {
	secure bool
}

const sessionCookie = "sid"

// cookieName is the session cookie's name.
func (s *sessions) cookieName() string { return sessionCookie }

// session returns the shopper's session id, setting a cookie if there is none.
func (s *sessions) session(w http.ResponseWriter, r *http.Request) string {
	if id, ok := s.current(r); ok {
		return id
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	id := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
	return id
}

// current returns the session id the request carries, if any.
func (s *sessions) current(r *http.Request) (string, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || len(ck.Value) != 43 {
		return "", false
	}
	return ck.Value, true
}

// owns reports in constant time whether the request's session is owner.
func (s *sessions) owns(r *http.Request, owner string) bool {
	id, ok := s.current(r)
	return ok && owner != "" && subtle.ConstantTimeCompare([]byte(id), []byte(owner)) == 1
}

// nonce draws a per-response nonce for inline scripts.
func nonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// policy is a Content-Security-Policy built from the origins a page needs.
type policy struct {
	scripts, frames, connects, forms []string
}

func (p policy) header(nonce string) string {
	join := func(extra []string) string {
		return strings.Join(append([]string{"'self'"}, extra...), " ")
	}
	return "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'" +
		"; script-src " + join(append([]string{"'nonce-" + nonce + "'"}, p.scripts...)) +
		"; frame-src " + join(p.frames) +
		"; connect-src " + join(p.connects) +
		"; form-action " + join(p.forms) +
		"; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
}

// secure sets the headers every merchant page carries.
func secure(w http.ResponseWriter, p policy, nonce string) {
	h := w.Header()
	h.Set("Content-Security-Policy", p.header(nonce))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
}

// origin returns scheme://host of a URL, or "" when it has none.
func origin(u string) string {
	i := strings.Index(u, "://")
	if i < 0 {
		return ""
	}
	rest := u[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	return u[:i+3] + rest
}
