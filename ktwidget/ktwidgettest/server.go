// Package ktwidgettest is a loopback KTPay for tests and demos. It holds its
// own key pair and opens every sealed body with box.OpenAnonymous; it
// refuses a wrong app id (4010103), undecryptable data (4220101), invalid
// orders (4220002) and, once ExpireKey is called, the old key (4220104). It
// issues transaction hashes, serves a stand-in widget page at the widget URL
// that completes or declines the payment and posts the documented messages to
// its parent, and delivers the notification to callback_post_url with
// KTPay's retry schedule (compressed) until answered {"status":"ok"}.
//
// Test cards on the widget page: any number completes, except
// 4000000000000002 (denied by the acquirer).
//
// # Running it
//
// NewServer (or Start) serves API and widget on one loopback port; NewMock
// (or StartMock) mounts them in memory on a jarcoal/httpmock transport at
// ktwidget.Test's two hosts, with no socket. Either way it records every
// request (Requests, Count) and plays scripted faults (Fail).
//
// What it serves: the API under /api/v1/merchant-widget/ (payment,
// acquirer-options, pdf), and the stand-in widget card page at
// /payment-card?hash={hash} (Payment.WidgetURL), whose form posts to
// /payment-card/pay and answers with the receipt page. The merchant page's
// script is the merchant's own (Client.Snippet); KTPay serves none.
//
// # Shopper steps
//
// The shopper's steps in KTPay's flow, each played over HTTP as the browser
// in the widget's iframe would (no JavaScript engine), with the fake's own
// Client:
//
//   - the card page at Payment.WidgetURL ({widget}/payment-card?hash=…):
//     PayWidget, which submits the card to /payment-card/pay and reads the
//     receipt page;
//   - a declined card: DeclinedCard (status denied), or NextPayment to
//     script denied or error whatever the card;
//   - closing the widget: CloseWidget (the page's Close button, shown unless
//     the order set show_close_button false);
//   - the receipt's Continue button: WidgetResult.Next, the URL the widget posts
//     to its parent for a top-level redirect.
//
// Which notifications follow: a final status (completed, denied, error) is
// notified to the order's callback_post_url, if it has one, in the
// background on RetrySchedule until the merchant acknowledges it: status
// 200, Content-Type application/json and the body {"status":"ok"}
// (ktwidget.WriteAck writes exactly that). Any other answer is refused and
// resent; Deliveries lists every attempt with the merchant's answer and why
// it was refused (Delivery.Refused), and WaitNotified waits for the
// acknowledgment or says why there was none. Closing the widget leaves the
// transaction pending and notifies nothing: KTPay notifies final statuses
// only. Redeliver sends a notification again. NewClient's CallbackBase is
// CallbackURL, or a stand-in merchant on the fake that acknowledges.
package ktwidgettest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/nacl/box"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/ktwidget"
)

// Test credentials.
const (
	AppID      = "e2d3d70d53c67bcd377266f74e98587c"
	MerchantID = 1001
	// CallbackSecret is a merchant secret for tests' callback URLs.
	CallbackSecret = "test-callback-secret-0123456789"
)

// RetrySchedule is KTPay's notification schedule (15 s, 60 s, 3 min, 10 min,
// 30 min, 60 min) divided by 1000.
var RetrySchedule = []time.Duration{15 * time.Millisecond, 60 * time.Millisecond, 180 * time.Millisecond, 600 * time.Millisecond, 1800 * time.Millisecond, 3600 * time.Millisecond}

// Server is a fake KTPay.
type Server struct {
	// URL is the fake's base URL: http://127.0.0.1:<port> for NewServer and
	// Start, the provider's sandbox host for NewMock and StartMock. Its API,
	// pages and scripts are all served under it.
	URL string

	srv *fake.Server
	env ktwidget.Environment // the host mounted in memory (NewMock); zero on loopback

	pub, priv       *[32]byte
	oldPub, oldPriv *[32]byte

	// CallbackURL is the merchant's notification base that Config and
	// NewClient configure (ktwidget.Config.CallbackBase): set it to your
	// handler's URL before calling them. Empty, they use URL +
	// "/merchant/notify", where the fake stands in for a merchant that
	// acknowledges every notification as KTPay expects (those requests are
	// recorded with the others).
	CallbackURL string

	mu       sync.Mutex
	txs      map[string]*tx // by hash
	orderIDs map[string]bool
	orders   []DecryptedOrder
	next     []string
	notes    *fake.Notifier // by transaction hash
	hc       *http.Client   // what notifications go out with
}

