package ktwidget_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

type book struct {
	mu       sync.Mutex
	orders   map[string]ktwidget.Expectation
	reported []*ktwidget.Notification
}

func (b *book) Expect(_ context.Context, n *ktwidget.Notification) (ktwidget.Expectation, error) {
	id := n.OrderID
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.orders[id]
	if !ok {
		return r, errors.New("unknown")
	}
	return r, nil
}

func (b *book) report(_ context.Context, n *ktwidget.Notification) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reported = append(b.reported, n)
	return nil
}

func (b *book) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.reported)
}

const hash = "0123456789abcdef0123456789abcdef01234567"

func notificationBody(orderID, amount, h, status string) string {
	errPart := "null"
	if status == "denied" || status == "error" {
		errPart = `{"error_type":"ERROR_PAYMENT","error_message":"KKB rejected payment"}`
	}
	return `{"merchant_id":1001,"order_id":"` + orderID + `","description":"kettle","amount":` + amount +
		`,"transaction_hash":"` + h + `","created_at":"2019-02-05T14:22:53+06:00","updated_at":null,` +
		`"status":{"status":"` + status + `","created_at":"2019-02-05T14:25:00+06:00","updated_at":null,"error":` + errPart + `}}`
}

func TestNotificationHandler(t *testing.T) {
	pub, _ := keyPair(t)
	c := clientWithBase(t, pub, "https://shop.example/kt/notify?src=kt")
	b := &book{orders: map[string]ktwidget.Expectation{"o-1": {TransactionHash: hash, Amount: ktwidget.MustParseAmount("2750")}}}
	h := &ktwidget.NotificationHandler{Client: c, Expect: b.Expect, Report: b.report}
	cb, err := c.CallbackURL("o-1")
	require.NoError(t, err)
	u, _ := url.Parse(cb)
	assert.Equal(t, "kt", u.Query().Get("src"), "the base URL's query is kept")

	post := func(target, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, target, strings.NewReader(body)))
		return rec
	}
	target := u.RequestURI()

	// Accepted: exact ack, reported once however often it comes.
	for range 3 {
		rec := post(target, notificationBody("o-1", "2750.00", hash, "completed"))
		require.Equal(t, 200, rec.Code)
		assert.Equal(t, `{"status":"ok"}`, rec.Body.String())
		assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	}
	require.Equal(t, 1, b.count())
	assert.True(t, b.reported[0].Paid())
	assert.Nil(t, b.reported[0].UpdatedAt)

	// Non-final statuses are acknowledged, not reported.
	rec := post(target, notificationBody("o-1", "2750", hash, "authorized"))
	assert.Equal(t, `{"status":"ok"}`, rec.Body.String())
	assert.Equal(t, 1, b.count())

	// Refused: no or forged token, another order's token, wrong amount or
	// hash, unknown order, oversized or broken body.
	forged := strings.Replace(target, "t=", "t=x", 1)
	b.orders["o-2"] = ktwidget.Expectation{TransactionHash: hash, Amount: ktwidget.MustParseAmount("1")}
	other, _ := c.CallbackURL("o-2")
	ou, _ := url.Parse(other)
	unknown, _ := c.CallbackURL("o-9")
	uu, _ := url.Parse(unknown)
	for name, tc := range map[string]struct {
		target, body string
		code         int
	}{
		"no token":      {"/kt/notify?o=o-1", notificationBody("o-1", "2750", hash, "denied"), 403},
		"forged token":  {forged, notificationBody("o-1", "2750", hash, "denied"), 403},
		"other order":   {ou.RequestURI(), notificationBody("o-1", "2750", hash, "denied"), 409},
		"wrong amount":  {target, notificationBody("o-1", "27.50", hash, "denied"), 409},
		"wrong hash":    {target, notificationBody("o-1", "2750", strings.Repeat("f", 40), "denied"), 409},
		"unknown order": {uu.RequestURI(), notificationBody("o-9", "2750", hash, "denied"), 404},
		"oversized":     {target, `{"order_id":"o-1","pad":"` + strings.Repeat("x", ktwidget.MaxNotificationBytes) + `"}`, 400},
		"not json":      {target, `order_id=o-1`, 400},
		"no status":     {target, `{"order_id":"o-1","transaction_hash":"` + hash + `","amount":2750}`, 400},
	} {
		rec := post(tc.target, tc.body)
		assert.Equal(t, tc.code, rec.Code, name)
		assert.NotEqual(t, `{"status":"ok"}`, rec.Body.String(), name)
	}
	assert.Equal(t, 1, b.count())

	// The same order reaching another final status is news.
	rec = post(target, notificationBody("o-1", "2750", hash, "error"))
	assert.Equal(t, 200, rec.Code)
	assert.Equal(t, 2, b.count())
	assert.Equal(t, "ERROR_PAYMENT", b.reported[1].Status.Error.Type)
}

func TestCallbackURLNeedsSecret(t *testing.T) {
	pub, _ := keyPair(t)
	c, err := ktwidget.New(ktwidget.Config{AppID: "a", PublicKey: b64(pub[:]), Environment: ktwidget.Test})
	require.NoError(t, err)
	_, err = c.CallbackURL("o")
	require.ErrorIs(t, err, ktwidget.ErrInvalidRequest, "no CallbackBase configured")
	_, err = ktwidget.New(ktwidget.Config{AppID: "a", PublicKey: b64(pub[:]), CallbackSecret: "short"})
	require.ErrorIs(t, err, ktwidget.ErrInvalidRequest)
	_, err = ktwidget.New(ktwidget.Config{AppID: "a", PublicKey: b64(pub[:]), CallbackBase: "https://shop.example/n"})
	require.ErrorIs(t, err, ktwidget.ErrInvalidRequest, "CallbackBase without CallbackSecret")
}

