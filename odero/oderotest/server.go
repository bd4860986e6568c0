// Package oderotest is a loopback OderoPay for tests and demos: it speaks the
// gateway's wire format, verifies every request's signature the way the
// gateway does (rejecting a wrong one with OderoPay's error envelope), stores
// checkouts, payments, refunds and stored cards, serves a minimal hosted
// checkout page at pageUrl whose submit posts the documented callback to the
// merchant's callbackUrl, and plays scripted outcomes and faults.
//
//	srv := oderotest.NewServer(t)
//	srv.CallbackURL = shop.URL + "/odero/callback" // the merchant's handler
//	client, _ := srv.NewClient()
//
// Test cards on the hosted page: any number is approved, except
// 4000000000000002 (DO_NOT_HONOUR), 4000000000009995 (NOT_SUFFICIENT_FUNDS)
// and 4000000000003220 (asks for a 3-D Secure code; "123456" passes). The
// fake's choices where OderoPay documents nothing: a bad signature, or a POST
// reusing an x-rnd-key, is answered 401 with errorCode "1"; an unknown or unpaid checkout
// is answered 200 with an errors envelope (errorCode "10101"); rule
// violations are answered 400 with errorCode "10000".
//
// # Running it
//
// NewServer (or Start) serves it on a loopback port;
// NewMock (or StartMock) mounts it in memory on a jarcoal/httpmock transport
// at odero.SandboxTR, with no socket. Either way it records every request
// (Requests, Count) and plays scripted faults (Fail).
//
// What it serves under URL: the API under /payment/v1/ (with the search of
// item refunds by paymentId, paymentTransactionId and conversationId), a
// payment's detail at /payment-reporting/v1/payments/{id} (its refunds
// with their conversationId), the hosted page at
// /checkout/{token} (the pageUrl of InitCheckout), its card form's POST
// /checkout/{token}/pay and the 3-D Secure form's POST /checkout/{token}/3ds.
// The page uses no script of its own besides the auto-submitted callback
// form.
//
// # Shopper steps
//
// The shopper's steps in OderoPay's flow, each played over HTTP as a browser
// would (no JavaScript engine):
//
//   - the hosted page at Checkout.PageURL (/checkout/{token} on the fake):
//     PayPage submits a card and follows what comes next;
//   - the 3-D Secure page: a card that asks for it (ThreeDSCard) is answered
//     with Card.ThreeDSCode ("123456" passes, anything else fails);
//   - a declined card: DeclinedCard (DO_NOT_HONOUR) or
//     InsufficientFundsCard (NOT_SUFFICIENT_FUNDS), or NextPayment to script
//     any outcome;
//   - closing the page: a shopper who leaves sends nothing; PayPage with
//     an empty ThreeDSCode leaves at the 3-D step. The checkout stays unpaid
//     (CheckoutStatus "") or waiting for 3-D, and no callback is posted.
//
// Which notifications follow: OderoPay sends no server-to-server
// notification. After a payment, approved or declined, the shopper's browser
// form-POSTs token and paymentIdList to the checkout's callbackUrl;
// PayPage makes that POST, and Redeliver makes it again (a reload). NewClient's
// callbackUrl is CallbackURL, or a stand-in merchant page on the fake.
package oderotest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/internal/secret"
	"github.com/paywidget/paywidget-go/odero"
)

// Test credentials the fake accepts.
const (
	APIKey    = "sandbox-odero-api-key"
	SecretKey = "sandbox-odero-secret-key"
)

// Outcome scripts what the next payment on the hosted page does, whatever
// card is entered.
type Outcome struct {
	// Status is SUCCESS or FAILURE; with ThreeDS a SUCCESS waits for the code.
	Status odero.PaymentStatus
	// Group and Code describe a failure (default DO_NOT_HONOUR, 10005).
	Group odero.ErrorGroup
	Code  string
	// ThreeDS asks the shopper for a 3-D Secure code first.
	ThreeDS bool
}

