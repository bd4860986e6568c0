// Package finrotatest is a loopback Finrota B2C gateway for tests and demos.
// It issues access tokens with an expiry (24 hours unless TokenTTL is set)
// and refuses expired or unknown ones with 401; issues widget tokens (20
// minutes); serves paymentOptions; accepts preparePayment with a widget
// token only; completes payments as a 3-D redirect to a stand-in bank page
// (which returns the shopper to returnUrl with a form POST) or as a direct
// sale, or fails them; refuses a clientReferenceCode used before with 409
// (whatever became of its payment); lists payments with their
// transactionStatusId (paid, failed, pending) at /erp/payments; serves a
// stand-in widget script with FinrotaPay.init; and records every request.
//
// Test cards: use3D decides 3-D Secure; card 4000000000000002 is declined
// (success false); the 3-D page's code "123456" passes.
//
// # Running it
//
// NewServer (or Start) serves it on a loopback port; NewMock (or StartMock)
// mounts it in memory on a jarcoal/httpmock transport at finrota.Sandbox,
// with no socket. Either way it records every request (Requests, Count) and
// plays scripted faults (Fail).
//
// What it serves under URL: the API (/auth/api/token/connect, /b2c/...,
// /erp/payments); the stand-in widget script at
// /static/finrota-widget/v1.0.0/index.umd.js (the path of finrota.ScriptURL,
// on the fake's host), which calls /b2c/widget/installments and
// /b2c/widget/preparePayment with the widget token; and the stand-in bank
// page /bank/3d?order={orderId} (Redirect.URL), whose form posts to
// /bank/3d and answers with the form auto-posted to returnUrl.
//
// # Shopper steps
//
// The shopper's steps in Finrota's flow, each played over HTTP as the
// browser would (no JavaScript engine), with the fake's own Client:
//
//   - the widget on the merchant's page (finrota.Widget.Snippet with
//     ScriptURL set to Server.ScriptURL): PayWidget opens the page, reads the
//     installments and calls preparePayment with the widget token, as the
//     widget does on Pay (Card.ThreeDS ticks use3D), and posts the prepare
//     token to the snippet's CompleteURL, as its onSuccess does; the
//     merchant completes the payment there and answers where the browser
//     goes next. Prepare makes a prepare token without HTTP;
//   - a declined card: DeclinedCard, in PayWidget or Prepare. It is
//     prepared all the same; CompletePayment then answers success false (a
//     *finrota.PaymentError), or, with 3-D Secure, the bank page's return
//     says success false;
//   - the bank's 3-D page at Redirect.URL (/bank/3d): PassThreeDS enters
//     Card.ThreeDSCode ("123456" passes, anything else fails) and posts the
//     form the page returns to the merchant's returnUrl, as the browser
//     does (ThreeDSCard carries both);
//   - closing the widget: the widget's Close button calls onClose in the
//     page and sends nothing to Finrota or the merchant, so there is no HTTP
//     step to play; the widget token simply lapses after 20 minutes.
//
// Which notifications follow: none. Finrota documents no server-to-server
// notification; the merchant learns a 3-D result from the shopper's return
// to returnUrl (posted by the browser; Redeliver posts it again, as a
// reload does) and confirms it with Client.ListPayments.
package finrotatest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/internal/decimal"
	"github.com/paywidget/paywidget-go/internal/fake"
)

// Test credentials.
const (
	APIKey    = "finrota-test-api-key"
	SecretKey = "finrota-test-secret-key"
)

// Server is a fake Finrota.
type Server struct {
	// URL is the fake's base URL: http://127.0.0.1:<port> for NewServer and
	// Start, the provider's sandbox host for NewMock and StartMock. Its API,
	// pages and scripts are all served under it.
	URL string

	srv *fake.Server
	env finrota.Environment // the host mounted in memory (NewMock); zero on loopback

	mu       sync.Mutex
	ttl      time.Duration
	access   map[string]time.Time
	widget   map[string]time.Time
	prepared map[string]*prepared
	payments []*Payment
	byRefs   map[string]*Payment // payments by clientReferenceCode
	threeD   time.Duration       // how long a 3-D step may wait
	fetches  int
	seq      int
	notes    *fake.Notifier // the browser's returns, by orderId
}

