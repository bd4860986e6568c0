// Package iotpaytest is a loopback IOTPay card API (v3) for tests and demos:
// it verifies every request's sign exactly as IOTPay does (a wrong sign gets
// retCode FAIL), keeps orders, cards and refunds with the documented
// statuses and refundable amounts, serves a stand-in card page at
// redirectUrl and a stand-in iotpaycc.js for the embedded widget, redirects
// the browser to returnUrl with the documented query, and sends the signed
// notification to notifyUrl, retrying until it is answered SUCCESS.
//
//	srv := iotpaytest.NewServer(t)
//	client, _ := srv.NewClient()
//
// Merchant numbers are unique as at IOTPay: a second cc_purchase or
// cc_purchasewithtoken with a used mchOrderNo is refused with retMsg
// "mchOrderNo duplicate", a second cc_refund or cc_void with a used
// mchRefundNo with "mchRefundNo duplicate" (before any other check), and
// cc_query by mchOrderNo finds a refund or void record by its mchRefundNo.
//
// Test cards: any number pays (status 2) except 4000000000000002 (declined,
// status 9) and 4000000000000259 (left pending, status 1). Server.NextPayment
// scripts the next outcome whatever the card.
//
// # Running it
//
// NewServer (or Start) serves it on a loopback port; NewMock (or StartMock)
// mounts it in memory on a jarcoal/httpmock transport at iotpay.Sandbox,
// with no socket. Either way it records every request (Requests, Count) and
// plays scripted faults (Fail).
//
// What it serves under URL: the API under /v3/ (cc_purchase, cc_addcard,
// cc_querycard, cc_purchasewithtoken, cc_void, cc_refund, cc_query); the
// stand-in card pages at /cc/purchase?key={secureId} and
// /cc/addcard?key={secureId} (the redirectUrl of Purchase and AddCard),
// whose forms post to /cc/pay and /cc/bind; and the stand-in widget script
// /cc/iotpaycc.js (Client.ScriptURL on the fake), which posts the card to
// /cc/widget.
//
// # Shopper steps
//
// The shopper's steps in IOTPay's flow, each played over HTTP as a browser
// would (no JavaScript engine), with the fake's own Client:
//
//   - the hosted card page at Checkout.RedirectURL: PayPage (Purchase)
//     and AddCardPage (AddCard);
//   - the embedded widget (iotpaycc.js) on the merchant's page
//     (Client.Embed): PayWidget and AddCardWidget;
//   - a declined card: DeclinedCard in any of them;
//   - closing: neither the page nor IOTPay's widget has a close or cancel
//     step; a shopper who leaves sends nothing, the order stays pending
//     (status 0) until its secureId lapses, and nothing is notified.
//
// Which notifications follow: only a successful payment (status 2) is
// notified, in the background, to the purchase's notifyUrl, up to
// NotifyRetries times until the merchant answers SUCCESS (then the order
// reads status 3). A declined (9) or pending (1) payment is never notified:
// IOTPay documents the notification for successful payments only, so a test
// of a decline reads the return URL or calls Client.Query instead of waiting
// for one. Adding a card notifies nothing either. WaitNotified waits for a
// notification's acknowledgment, Deliveries lists every attempt with the
// merchant's answer (and why IOTPay would not take it), and Redeliver sends
// a notification again. NewClient's notifyUrl is CallbackURL, or a stand-in
// merchant on the fake that answers SUCCESS.
package iotpaytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/iotpay"
)

// Test credentials the fake accepts.
const (
	MerchantID = "10000701"
	Key        = "0123456789ABCDEF0123456789ABCDEF"
	LoginName  = "jack123"
)

