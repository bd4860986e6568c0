// Package flexititest is a loopback Flexiti POS API (v2.5/v2.5.1) for tests
// and demos. It issues merchant and customer tokens with expiry and
// refresh, enforces scopes (403) and x-reference-id, runs widget init,
// serves a stand-in widget page that posts the documented flx-* events to
// its parent, remembers which shopper passed the widget under which token
// (an authorization without it fails with customer_identity_not_found),
// keeps authorizations, captures and returns, and plays scripted outcomes.
//
// Test account: 20009100 (Jane Doe, 1980-01-01, M1M1M1), credit 5000.00.
// The widget's PIN is 2222 (as on Flexiti's Training and MI hosts).
//
// # Running it
//
// NewServer (or Start) serves it on a loopback port;
// NewMock (or StartMock) mounts it in memory on a jarcoal/httpmock transport
// at flexiti.Training, with no socket. Either way it records every request
// (Requests, Count) and plays scripted faults (Fail).
//
// What it serves under URL (which ends in /flexiti/pos-api, as Flexiti's
// hosts do: flexiti.WithBaseURL(srv.URL) just works): the POS API, and the
// stand-in widget page at URL+"/" (the redirection_url of widget init, with
// the session in its fragment), whose script posts the PIN to
// URL+"/widget/verify".
//
// # Shopper steps
//
// The shopper's steps in Flexiti's flow. The widget is the page at
// WidgetSession.RedirectionURL (the stand-in served at /flexiti/pos-api/ on
// the fake); it posts flx-success, flx-failure or flx-cancel to its parent
// page, which forwards the event to the merchant's server
// (flexiti.ParseWidgetEvent, flexiti.NextStep).
//
//   - entering the PIN: PayWidget over HTTP as the widget's browser does
//     (TestCard holds PIN), or PassWidget without HTTP. PIN passes; any
//     other PIN (WrongPINCard) gives flx-success with verified false, and an
//     authorization under that token then fails with
//     flexiti.ErrCustomerIdentityNotFound;
//   - closing the widget: CloseWidget, the page's Cancel button (flx-cancel);
//   - a declined purchase: Flexiti has no card; a purchase over the credit
//     limit (SetCreditLimit, 5000.00 at the start) is declined at Authorize,
//     and DeclineApplications declines the Apply flow.
//
// Which notifications follow: none. Flexiti calls no merchant URL; the widget's
// events reach the merchant only through its own page, so a test "redelivers"
// one by handing the returned event to the merchant's handler again.
package flexititest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/internal/decimal"
	"github.com/paywidget/paywidget-go/internal/fake"
)

// Test credentials and data.
const (
	ClientID      = "flexitidemo"
	ClientSecret  = "flexiti-test-secret"
	AccountNumber = 20009100
	// TestAccounts is how many test accounts the fake has: AccountNumber
	// and the numbers after it, each passing the widget with PIN, so that
	// a test with many shoppers can give each its own account (and its own
	// short authorization listing).
	TestAccounts = 10000
	PIN          = "2222"
)

// Base is the path of the POS API below the host, on Flexiti's hosts as on
// the fake: URL ends in it, as the Environment constants do, so that
// flexiti.WithBaseURL(srv.URL) reaches the API. Recorded request paths
// (Requests, Count, Fail) start with it.
const Base = "/flexiti/pos-api"

// Server is a fake Flexiti.
type Server struct {
	// URL is the fake's base URL, the POS API base with its path (Base):
	// http://127.0.0.1:<port>/flexiti/pos-api for NewServer and Start,
	// flexiti.Training for NewMock and StartMock. Pass it to
	// flexiti.WithBaseURL; the widget page is served under it too.
	URL string

	srv *fake.Server
	env flexiti.Environment // the host mounted in memory (NewMock); zero on loopback

	mu        sync.Mutex
	ttl       time.Duration
	tokens    map[string]*tok
	refreshes map[string]string // refresh token → access token
	sessions  map[string]*session
	auths     map[int64]*auth
	seq       int64
	fetches   map[string]int // by grant type
	scopes    map[string]int // by scope
	returns   int
	limit     decimal.Decimal
	used      decimal.Decimal // credit taken by open authorizations
	declineAp bool
}

type tok struct {
	scope   string
	expiry  time.Time
	refresh string
	passed  int64 // account that passed the widget under this token
}