// Server is a fake OderoPay. It records every request (Requests, Count) and
// plays scripted faults (Fail); NewServer serves it on loopback, NewMock in
// memory on an httpmock transport.
type Server struct {
	// URL is the fake's base URL: http://127.0.0.1:<port> for NewServer and
	// Start, the provider's sandbox host for NewMock and StartMock. Its API,
	// pages and scripts are all served under it.
	URL string

	// CallbackURL is the merchant's callbackUrl that Config and NewClient
	// configure (odero.Config.CallbackURL): set it to your handler's URL
	// before calling them. Empty, they use URL + "/merchant/callback", where
	// the fake stands in for a merchant that thanks the shopper (those
	// requests are recorded with the others).
	CallbackURL string

	srv *fake.Server
	env odero.Environment // the host mounted in memory (NewMock); zero on loopback

	mu        sync.Mutex
	checkouts map[string]*checkout
	order     []string
	refunds   map[int64]*refund
	txRefunds map[int64]*txRefund
	cards     []*odero.StoredCard
	rnds      map[string]bool
	next      []Outcome
	seq       int64
	notes     *fake.Notifier // the browser's callbacks, by checkout token
}

type checkout struct {
	token   string
	req     initRequest
	payment *payment
}

type payment struct {
	id          int64
	status      odero.PaymentStatus
	bin, last4  string
	threeDS     bool
	group, code string
	txIDs       []int64
	refunded    bool
}

type refund struct {
	odero.Refund
}

type txRefund struct {
	odero.RefundTransaction
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
	s := &Server{
		checkouts: map[string]*checkout{},
		refunds:   map[int64]*refund{},
		txRefunds: map[int64]*txRefund{},
		rnds:      map[string]bool{},
		seq:       1000,
	}
	s.notes = fake.NewNotifier("oderotest", func(string) *http.Client { return s.Client() }, checkCallback, nil)
	return s
}

// Config returns an odero.Config with the fake's credentials and
// CallbackURL. On loopback pair it with odero.WithBaseURL(s.URL); in memory
// (NewMock) its Environment is the mounted host already.
func (s *Server) Config() odero.Config {
	cb := s.CallbackURL
	if cb == "" {
		cb = s.URL + sinkPath
	}
	return odero.Config{APIKey: APIKey, SecretKey: SecretKey, Environment: s.env, CallbackURL: cb}
}

// sinkPath is where the fake stands in for the merchant's callbackUrl when
// CallbackURL is empty.
const sinkPath = "/merchant/callback"

// sink is a merchant's answer to the browser's callback.
func sink(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, "<!doctype html><p>Thank you for your order.</p>")
}

// NewClient returns an odero.Client of the fake that runs OderoPay's whole
// flow: credentials, base URL, the fake's HTTP client and Config
// (CallbackURL as the callbackUrl); opts come after those.
func (s *Server) NewClient(opts ...odero.Option) (*odero.Client, error) {
	base := []odero.Option{odero.WithBaseURL(s.URL), odero.WithHTTPClient(s.Client())}
	return odero.New(s.Config(), append(base, opts...)...)
}

// NextPayment scripts the outcome of the next payments made on hosted pages,
// one outcome per payment.
func (s *Server) NextPayment(o ...Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = append(s.next, o...)
}

// Checkouts returns how many checkouts were initialised.
func (s *Server) Checkouts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.checkouts)
}

// Refunds returns how many refunds (whole and item) were created.
func (s *Server) Refunds() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.refunds) + len(s.txRefunds)
}

// CheckoutStatus returns the payment status of a checkout ("" before
// payment) and whether the token is known.
func (s *Server) CheckoutStatus(token string) (odero.PaymentStatus, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checkouts[token]
	if !ok || c.payment == nil {
		return "", ok
	}
	return c.payment.status, true
}

