package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// csrf protects the merchant's own POST endpoints with a token bound to the
// shopper's session cookie (HMAC of the session id under a server key).
// Provider callbacks are not covered: they come from the provider's page or
// servers and are verified by a signed server-to-server query instead.
type csrf struct {
	key []byte
}

func newCSRF() *csrf {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return &csrf{key: k}
}

const sessionCookie = "sid"

// session returns the shopper's session id, setting a cookie if there is none.
func (c *csrf) session(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(sessionCookie); err == nil && len(ck.Value) == 43 {
		return ck.Value
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	id := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	return id
}

// token is the CSRF token to embed in the session's forms.
func (c *csrf) token(session string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(session))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// check verifies the form's (or header's) token against the session cookie.
func (c *csrf) check(r *http.Request) bool {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return false
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return hmac.Equal([]byte(got), []byte(c.token(ck.Value)))
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