// Server is a fake IOTPay.
type Server struct {
	// URL is the fake's base URL: http://127.0.0.1:<port> for NewServer and
	// Start, the provider's sandbox host for NewMock and StartMock. Its API,
	// pages and scripts are all served under it.
	URL string

	// CallbackURL is the merchant's notifyUrl that Config and NewClient
	// configure (iotpay.Config.NotifyURL): set it to your handler's URL
	// before calling them. Empty, they use URL + "/merchant/notify", where
	// the fake stands in for a merchant that answers SUCCESS (those
	// requests are recorded with the others).
	CallbackURL string

	srv *fake.Server
	env iotpay.Environment // the host mounted in memory (NewMock); zero on loopback

	mu         sync.Mutex
	orders     map[string]*order // by payOrderId
	byMch      map[string]string // mchOrderNo → payOrderId (purchases)
	byRefundNo map[string]string // mchRefundNo → payOrderId (refunds and voids)
	pending    map[string]*order // by secureId, not yet paid
	cards      map[string]*card  // by cardId
	binding    map[string]*card  // by secureId
	next       []iotpay.Status
	seq        int
	purchases  int
	interval   time.Duration  // notify retry unit; see SetNotifyInterval
	notes      *fake.Notifier // by payOrderId
	hc         *http.Client   // what notifications go out with
}

type order struct {
	iotpay.Order
	notifyURL, returnURL string
	secureID             string
	voided               bool
}

type card struct {
	id, number, expiry, holder, cvv string
	bound                           bool
	returnURL                       string
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
		orders: map[string]*order{}, byMch: map[string]string{}, byRefundNo: map[string]string{}, pending: map[string]*order{},
		cards: map[string]*card{}, binding: map[string]*card{},
		hc: &http.Client{Timeout: 5 * time.Second},
	}
	s.notes = fake.NewNotifier("iotpaytest", s.notifyClient, checkAck, s.acknowledged)
	return s
}

// Close stops notification retries, waits for the ones in flight, then
// stops the server.
func (s *Server) Close() {
	s.notes.Close()
	s.srv.Close()
}

// Config returns an iotpay.Config with the fake's credentials and
// CallbackURL as the NotifyURL. On loopback pair it with
// iotpay.WithBaseURL(s.URL); in memory (NewMock) its Environment is the
// mounted host already.
func (s *Server) Config() iotpay.Config {
	notify := s.CallbackURL
	if notify == "" {
		notify = s.URL + sinkPath
	}
	return iotpay.Config{MerchantID: MerchantID, Key: Key, LoginName: LoginName, Environment: s.env, NotifyURL: notify}
}

// notifyClient is what a notification to u goes out with: the fake's own
// Client to its stand-in merchant (it trusts a NewTLSServer's certificate),
// IOTPay's client to anyone else.
func (s *Server) notifyClient(u string) *http.Client {
	if strings.HasPrefix(u, s.URL+sinkPath) {
		return s.Client()
	}
	return s.hc
}

// sinkPath is where the fake stands in for the merchant's notifyUrl when
// CallbackURL is empty.
const sinkPath = "/merchant/notify"

// sink acknowledges a notification as a merchant would (iotpay.WriteAck).
func sink(w http.ResponseWriter, _ *http.Request) { iotpay.WriteAck(w) }

// NewClient returns a client of the fake that runs IOTPay's whole flow:
// the fake's base URL and Client, and Config (CallbackURL as the
// notifyUrl); opts come after the fake's own.
func (s *Server) NewClient(opts ...iotpay.Option) (*iotpay.Client, error) {
	base := []iotpay.Option{iotpay.WithBaseURL(s.URL), iotpay.WithHTTPClient(s.Client())}
	return iotpay.New(s.Config(), append(base, opts...)...)
}

// NextPayment scripts the status of the next card payments, one per payment.
func (s *Server) NextPayment(st ...iotpay.Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = append(s.next, st...)
}

// Orders counts purchases created (by cc_purchase or cc_purchasewithtoken).
func (s *Server) Orders() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.purchases
}

// Refunds counts refund and void records.
func (s *Server) Refunds() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, o := range s.orders {
		if o.PayType == "refund" {
			n++
		}
	}
	return n
}

// Cards counts add-card requests (bound or not).
func (s *Server) Cards() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.cards)
}

// BindCard binds a test card to cardID as if the shopper had added it.
func (s *Server) BindCard(cardID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cards[cardID] = &card{id: cardID, number: "4242424242424242", expiry: "1230", holder: "Test Shopper", cvv: "123", bound: true}
}