type prepared struct {
	amount   decimal.Decimal
	currency string
	use3D    bool
	decline  bool
	last4    string
	used     bool
}

// Payment is a payment as the fake recorded it.
type Payment struct {
	OrderID             string
	ClientReferenceCode string
	Amount              finrota.Amount
	// Currency is the currency the payment was prepared in (the widget's,
	// chosen in the shopper's browser).
	Currency finrota.Currency
	ThreeD   bool
	// Status is "pending" (3-D under way), "paid" or "failed".
	Status    string
	ReturnURL string

	id string    // transactionId
	at time.Time // when it was made
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
	s := &Server{ttl: 24 * time.Hour, threeD: 15 * time.Minute, access: map[string]time.Time{}, widget: map[string]time.Time{}, prepared: map[string]*prepared{}}
	s.notes = fake.NewNotifier("finrotatest", func(string) *http.Client { return s.Client() }, checkReturn, nil)
	return s
}

// Config returns the fake's credentials. On loopback pair it with
// finrota.WithBaseURL(s.URL); in memory (NewMock) its Environment is the
// mounted host already.
func (s *Server) Config() finrota.Config {
	return finrota.Config{APIKey: APIKey, SecretKey: SecretKey, Environment: s.env}
}

// NewClient returns a client of the fake; opts come after the fake's own.
func (s *Server) NewClient(opts ...finrota.Option) (*finrota.Client, error) {
	base := []finrota.Option{finrota.WithBaseURL(s.URL), finrota.WithHTTPClient(s.Client())}
	return finrota.New(s.Config(), append(base, opts...)...)
}

// SetTokenTTL sets the lifetime of access tokens issued from now on.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ttl = d
}

// RevokeTokens makes every issued access token invalid (401).
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access = map[string]time.Time{}
}

// TokenFetches counts access tokens issued.
func (s *Server) TokenFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

// Payments returns the payments made so far.
func (s *Server) Payments() []Payment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Payment, len(s.payments))
	for i, p := range s.payments {
		s.lapse(p)
		out[i] = *p
	}
	return out
}

// PaymentCount counts payments made.
func (s *Server) PaymentCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.payments)
}

// Prepare makes a prepare token for card and amount as the widget would,
// without the widget or any HTTP: one call to a payment that
// CompletePayment then pays, sends to the 3-D page (card.ThreeDS, as
// ThreeDSCard) or, with DeclinedCard, declines.
func (s *Server) Prepare(amount finrota.Amount, card Card) finrota.PrepareToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := newToken("prep")
	s.prepared[tok] = &prepared{amount: amount, currency: string(finrota.TRY), use3D: card.ThreeDS, decline: card.Number == declinedNumber, last4: last4(card.Number)}
	return finrota.PrepareToken(tok)
}

// ScriptURL is the stand-in widget script on the fake, for
// finrota.Widget.ScriptURL: a page that loads it runs the widget against
// the fake (PayWidget plays it).
func (s *Server) ScriptURL() string { return s.URL + scriptPath }

// scriptPath is the path of finrota.ScriptURL, served on the fake's host.
const scriptPath = "/static/finrota-widget/v1.0.0/index.umd.js"

func last4(n string) string {
	if len(n) < 4 {
		return n
	}
	return n[len(n)-4:]
}