// Complete pays a checkout without the hosted page, as if the shopper had
// paid with the given outcome, and returns the payment id.
func (s *Server) Complete(token string, o Outcome) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checkouts[token]
	if !ok {
		return 0, false
	}
	p := s.pay(c, "411111", "1111", o)
	if p.threeDS {
		p.status = odero.PaymentStatusSuccess
	}
	return p.id, true
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /payment/v1/checkout-payments/init", s.signed(s.initCheckout))
	mux.HandleFunc("GET /payment/v1/checkout-payments/{token}", s.signed(s.retrieveCheckout))
	mux.HandleFunc("POST /payment/v1/refunds", s.signed(s.createRefund))
	mux.HandleFunc("GET /payment/v1/refunds/{id}", s.signed(s.getRefund))
	mux.HandleFunc("POST /payment/v1/refund-transactions", s.signed(s.createTxRefund))
	mux.HandleFunc("GET /payment/v1/refund-transactions/{id}", s.signed(s.getTxRefund))
	mux.HandleFunc("GET /payment/v1/refund-transactions", s.signed(s.searchTxRefunds))
	mux.HandleFunc("GET /payment-reporting/v1/payments/{id}", s.signed(s.getPayment))
	mux.HandleFunc("GET /payment/v1/cards", s.signed(s.searchCards))
	mux.HandleFunc("DELETE /payment/v1/cards", s.signed(s.deleteCard))
	mux.HandleFunc("GET /checkout/{token}", s.page)
	mux.HandleFunc("POST /checkout/{token}/pay", s.submitCard)
	mux.HandleFunc("POST /checkout/{token}/3ds", s.submitThreeDS)
	mux.HandleFunc("POST "+sinkPath, sink)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "10404", "", "endpoint not found")
	})
	return mux
}

// signed verifies the request's signature as the gateway does before
// handing it to h with its body.
func (s *Server) signed(h func(w http.ResponseWriter, r *http.Request, body []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, fake.MaxBody))
		if err != nil {
			writeError(w, http.StatusBadRequest, "10000", "", "unreadable body")
			return
		}
		u, err := url.Parse(fake.BaseURL(r)) // the scheme and host the client signed
		if err != nil {
			writeError(w, http.StatusUnauthorized, "1", "", "authentication failed")
			return
		}
		u.Path, u.RawPath, u.RawQuery = r.URL.Path, r.URL.RawPath, r.URL.RawQuery
		decoded, err := odero.DecodeURL(u)
		rnd := r.Header.Get("x-rnd-key")
		if err != nil || r.Header.Get("x-api-key") != APIKey || rnd == "" || r.Header.Get("x-auth-version") == "" {
			writeError(w, http.StatusUnauthorized, "1", "", "authentication failed")
			return
		}
		want := odero.Signature(decoded, APIKey, SecretKey, rnd, body)
		if !secret.Equal(want, r.Header.Get("x-signature")) {
			writeError(w, http.StatusUnauthorized, "1", "", "signature mismatch")
			return
		}
		// A POST must never carry a random key seen before. (A GET may be
		// replayed byte for byte by Go's transport on a dead keep-alive
		// connection, so reads are not checked.)
		s.mu.Lock()
		reused := r.Method == http.MethodPost && s.rnds[rnd]
		s.rnds[rnd] = true
		s.mu.Unlock()
		if reused {
			writeError(w, http.StatusUnauthorized, "1", "", "x-rnd-key reused")
			return
		}
		if checkWire(w, r, body) {
			return
		}
		h(w, r, body)
	}
}

func writeData(w http.ResponseWriter, status int, data any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data})
}

func writeError(w http.ResponseWriter, status int, code, group, desc string) {
	e := map[string]string{"errorCode": code, "errorDescription": desc}
	if group != "" {
		e["errorGroup"] = group
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": e})
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (s *Server) nextID() int64 {
	s.seq++
	return s.seq
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
