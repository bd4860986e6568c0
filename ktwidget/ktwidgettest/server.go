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
package ktwidgettest

import (
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

// Fault is one scripted misbehaviour, queued with Server.Fail.
type Fault = fake.Fault

// Where a fault strikes.
const (
	Status     = fake.Status
	DropBefore = fake.DropBefore
	DropAfter  = fake.DropAfter
	Truncate   = fake.Truncate
	Malformed  = fake.Malformed
	Hang       = fake.Hang
)

// RetrySchedule is KTPay's notification schedule (15 s, 60 s, 3 min, 10 min,
// 30 min, 60 min) divided by 1000.
var RetrySchedule = []time.Duration{15 * time.Millisecond, 60 * time.Millisecond, 180 * time.Millisecond, 600 * time.Millisecond, 1800 * time.Millisecond, 3600 * time.Millisecond}

// Server is a fake KTPay.
type Server struct {
	*fake.Server

	pub, priv       *[32]byte
	oldPub, oldPriv *[32]byte

	mu       sync.Mutex
	txs      map[string]*tx // by hash
	orderIDs map[string]bool
	orders   []DecryptedOrder
	next     []string
	deliv    map[string]int
	acked    map[string]bool
	hc       *http.Client
	wg       sync.WaitGroup
	closing  chan struct{}
}

// DecryptedOrder is a sealed body as the fake opened it.
type DecryptedOrder struct {
	Order ktwidget.Order `json:"order"`
	User  *ktwidget.User `json:"user,omitempty"`
	// CallbackPostURL is the order's callback_post_url, where the fake
	// posts its notification ("" when none was sent).
	CallbackPostURL string          `json:"-"`
	Raw             json.RawMessage `json:"-"`
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
	// crypto/rand does not fail (Go 1.24+), so neither does GenerateKey.
	pub, priv, _ := box.GenerateKey(rand.Reader)
	s := &Server{pub: pub, priv: priv, txs: map[string]*tx{}, orderIDs: map[string]bool{}, deliv: map[string]int{}, acked: map[string]bool{},
		hc: &http.Client{Timeout: 5 * time.Second}, closing: make(chan struct{})}
	s.Server = fake.New(s.routes())
	return s
}

// Close stops notification deliveries and the server.
func (s *Server) Close() {
	close(s.closing)
	s.wg.Wait()
	s.Server.Close()
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
// widget on the fake itself, and the test callback secret.
func (s *Server) Config() ktwidget.Config {
	return ktwidget.Config{AppID: AppID, PublicKey: s.PublicKey(), WidgetURL: s.URL, CallbackSecret: CallbackSecret}
}

// NewClient returns a client of the fake; opts come after the fake's own.
func (s *Server) NewClient(opts ...ktwidget.Option) (*ktwidget.Client, error) {
	base := []ktwidget.Option{ktwidget.WithBaseURL(s.URL), ktwidget.WithHTTPClient(s.Server.Client())}
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

// Deliveries returns how often the notification of hash was sent and
// whether it was acknowledged.
func (s *Server) Deliveries(hash string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deliv[hash], s.acked[hash]
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
	writeData(w, map[string]string{"payment_page": "http://" + r.Host + "/payment-card?hash=" + r.PathValue("hash")})
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