// DecryptedOrder is a sealed body as the fake opened it.
type DecryptedOrder struct {
	Order ktwidget.Order `json:"order"`
	User  *ktwidget.User `json:"user,omitempty"`
	// CallbackPostURL is the order's callback_post_url, where the fake
	// posts its notification ("" when none was sent).
	CallbackPostURL string `json:"-"`
	// Raw is the opened order JSON; it prints as its size only.
	Raw ktwidget.RawBody `json:"-"`
}

type tx struct {
	hash    string
	order   ktwidget.Order
	post    string // callback_post_url
	status  string
	created time.Time
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
	// crypto/rand does not fail (Go 1.24+), so neither does GenerateKey.
	pub, priv, _ := box.GenerateKey(rand.Reader)
	s := &Server{pub: pub, priv: priv, txs: map[string]*tx{}, orderIDs: map[string]bool{},
		hc: &http.Client{Timeout: 5 * time.Second}}
	s.notes = fake.NewNotifier("ktwidgettest", s.notifyClient, checkAck, nil)
	return s
}

// Close stops notification deliveries and the server.
func (s *Server) Close() {
	s.notes.Close()
	s.srv.Close()
}

// PublicKey is the fake's app_key (standard base64).
func (s *Server) PublicKey() string { return base64.StdEncoding.EncodeToString(s.pub[:]) }

// PrivateKey is the fake's secret key, for tests that open sealed bodies.
func (s *Server) PrivateKey() *[32]byte { return s.priv }

// RawPublicKey is the fake's public key.
func (s *Server) RawPublicKey() *[32]byte { return s.pub }

// ExpireKey makes the current key expire (4220104) and returns the new one.
func (s *Server) ExpireKey() string {
	pub, priv, _ := box.GenerateKey(rand.Reader)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oldPub, s.oldPriv = s.pub, s.priv
	s.pub, s.priv = pub, priv
	return s.PublicKey()
}

// Config returns a ktwidget.Config for the fake: its app id and key, the
// widget on the fake itself, the test callback secret and CallbackURL as
// the CallbackBase. On loopback pair it with ktwidget.WithBaseURL(s.URL); in
// memory (NewMock) its Environment is ktwidget.Test, whose API and widget
// hosts are both mounted.
func (s *Server) Config() ktwidget.Config {
	cb := s.CallbackURL
	if cb == "" {
		cb = s.URL + sinkPath
	}
	if s.env.API != "" {
		return ktwidget.Config{AppID: AppID, PublicKey: s.PublicKey(), Environment: s.env, CallbackSecret: CallbackSecret, CallbackBase: cb}
	}
	return ktwidget.Config{AppID: AppID, PublicKey: s.PublicKey(), WidgetURL: s.URL, CallbackSecret: CallbackSecret, CallbackBase: cb}
}

// notifyClient is what a notification to u goes out with: the fake's own
// Client to its stand-in merchant (it trusts a NewTLSServer's certificate),
// KTPay's client to anyone else.
func (s *Server) notifyClient(u string) *http.Client {
	if strings.HasPrefix(u, s.URL+sinkPath) {
		return s.Client()
	}
	return s.hc
}

// sinkPath is where the fake stands in for the merchant's notification
// endpoint when CallbackURL is empty.
const sinkPath = "/merchant/notify"

// sink acknowledges a notification as a merchant would (ktwidget.WriteAck).
func sink(w http.ResponseWriter, _ *http.Request) { ktwidget.WriteAck(w) }

// NewClient returns a client of the fake that runs KTPay's whole flow: the
// fake's base URL and Client, and Config (CallbackURL as the notification
// base); opts come after the fake's own.
func (s *Server) NewClient(opts ...ktwidget.Option) (*ktwidget.Client, error) {
	base := []ktwidget.Option{ktwidget.WithBaseURL(s.URL), ktwidget.WithHTTPClient(s.Client())}
	return ktwidget.New(s.Config(), append(base, opts...)...)
}

// Orders returns the orders the fake decrypted, in arrival order.
func (s *Server) Orders() []DecryptedOrder {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]DecryptedOrder(nil), s.orders...)
}

// Transactions counts created transactions.
func (s *Server) Transactions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.txs)
}

// NextPayment scripts the final status ("completed", "denied", "error") of
// the next widget payments.
func (s *Server) NextPayment(status ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = append(s.next, status...)
}

// Deliveries returns every delivery of the notification of transaction
// hash so far, in order: each with the merchant's answer and, when KTPay
// would not take it as the acknowledgment, why (Delivery.Refused).
func (s *Server) Deliveries(hash string) []Delivery { return s.notes.Deliveries(hash) }

// WaitNotified waits until the notification of transaction hash is
// acknowledged and returns that delivery. It fails when KTPay's schedule
// ran out unacknowledged or ctx ends first, saying why the last delivery
// was refused.
func (s *Server) WaitNotified(ctx context.Context, hash string) (Delivery, error) {
	return s.notes.WaitNotified(ctx, hash)
}