func newToken(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/api/token/connect", s.connect)
	mux.HandleFunc("GET /b2c/widget/token", s.authed(s.widgetToken))
	mux.HandleFunc("GET /b2c/paymentOptions", s.authed(s.paymentOptions))
	mux.HandleFunc("POST /b2c/widget/preparePayment", s.preparePayment)
	mux.HandleFunc("OPTIONS /b2c/widget/preparePayment", cors)
	mux.HandleFunc("GET /b2c/widget/installments", s.widgetInstallments)
	mux.HandleFunc("OPTIONS /b2c/widget/installments", cors)
	mux.HandleFunc("POST /b2c/widget/payment", s.authed(s.payment))
	mux.HandleFunc("POST /b2c/payment", s.authed(s.directPayment))
	mux.HandleFunc("GET /erp/payments", s.authed(s.listPayments))
	mux.HandleFunc("GET /bank/3d", s.bankPage)
	mux.HandleFunc("POST /bank/3d", s.bankSubmit)
	mux.HandleFunc("GET "+scriptPath, s.script)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, kind, msg string) {
	writeJSON(w, status, map[string]any{"statusCode": status, "error": kind, "message": msg})
}

func cors(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) connect(w http.ResponseWriter, r *http.Request) {
	if checkWire(w, r) {
		return
	}
	var in struct{ APIKey, SecretKey string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.APIKey != APIKey || in.SecretKey != SecretKey {
		writeError(w, http.StatusUnauthorized, "Unauthorized", "invalid apiKey or secretKey")
		return
	}
	s.mu.Lock()
	tok := "eyJ" + newToken("access")
	exp := time.Now().Add(s.ttl).UTC()
	s.access[tok] = exp
	s.fetches++
	s.mu.Unlock()
	// .NET style: seven fractional digits and Z.
	writeJSON(w, http.StatusOK, map[string]string{"token": tok, "expiry": exp.Format("2006-01-02T15:04:05.0000000Z"), "type": "Bearer"})
}

func bearer(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// authed accepts only a live access token.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		exp, ok := s.access[bearer(r)]
		s.mu.Unlock()
		if !ok || time.Now().After(exp) {
			writeError(w, http.StatusUnauthorized, "Unauthorized", "token missing, expired or invalid")
			return
		}
		if checkWire(w, r) {
			return
		}
		h(w, r)
	}
}

func (s *Server) widgetToken(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	tok := newToken("widget")
	s.widget[tok] = time.Now().Add(finrota.WidgetTokenLifetime)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"token": tok})
}

func installments(amount decimal.Decimal) []map[string]any {
	return []map[string]any{{
		"id": 1, "name": "Test Bonus", "postTitle": "Test Bank POS", "isDefaultPos": true,
		"installments": []map[string]any{
			{"currencyId": "TRY", "amount": amount, "installment": 1, "installmentAmount": amount, "token": "inst-1", "processAmount": amount, "commRate": 0, "posId": 7, "commApplyTypeId": 1},
		},
	}}
}

func (s *Server) paymentOptions(w http.ResponseWriter, r *http.Request) {
	amount, err := decimal.Parse(r.URL.Query().Get("amount"))
	if err != nil || len(r.URL.Query().Get("binNumber")) < 6 || r.Header.Get("Proxy-Authorization") == "" {
		writeError(w, http.StatusBadRequest, "BadRequest", "binNumber, amount, currency and Proxy-Authorization are required")
		return
	}
	writeJSON(w, http.StatusOK, installments(amount))
}