// The notification address is configuration: New refuses anything but an
// absolute http(s) URL, and no call takes a per-request base.
func TestCallbackBaseIsValidatedAtNew(t *testing.T) {
	pub, _ := keyPair(t)
	for _, bad := range []string{"/kt/notify", "shop.example/kt", "javascript:alert(1)", "ftp://shop.example/kt", "https://user:pw@shop.example/kt",
		"https://shop.example/kt#x", "https:///kt", "data:text/html,hi"} {
		_, err := ktwidget.New(ktwidget.Config{AppID: "a", PublicKey: b64(pub[:]), CallbackSecret: "0123456789abcdef", CallbackBase: bad})
		require.ErrorIs(t, err, ktwidget.ErrInvalidRequest, bad)
	}
	c := clientWithBase(t, pub, "https://shop.example/kt/notify")
	u, err := c.CallbackURL("o-1")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(u, "https://shop.example/kt/notify?o=o-1&t="), u)
	_, err = c.CallbackURL("")
	require.ErrorIs(t, err, ktwidget.ErrInvalidRequest)
}

// End to end with the fake: create, pay on the widget page, notification
// delivered with retries until acknowledged.
func TestNotificationFromFake(t *testing.T) {
	srv := ktwidgettest.NewServer(t)
	b := &book{orders: map[string]ktwidget.Expectation{}}
	fails := 2
	var mu sync.Mutex
	var handler http.Handler
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		down := fails > 0
		fails--
		mu.Unlock()
		if down {
			http.Error(w, "restarting", http.StatusServiceUnavailable)
			return
		}
		handler.ServeHTTP(w, r)
	}))
	defer shop.Close()
	cfg := srv.Config()
	cfg.CallbackBase = shop.URL + "/kt/notify"
	c, err := ktwidget.New(cfg, ktwidget.WithBaseURL(srv.URL), ktwidget.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	handler = &ktwidget.NotificationHandler{Client: c, Expect: b.Expect, Report: b.report}
	o := order("o-7")
	p, err := c.CreatePayment(context.Background(), o, nil)
	require.NoError(t, err)
	b.mu.Lock()
	b.orders["o-7"] = ktwidget.Expectation{TransactionHash: p.TransactionHash, Amount: o.Amount}
	b.mu.Unlock()

	resp, err := srv.Client().PostForm(srv.URL+"/payment-card/pay", url.Values{"hash": {p.TransactionHash}, "card": {"4111111111111111"}, "expiry": {"12/30"}, "cvc": {"123"}})
	require.NoError(t, err)
	resp.Body.Close()
	deadline := time.Now().Add(5 * time.Second)
	for b.count() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	require.Equal(t, 1, b.count())
	wait, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	_, err = srv.WaitNotified(wait, p.TransactionHash)
	require.NoError(t, err)
	ds := srv.Deliveries(p.TransactionHash)
	require.Len(t, ds, 3, "two failures, then the ack")
	assert.False(t, ds[0].Acknowledged)
	assert.NotEmpty(t, ds[0].Refused, "a refused delivery says why")
	assert.True(t, ds[2].Acknowledged)
	assert.Equal(t, ktwidget.StatusCompleted, b.reported[0].Status.Status)
}

func TestSnippetChecksOrigin(t *testing.T) {
	pub, _ := keyPair(t)
	c := clientFor(t, pub)
	html, err := c.Snippet(`https://widget.nplus.tech/payment-card?hash=abc&show_close_button=true`, "n0nce")
	require.NoError(t, err)
	s := string(html)
	assert.Contains(t, s, `id="iframe_widget"`)
	assert.Contains(t, s, `var widgetOrigin = "https://widget.nplus.tech";`)
	assert.Contains(t, s, `event.origin !== widgetOrigin`)
	assert.Contains(t, s, `nonce="n0nce"`)
	assert.Contains(t, s, `src="https://widget.nplus.tech/payment-card?hash=abc&amp;show_close_button=true"`)
	for _, bad := range []string{"javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x", "//widget.nplus.tech/p", "/payment-card"} {
		_, err = c.Snippet(bad, "")
		require.ErrorIs(t, err, ktwidget.ErrInvalidRequest, bad)
	}
}

// TestNotificationHandlerFailsClosedOnAnIncompleteExpectation: an Expect
// that forgets the hash or the amount refuses the notification (500) and
// reports nothing, rather than accepting any payment for the order.
func TestNotificationHandlerFailsClosedOnAnIncompleteExpectation(t *testing.T) {
	pub, _ := keyPair(t)
	c := clientWithBase(t, pub, "https://shop.example/kt/notify")
	cb, err := c.CallbackURL("o-1")
	require.NoError(t, err)
	u, _ := url.Parse(cb)
	for name, want := range map[string]ktwidget.Expectation{
		"no hash":   {Amount: ktwidget.MustParseAmount("2750")},
		"no amount": {TransactionHash: hash},
	} {
		b := &book{}
		h := &ktwidget.NotificationHandler{Client: c, Report: b.report,
			Expect: func(context.Context, *ktwidget.Notification) (ktwidget.Expectation, error) { return want, nil }}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, u.RequestURI(), strings.NewReader(notificationBody("o-1", "2750", hash, "completed"))))
		assert.Equal(t, http.StatusInternalServerError, rec.Code, name)
		assert.Zero(t, b.count(), name)
		require.ErrorIs(t, want.Validate(), ktwidget.ErrInvalidRequest)
	}
}