type session struct {
	token, flow string
	account     int64
}

type auth struct {
	flexiti.Authorization
	financing string // financing_option.transaction_type
	captured  decimal.Decimal
	captures  map[int64]decimal.Decimal
	refs      map[int64]string // capture id → the capture's reference
	released  bool
}

// NewServer starts a fake closed when tb ends.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	s := Start()
	tb.Cleanup(s.Close)
	return s
}

// Start starts a fake for a program; Close it when done.
func Start() *Server {
	s := newServer()
	return s.attach(fake.New(s.routes()))
}

// newServer is a fake's state before it is served.
func newServer() *Server {
	s := &Server{ttl: 20 * time.Minute, tokens: map[string]*tok{}, refreshes: map[string]string{}, sessions: map[string]*session{},
		auths: map[int64]*auth{}, seq: 5000, fetches: map[string]int{}, scopes: map[string]int{}, limit: decimal.MustParse("5000.00")}
	return s
}

// Config returns the fake's credentials. On loopback pair it with
// flexiti.WithBaseURL(s.URL); in memory (NewMock) its Environment is
// the mounted host already.
func (s *Server) Config() flexiti.Config {
	return flexiti.Config{ClientID: ClientID, ClientSecret: ClientSecret, Environment: s.env}
}

// NewClient returns a client of the fake; opts come after the fake's own.
func (s *Server) NewClient(opts ...flexiti.Option) (*flexiti.Client, error) {
	base := []flexiti.Option{flexiti.WithBaseURL(s.URL), flexiti.WithHTTPClient(s.Client())}
	return flexiti.New(s.Config(), append(base, opts...)...)
}

// SetTokenTTL sets the lifetime of tokens issued from now on.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ttl = d
}

// ExpireTokens makes every issued access token expired.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.expiry = time.Now().Add(-time.Second)
	}
}

// SetCreditLimit changes the test account's credit limit (5000.00 at the
// start). An authorization that would take the open authorizations above it
// is declined, as Flexiti declines a purchase over the available credit.
func (s *Server) SetCreditLimit(limit flexiti.Amount) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = decimalOf(limit)
}

// DeclineApplications makes the next applications come back declined.
func (s *Server) DeclineApplications(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.declineAp = on
}

// TokenFetches counts tokens issued by grant type ("client_credentials",
// "refresh_token").
func (s *Server) TokenFetches(grant string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches[grant]
}

// ScopeFetches counts tokens issued for scope ("merchant", "customer").
func (s *Server) ScopeFetches(scope string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scopes[scope]
}

// Returns counts returns against captures.
func (s *Server) Returns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.returns
}

// Authorizations counts authorizations.
func (s *Server) Authorizations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.auths)
}

// Captured counts captures and returns.
func (s *Server) Captured() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, a := range s.auths {
		n += len(a.captures)
	}
	return n
}