// widgetInstallments is the stand-in widget's own options call (the real
// widget's path is not documented), with the widget token.
func (s *Server) widgetInstallments(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if !s.liveWidget(bearer(r)) {
		writeError(w, http.StatusUnauthorized, "Unauthorized", "widget token missing or expired")
		return
	}
	amount, err := decimal.Parse(r.URL.Query().Get("amount"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", "amount required")
		return
	}
	writeJSON(w, http.StatusOK, installments(amount))
}

func (s *Server) liveWidget(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.widget[tok]
	return ok && time.Now().Before(exp)
}

func (s *Server) preparePayment(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if !s.liveWidget(bearer(r)) {
		writeError(w, http.StatusUnauthorized, "Unauthorized", "preparePayment needs the widget token")
		return
	}
	if checkWire(w, r) {
		return
	}
	var in struct {
		Card struct {
			CardNumber, CardHolderName, CVV string
			ExpMonth, ExpYear               int
		} `json:"card"`
		Use3D            bool            `json:"use3D"`
		Currency         string          `json:"currency"`
		Amount           decimal.Decimal `json:"amount"`
		InstallmentToken string          `json:"installmentToken"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Card.CardNumber) < 12 || in.Amount.Sign() <= 0 || in.InstallmentToken == "" {
		writeError(w, http.StatusUnprocessableEntity, "ValidationError", "card, amount and installmentToken are required")
		return
	}
	s.mu.Lock()
	tok := newToken("prep")
	n := in.Card.CardNumber
	s.prepared[tok] = &prepared{amount: in.Amount, currency: in.Currency, use3D: in.Use3D, decline: n == declinedNumber, last4: last4(n)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"prepareToken": tok})
}

type payIn struct {
	Amount              decimal.Decimal `json:"amount"`
	PrepareToken        string          `json:"prepareToken"`
	ReturnURL           string          `json:"returnUrl"`
	ClientReferenceCode string          `json:"clientReferenceCode"`
	CustomerIPAddress   string          `json:"customerIpAddress"`
}

func (s *Server) payment(w http.ResponseWriter, r *http.Request) {
	var in payIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.PrepareToken == "" || in.ReturnURL == "" || in.ClientReferenceCode == "" || in.CustomerIPAddress == "" {
		writeError(w, http.StatusUnprocessableEntity, "ValidationError", "amount, prepareToken, returnUrl, clientReferenceCode and customerIpAddress are required")
		return
	}
	if s.refused(w, in.ClientReferenceCode) {
		return
	}
	s.mu.Lock()
	p, ok := s.prepared[in.PrepareToken]
	s.mu.Unlock()
	if !ok || p.used {
		writeError(w, http.StatusBadRequest, "BadRequest", "prepareToken unknown or used")
		return
	}
	s.complete(w, r, in, p)
}

// refused answers 409 for a clientReferenceCode a payment was made under
// (paid, failed or pending alike), before anything else of the request is
// looked at: Finrota's conflict for a reused reference.
func (s *Server) refused(w http.ResponseWriter, ref string) bool {
	s.mu.Lock()
	used := s.byRef(ref) != nil
	s.mu.Unlock()
	if used {
		writeError(w, http.StatusConflict, "Conflict", "clientReferenceCode already used")
	}
	return used
}

// byRef is the payment made under ref, or nil; s.mu is held.
func (s *Server) byRef(ref string) *Payment { return s.byRefs[ref] }

func (s *Server) directPayment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		payIn
		Card struct {
			CardNumber string `json:"cardNumber"`
		} `json:"card"`
		Use3D    bool   `json:"use3D"`
		Currency string `json:"currency"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Card.CardNumber) < 12 || in.ClientReferenceCode == "" {
		writeError(w, http.StatusUnprocessableEntity, "ValidationError", "card and clientReferenceCode are required")
		return
	}
	if s.refused(w, in.ClientReferenceCode) {
		return
	}
	n := in.Card.CardNumber
	s.complete(w, r, in.payIn, &prepared{amount: in.Amount, currency: in.Currency, use3D: in.Use3D, decline: n == declinedNumber, last4: last4(n)})
}

func (s *Server) complete(w http.ResponseWriter, r *http.Request, in payIn, p *prepared) {
	if !p.amount.Equal(in.Amount) {
		writeError(w, http.StatusBadRequest, "BadRequest", "amount differs from the prepared amount")
		return
	}
	s.mu.Lock()
	if s.byRef(in.ClientReferenceCode) != nil { // a concurrent twin got here first
		s.mu.Unlock()
		writeError(w, http.StatusConflict, "Conflict", "clientReferenceCode already used")
		return
	}
	p.used = true
	s.seq++
	pay := &Payment{OrderID: "NTH15P" + pad(s.seq), ClientReferenceCode: in.ClientReferenceCode, Amount: in.Amount, Currency: finrota.Currency(p.currency), ThreeD: p.use3D,
		ReturnURL: in.ReturnURL, id: newGUID(), at: time.Now()}
	s.payments = append(s.payments, pay)
	if s.byRefs == nil {
		s.byRefs = map[string]*Payment{}
	}
	s.byRefs[pay.ClientReferenceCode] = pay
	switch {
	case p.decline:
		pay.Status = "failed"
	case p.use3D:
		pay.Status = "pending"
	default:
		pay.Status = "paid"
	}
	s.mu.Unlock()
	switch pay.Status {
	case "failed":
		writeJSON(w, http.StatusOK, map[string]any{"paymentType": "DirectSale", "orderId": pay.OrderID, "clientReferenceCode": pay.ClientReferenceCode, "success": false, "error": "Insufficient funds"})
	case "pending":
		writeJSON(w, http.StatusOK, map[string]any{"paymentType": "RedirectUrl", "redirectTo": fake.BaseURL(r) + "/bank/3d?order=" + pay.OrderID, "orderId": pay.OrderID, "clientReferenceCode": pay.ClientReferenceCode})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"paymentType": "DirectSale", "orderId": pay.OrderID, "clientReferenceCode": pay.ClientReferenceCode, "success": true})
	}
}