// Status returns a transaction's status.
func (s *Server) Status(hash string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.txs[hash]; ok {
		return t.status
	}
	return ""
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/merchant-widget/payment", s.create)
	mux.HandleFunc("GET /api/v1/merchant-widget/payment/{hash}/acquirer-options", s.acquirer)
	mux.HandleFunc("GET /api/v1/merchant-widget/payment/{hash}/pdf", s.pdf)
	mux.HandleFunc("GET /payment-card", s.widgetPage)
	mux.HandleFunc("POST /payment-card/pay", s.pay)
	mux.HandleFunc("POST "+sinkPath, sink)
	mux.HandleFunc("POST "+sinkPath+"/", sink)
	return mux
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"success": false, "data": []any{}, "error": map[string]any{
		"code": code, "messages": map[string]string{"error": msg}, "hint": ""}})
}

func writeData(w http.ResponseWriter, data any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"error": []any{}, "response": map[string]any{"success": true, "data": data}})
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Auth-Identifier") != AppID {
		writeError(w, http.StatusUnauthorized, ktwidget.CodeUnknownApp, "Invalid or unknown merchant application id")
		return
	}
	if checkContentType(w, r) {
		return
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, fake.MaxBody))
	sealed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, ktwidget.CodeBadData, "Bad data format")
		return
	}
	s.mu.Lock()
	pub, priv, oldPub, oldPriv := s.pub, s.priv, s.oldPub, s.oldPriv
	s.mu.Unlock()
	plain, ok := box.OpenAnonymous(nil, sealed, pub, priv)
	if !ok {
		if oldPub != nil {
			if _, old := box.OpenAnonymous(nil, sealed, oldPub, oldPriv); old {
				writeError(w, http.StatusUnprocessableEntity, ktwidget.CodeKeyExpired, "Crypto key expired")
				return
			}
		}
		writeError(w, http.StatusUnprocessableEntity, ktwidget.CodeBadData, "Bad data format or content")
		return
	}
	if checkPlaintext(w, plain) {
		return
	}
	var d DecryptedOrder
	if err := json.Unmarshal(plain, &d); err != nil {
		writeError(w, http.StatusUnprocessableEntity, ktwidget.CodeBadData, "Bad data format or content")
		return
	}
	d.Raw = plain
	var post struct {
		Order struct {
			CallbackPostURL *string `json:"callback_post_url"`
		} `json:"order"`
	}
	_ = json.Unmarshal(plain, &post)
	if p := post.Order.CallbackPostURL; p != nil {
		u, err := url.Parse(*p)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			writeError(w, http.StatusUnprocessableEntity, ktwidget.CodeValidation, "Request parameter validation failed")
			return
		}
		d.CallbackPostURL = *p
	}
	if err := d.Order.Validate(); err != nil {
		writeError(w, http.StatusUnprocessableEntity, ktwidget.CodeValidation, "Request parameter validation failed")
		return
	}
	var hb [20]byte
	_, _ = rand.Read(hb[:])
	t := &tx{hash: hex.EncodeToString(hb[:]), order: d.Order, post: d.CallbackPostURL, status: ktwidget.StatusPending, created: time.Now()}
	show := true
	if d.Order.ShowCloseButton != nil {
		show = *d.Order.ShowCloseButton
	}
	s.mu.Lock()
	if s.orderIDs[d.Order.OrderID] {
		s.mu.Unlock()
		writeError(w, http.StatusUnprocessableEntity, ktwidget.CodeValidation, "order_id must be unique")
		return
	}
	s.orderIDs[d.Order.OrderID] = true
	s.txs[t.hash] = t
	s.orders = append(s.orders, d)
	s.mu.Unlock()
	writeData(w, map[string]any{"transaction_hash": t.hash, "show_close_button": show})
}

func (s *Server) acquirer(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Auth-Identifier") != AppID {
		writeError(w, http.StatusUnauthorized, ktwidget.CodeUnknownApp, "Invalid or unknown merchant application id")
		return
	}
	if s.Status(r.PathValue("hash")) == "" {
		writeError(w, http.StatusNotFound, 5000107, "Error getting merchant transaction info")
		return
	}
	writeData(w, map[string]string{"payment_page": fake.BaseURL(r) + "/payment-card?hash=" + r.PathValue("hash")})
}

func (s *Server) pdf(w http.ResponseWriter, r *http.Request) {
	if s.Status(r.PathValue("hash")) == "" {
		writeError(w, http.StatusNotFound, 5000107, "Error getting merchant transaction info")
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="payment-`+r.PathValue("hash")[:8]+`.pdf"`)
	_, _ = io.WriteString(w, "%PDF-1.4\n% fake KTPay receipt "+r.PathValue("hash")+"\n%%EOF\n")
}
