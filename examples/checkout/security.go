package main

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// sessions gives each shopper an anonymous session: a random id in an
// HttpOnly, SameSite=Lax cookie, Secure and named __Host-sid whenever the
// shop's configured base URL is https (decided from configuration, not from
// the request, so it stays Secure behind a TLS-terminating proxy; the
// __Host- prefix makes browsers refuse the cookie from a sibling subdomain
// or with a Domain). Orders belong to the session that created them.
//
// Only ids the shop issued are sessions: a cookie with any other value is
// ignored and a fresh id is issued. The id is replaced on every change of
// privilege (when the session gains an order), so an id planted in a
// shopper's browser beforehand (session fixation) owns nothing. Sessions
// expire when idle, and the table is bounded.
//
// Cross-site request forgery is refused by http.CrossOriginProtection (see
// app.handler). What it does not cover is kept here: a state-changing
// request must carry the session cookie, and may only touch that session's
// own orders. Provider callbacks are not session requests: they come from
// the provider's page or servers and are verified by a signed
// server-to-server query (or KTPay's per-order token) instead.
type sessions struct {
	secure bool
	now    func() time.Time

	mu sync.Mutex
	// byID maps the SHA-256 of an issued cookie value to its session; the
	// table never holds the bearer values themselves.
	byID map[[32]byte]*session
}

// session is one shopper. owner is what orders record; it stays when the
// cookie's id is replaced.
type session struct {
	owner string
	seen  time.Time
}

const (
	sessionIdle = 2 * time.Hour
	maxSessions = 100_000
)

func newSessions(secure bool) *sessions {
	return &sessions{secure: secure, now: time.Now, byID: map[[32]byte]*session{}}
}

// cookieName is the session cookie's name: __Host-sid on https.
func (s *sessions) cookieName() string {
	if s.secure {
		return "__Host-sid"
	}
	return "sid"
}

func random43() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// session returns the shopper's session owner, issuing a session if the
// request carries none the shop issued.
func (s *sessions) session(w http.ResponseWriter, r *http.Request) string {
	if owner, ok := s.current(r); ok {
		return owner
	}
	return s.issue(w, random43())
}

// issue sets a fresh cookie for owner and returns owner.
func (s *sessions) issue(w http.ResponseWriter, owner string) string {
	id := random43()
	s.mu.Lock()
	now := s.now()
	if len(s.byID) >= maxSessions {
		s.sweep(now)
	}
	s.byID[sha256.Sum256([]byte(id))] = &session{owner: owner, seen: now}
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
	return owner
}

// sweep drops idle sessions and, if the table is still full, the least
// recently seen tenth. Called with mu held.
func (s *sessions) sweep(now time.Time) {
	var seen []time.Time
	for k, v := range s.byID {
		if now.Sub(v.seen) > sessionIdle {
			delete(s.byID, k)
		} else {
			seen = append(seen, v.seen)
		}
	}
	if len(s.byID) < maxSessions {
		return
	}
	slices.SortFunc(seen, func(a, b time.Time) int { return a.Compare(b) })
	cut := seen[len(seen)/10]
	for k, v := range s.byID {
		if !v.seen.After(cut) {
			delete(s.byID, k)
		}
	}
}

// current returns the owner of the session the request carries, if the
// shop issued it and it has not expired.
func (s *sessions) current(r *http.Request) (string, bool) {
	ck, err := r.Cookie(s.cookieName())
	if err != nil || len(ck.Value) != 43 {
		return "", false
	}
	key := sha256.Sum256([]byte(ck.Value))
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.byID[key]
	if !ok {
		return "", false
	}
	now := s.now()
	if now.Sub(v.seen) > sessionIdle {
		delete(s.byID, key)
		return "", false
	}
	v.seen = now
	return v.owner, true
}

// rotate replaces the request's session id with a fresh one for the same
// owner (the old id stops working): called on every change of privilege.
func (s *sessions) rotate(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie(s.cookieName())
	if err != nil {
		return
	}
	key := sha256.Sum256([]byte(ck.Value))
	s.mu.Lock()
	v, ok := s.byID[key]
	delete(s.byID, key)
	s.mu.Unlock()
	if ok {
		s.issue(w, v.owner)
	}
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