func newSecret() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"url": r.URL.Path, "message": msg, "error": code, "field_errors": []any{}})
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	v25, v251 := Base+"/v2.5", Base+"/v2.5.1"
	c := "/client-id/{client}"
	mux.HandleFunc("POST "+v25+"/oauth/token", s.token)
	mux.HandleFunc("POST "+v25+c+"/widget/init", s.authed(true, s.widgetInit))
	mux.HandleFunc("POST "+v25+c+"/apply", s.authed(true, s.apply))
	mux.HandleFunc("POST "+v251+c+"/authorization", s.authed(true, s.authorize))
	mux.HandleFunc("GET "+v251+c+"/authorization/{id}", s.authed(false, s.getAuth))
	mux.HandleFunc("GET "+v251+c+"/authorizations", s.authed(false, s.listAuths))
	mux.HandleFunc("POST "+v251+c+"/authorization/{id}/capture", s.authed(false, s.capture))
	mux.HandleFunc("POST "+v251+c+"/authorization/{id}/release", s.authed(false, s.release))
	mux.HandleFunc("POST "+v251+c+"/authorization/{id}/capture/{cap}/return", s.authed(false, s.ret))
	mux.HandleFunc("POST "+v251+c+"/accounts/{acct}/refund", s.authed(false, s.refund))
	mux.HandleFunc("GET "+v251+c+"/captures", s.authed(false, s.captures))
	mux.HandleFunc("POST "+v251+c+"/accounts/{acct}/calculate-interest", s.authed(true, s.interest))
	mux.HandleFunc("GET "+v25+c+"/customers/search", s.authed(false, s.search))
	mux.HandleFunc("GET "+v25+c+"/customers/lookup", s.authed(false, s.search))
	mux.HandleFunc("GET "+Base+"/{$}", s.widgetPage)
	mux.HandleFunc("POST "+Base+"/widget/verify", s.verify)
	return mux
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if checkToken(w, r, readBody(r)) {
		return
	}
	if r.URL.RawQuery != "" {
		writeError(w, r, 400, "invalid_request", "parameters must be form-encoded in the body")
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("client_id") != ClientID || r.PostForm.Get("client_secret") != ClientSecret {
		writeError(w, r, 400, "invalid_client", "wrong or missing client_id/client_secret")
		return
	}
	if !guid32(r.Header.Get("x-reference-id")) {
		writeError(w, r, 400, "wrong_inputs", "x-reference-id is required")
		return
	}
	grant := r.PostForm.Get("grant_type")
	if grant == "" {
		grant = "client_credentials"
	}
	scope := r.PostForm.Get("scope")
	if scope == "" {
		scope = flexiti.ScopeMerchant
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var passed int64
	switch grant {
	case "client_credentials":
	case "refresh_token":
		old, ok := s.refreshes[r.PostForm.Get("refresh_token")]
		t := s.tokens[old]
		if !ok || t == nil || time.Now().After(t.expiry) {
			writeError(w, r, 401, "invalid_token", "an expired token cannot be refreshed")
			return
		}
		delete(s.refreshes, r.PostForm.Get("refresh_token"))
		scope, passed = t.scope, t.passed
	default:
		writeError(w, r, 400, "invalid_request", "bad grant_type")
		return
	}
	s.fetches[grant]++
	s.scopes[scope]++
	access, refresh := newSecret(), newSecret()
	s.tokens[access] = &tok{scope: scope, expiry: time.Now().Add(s.ttl), refresh: refresh, passed: passed}
	s.refreshes[refresh] = access
	writeJSON(w, 200, map[string]any{"token_type": "bearer", "access_token": access, "expires_in": int(s.ttl / time.Second), "refresh_token": refresh, "scope": scope})
}

type call struct {
	token string
	tok   *tok
	body  map[string]json.RawMessage
}

// authed checks the bearer token, its scope and x-reference-id.
func (s *Server) authed(customerOK bool, h func(w http.ResponseWriter, r *http.Request, c *call)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		bearer := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		t := s.tokens[bearer]
		s.mu.Unlock()
		switch {
		case t == nil || time.Now().After(t.expiry):
			writeError(w, r, 401, "invalid_token", "wrong or expired token")
			return
		case t.scope == flexiti.ScopeCustomer && !customerOK:
			writeError(w, r, 403, "insufficient_scope", "Insufficient scope")
			return
		case !guid32(r.Header.Get("x-reference-id")):
			writeError(w, r, 400, "wrong_inputs", "x-reference-id is required")
			return
		case r.PathValue("client") != ClientID:
			writeError(w, r, 404, "not_found", "client id not found")
			return
		}
		raw := readBody(r)
		if checkWire(w, r, raw) {
			return
		}
		c := &call{token: bearer, tok: t, body: map[string]json.RawMessage{}}
		if r.Method == http.MethodPost {
			if err := json.Unmarshal(raw, &c.body); err != nil {
				writeError(w, r, 409, "wrong_inputs", "Some inputs are wrong!")
				return
			}
		}
		h(w, r, c)
	}
}

func str(raw json.RawMessage) string {
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

func num(raw json.RawMessage) int64 {
	var f flexiti.ID
	_ = f.UnmarshalJSON(raw)
	return int64(f)
}

func amount(raw json.RawMessage) (decimal.Decimal, bool) {
	var d decimal.Decimal
	if len(raw) == 0 || d.UnmarshalJSON(raw) != nil || d.Sign() <= 0 || d.Places() > 2 {
		return d, false
	}
	// Written with two decimals, as Flexiti writes amounts back.
	r, err := d.Rescale(2)
	return r, err == nil
}

func (s *Server) nextID() int64 {
	s.seq++
	return s.seq
}