// Deliveries returns every delivery of the notification of payOrderID so
// far, in order: each with the merchant's answer and, when IOTPay would not
// take it as the acknowledgment, why (Delivery.Refused).
func (s *Server) Deliveries(payOrderID string) []Delivery { return s.notes.Deliveries(payOrderID) }

// WaitNotified waits until the notification of payOrderID is answered
// SUCCESS and returns that delivery. It fails when IOTPay's retries ran out
// unacknowledged or ctx ends first, saying why the last delivery was
// refused.
func (s *Server) WaitNotified(ctx context.Context, payOrderID string) (Delivery, error) {
	return s.notes.WaitNotified(ctx, payOrderID)
}

// OrderByMch returns the purchase with mchOrderNo, if any.
func (s *Server) OrderByMch(mchOrderNo string) (iotpay.Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.byMch[mchOrderNo]; ok {
		return s.orders[id].Order, true
	}
	for _, o := range s.pending {
		if o.MchOrderNo == mchOrderNo {
			return o.Order, true
		}
	}
	return iotpay.Order{}, false
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for name, h := range map[string]func(*http.Request, iotpay.Params) (any, string){
		"cc_purchase":          s.purchase,
		"cc_addcard":           s.addCard,
		"cc_querycard":         s.queryCard,
		"cc_purchasewithtoken": s.purchaseWithToken,
		"cc_void":              s.void,
		"cc_refund":            s.refund,
		"cc_query":             s.query,
	} {
		mux.HandleFunc("POST /v3/"+name, s.signed(h))
	}
	mux.HandleFunc("GET /cc/purchase", s.purchasePage)
	mux.HandleFunc("GET /cc/addcard", s.addCardPage)
	mux.HandleFunc("POST /cc/pay", s.payForm)
	mux.HandleFunc("POST /cc/bind", s.bindForm)
	mux.HandleFunc("GET /cc/iotpaycc.js", s.script)
	mux.HandleFunc("OPTIONS /cc/widget", s.cors)
	mux.HandleFunc("POST /cc/widget", s.widget)
	mux.HandleFunc("POST "+sinkPath, sink)
	return mux
}

// signed verifies the sign and mchId, then answers the handler's retData
// or its failure message in IOTPay's envelope.
func (s *Server) signed(h func(*http.Request, iotpay.Params) (any, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, fake.MaxBody))
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var p iotpay.Params
		if err := dec.Decode(&p); err != nil || p == nil {
			reply(w, nil, "invalid request body")
			return
		}
		sign, _ := p["sign"].(string)
		if sign == "" || sign != iotpay.Sign(p, Key) {
			reply(w, nil, "sign error")
			return
		}
		if checkWire(w, r, body) {
			return
		}
		if str(p, "mchId") != MerchantID {
			reply(w, nil, "mchId not exist")
			return
		}
		data, fail := h(r, p)
		reply(w, data, fail)
	}
}

func reply(w http.ResponseWriter, data any, fail string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	env := map[string]any{"retCode": "SUCCESS", "retMsg": "", "retData": data}
	if fail != "" {
		env = map[string]any{"retCode": "FAIL", "retMsg": fail}
	}
	_ = json.NewEncoder(w).Encode(env)
}

func str(p iotpay.Params, k string) string {
	switch v := p[k].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

func num(p iotpay.Params, k string) (int64, bool) {
	switch v := p[k].(type) {
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	}
	return 0, false
}

func newSecureID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newID makes an IOTPay-style id: prefix, a timestamp and a sequence.
func (s *Server) newID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%s%06d", prefix, time.Now().UTC().Format("20060102150405"), s.seq)
}

func (s *Server) base(r *http.Request) string { return fake.BaseURL(r) }

func maskCard(n string) string {
	if len(n) < 10 {
		return strings.Repeat("*", len(n))
	}
	return n[:6] + strings.Repeat("*", len(n)-10) + n[len(n)-4:]
}