func pad(n int) string {
	s := "0000000000" + strconv.Itoa(n)
	return s[len(s)-10:]
}

// listPayments is /erp/payments: every payment (paid, failed and pending,
// each with its transactionStatusId: 1 successful, 2 failed, 3 pending, as
// Finrota's transaction query documents), filtered by clientReferenceCode
// and referenceCode, in pages (page from 1, pageSize 1 to 1000; both
// required numbers when given).
func (s *Server) listPayments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, pageSize := 1, 10
	for name, into := range map[string]*int{"page": &page, "pageSize": &pageSize} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || (name == "pageSize" && n > 1000) {
				writeError(w, http.StatusBadRequest, "BadRequest", name+" must be a positive number")
				return
			}
			*into = n
		}
	}
	ref, orderID := q.Get("clientReferenceCode"), q.Get("referenceCode")
	s.mu.Lock()
	defer s.mu.Unlock()
	data := []map[string]any{}
	skip := (page - 1) * pageSize
	pays := s.payments
	if ref != "" { // one payment at most: Finrota refuses a used reference
		pays = nil
		if p := s.byRef(ref); p != nil {
			pays = []*Payment{p}
		}
	}
	for _, p := range pays {
		if (ref != "" && p.ClientReferenceCode != ref) || (orderID != "" && p.OrderID != orderID) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if len(data) == pageSize {
			break
		}
		s.lapse(p)
		data = append(data, map[string]any{"id": p.id, "referenceNumber": p.OrderID, "clientReferenceNumber": p.ClientReferenceCode,
			"currencyType": p.Currency, "transactionDate": p.at.UTC().Format("2006-01-02T15:04:05.0000000"), "installment": 1,
			"lastAmount": p.Amount, "lastNetAmount": p.Amount, "commRate": 0, "transactionStatusId": statusIDs[p.Status]})
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

// statusIDs are Finrota's transactionStatusId values of the fake's statuses.
var statusIDs = map[string]int{"paid": 1, "failed": 2, "pending": 3}

// SetThreeDLifetime sets how long the bank's 3-D page waits for the shopper
// (default 15 minutes): a 3-D payment still pending after it fails, as a
// lapsed bank session does ("3-D Secure session expired"), and its page no
// longer takes a code.
func (s *Server) SetThreeDLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.threeD = d
}

// lapse fails p when its 3-D step has waited past the lifetime; s.mu is held.
func (s *Server) lapse(p *Payment) {
	if p.Status == "pending" && time.Since(p.at) > s.threeD {
		p.Status = "failed"
	}
}

func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
