package iotpaytest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

// shop is a merchant's notifyUrl: IOTPay's NotificationHandler recording what it
// was handed once per order and status.
type shop struct {
	mu       sync.Mutex
	reported []iotpay.Order
}

func (s *shop) handler(c *iotpay.Client) http.Handler {
	return &iotpay.NotificationHandler{Client: c, Expect: signedOrder, Report: func(_ context.Context, o *iotpay.Order) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.reported = append(s.reported, *o)
		return nil
	}}
}

func (s *shop) orders() []iotpay.Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]iotpay.Order(nil), s.reported...)
}

// purchase starts a purchase whose notification goes to notifyURL (the
// client's configured NotifyURL), through srv and hc.
func purchase(t *testing.T, srv *iotpaytest.Server, hc *http.Client, no, notifyURL string) *iotpay.Checkout {
	t.Helper()
	cfg := srv.Config()
	cfg.NotifyURL = notifyURL
	c, err := iotpay.New(cfg, iotpay.WithBaseURL(srv.URL), iotpay.WithHTTPClient(hc))
	require.NoError(t, err)
	co, err := c.Purchase(context.Background(), &iotpay.PurchaseRequest{MchOrderNo: no, Amount: iotpay.AmountFromMinor(1500),
		ReturnURL: "https://shop.example/return?o=" + no})
	require.NoError(t, err)
	return co
}

func TestPayPageReturnsAndNotifiesOnce(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	var sh shop
	site := httptest.NewServer(sh.handler(c))
	defer site.Close()
	ctx := context.Background()

	co := purchase(t, srv, srv.Client(), "page-1", site.URL)
	res, err := srv.PayPage(ctx, co.RedirectURL, iotpaytest.TestCard)
	require.NoError(t, err)
	back := res.Return
	assert.Equal(t, "shop.example", back.Host)
	assert.Equal(t, "page-1", back.Query().Get("o"), "the merchant's own query is kept")
	ret, err := iotpay.ParseReturn(&http.Request{URL: back})
	require.NoError(t, err)
	assert.Equal(t, "SUCCESS", ret.RetCode)
	assert.Equal(t, iotpay.StatusSuccess, ret.Status)
	assert.Equal(t, "page-1", ret.MchOrderNo)

	o, ok := srv.OrderByMch("page-1")
	require.True(t, ok)
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = srv.WaitNotified(wait, o.PayOrderID)
	require.NoError(t, err)
	require.Len(t, sh.orders(), 1)
	assert.Equal(t, iotpay.AmountFromMinor(1500), sh.orders()[0].Amount)

	// A redelivered notification is acknowledged and reported no second time.
	d, err := srv.Redeliver(ctx, o.PayOrderID)
	require.NoError(t, err)
	assert.True(t, d.Acknowledged)
	assert.Equal(t, "SUCCESS", string(d.Body))
	assert.Len(t, srv.Deliveries(o.PayOrderID), 2)
	assert.Len(t, sh.orders(), 1)

	// The secureId is used up: the page is gone.
	_, err = srv.PayPage(ctx, co.RedirectURL, iotpaytest.TestCard)
	assert.ErrorContains(t, err, "404")
}

func TestDeclinedCardIsNeverNotified(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	var sh shop
	site := httptest.NewServer(sh.handler(c))
	defer site.Close()
	ctx := context.Background()

	res, err := srv.PayPage(ctx, purchase(t, srv, srv.Client(), "dec-1", site.URL).RedirectURL, iotpaytest.DeclinedCard)
	require.NoError(t, err)
	ret, err := iotpay.ParseReturn(&http.Request{URL: res.Return})
	require.NoError(t, err)
	assert.Equal(t, "FAIL", ret.RetCode)
	assert.Equal(t, iotpay.StatusFailed, ret.Status)
	// The answer a decline's test relies on is the query, not a notify.
	o, err := c.Query(ctx, &iotpay.QueryRequest{MchOrderNo: "dec-1"})
	require.NoError(t, err)
	assert.Equal(t, iotpay.StatusFailed, o.Status)
	assert.Empty(t, srv.Deliveries(o.PayOrderID))
	_, err = srv.Redeliver(ctx, o.PayOrderID)
	assert.ErrorIs(t, err, iotpaytest.ErrNothingToRedeliver)

	res, err = srv.PayPage(ctx, purchase(t, srv, srv.Client(), "pend-1", site.URL).RedirectURL, iotpaytest.PendingCard)
	require.NoError(t, err)
	assert.Equal(t, "1", res.Return.Query().Get("status"))
	assert.Empty(t, sh.orders())
}

func TestWidgetPaysDeclinesAndAddsCards(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()

	res, err := srv.PayWidget(ctx, embedPage(t, c, purchase(t, srv, srv.Client(), "w-ok", "http://127.0.0.1:1/n").SecureID, iotpay.ActionPay), iotpaytest.TestCard)
	require.NoError(t, err)
	assert.Equal(t, "SUCCESS", res.Result)
	require.NotNil(t, res.Order)
	assert.Equal(t, iotpay.StatusSuccess, res.Order.Status)
	assert.Equal(t, "w-ok", res.Order.MchOrderNo)
	assert.Contains(t, res.Order.RedirectURL, "https://shop.example/return?o=w-ok&")

	res, err = srv.PayWidget(ctx, embedPage(t, c, purchase(t, srv, srv.Client(), "w-no", "http://127.0.0.1:1/n").SecureID, iotpay.ActionPay), iotpaytest.DeclinedCard)
	require.NoError(t, err)
	assert.Equal(t, &iotpaytest.WidgetResult{Result: "FAIL", Message: "declined"}, res)

	co, err := c.AddCard(ctx, &iotpay.AddCardRequest{CardID: "card-w", ReturnURL: "https://shop.example/cards"})
	require.NoError(t, err)
	_, err = srv.PayWidget(ctx, embedPage(t, c, co.SecureID, iotpay.ActionAdd), iotpaytest.TestCard)
	assert.ErrorContains(t, err, "mounts the widget for Add", "PayWidget on an add-card page")
	res, err = srv.AddCardWidget(ctx, embedPage(t, c, co.SecureID, iotpay.ActionAdd), iotpaytest.TestCard)
	require.NoError(t, err)
	assert.Equal(t, "SUCCESS", res.Result)
	co, err = c.AddCard(ctx, &iotpay.AddCardRequest{CardID: "card-p", ReturnURL: "https://shop.example/cards"})
	require.NoError(t, err)
	added, err := srv.AddCardPage(ctx, co.RedirectURL, iotpaytest.TestCard)
	require.NoError(t, err)
	assert.Equal(t, "SUCCESS", added.Return.Query().Get("retCode"))
	for _, id := range []string{"card-w", "card-p"} {
		card, err := c.QueryCard(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, "424242******4242", card.CardNum)
	}
}

func TestMockRunsTheFlowInMemory(t *testing.T) {
	mock := httpmock.NewMockTransport()
	srv := iotpaytest.NewMock(t, mock)
	assert.Equal(t, string(iotpay.Sandbox), srv.URL)
	hc := &http.Client{Transport: mock}
	c, err := iotpay.New(srv.Config(), iotpay.WithHTTPClient(hc))
	require.NoError(t, err)
	var sh shop
	mock.RegisterResponder(http.MethodPost, "https://shop.example/iotpay/notify", iotpaytest.HandlerResponder(sh.handler(c)))
	ctx := context.Background()

	co := purchase(t, srv, hc, "mem-1", "https://shop.example/iotpay/notify")
	assert.Contains(t, co.RedirectURL, string(iotpay.Sandbox)+"/cc/purchase?key=")
	res, err := srv.PayPage(ctx, co.RedirectURL, iotpaytest.TestCard)
	require.NoError(t, err)
	assert.Equal(t, "SUCCESS", res.Return.Query().Get("retCode"))
	o, ok := srv.OrderByMch("mem-1")
	require.True(t, ok)
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = srv.WaitNotified(wait, o.PayOrderID)
	require.NoError(t, err)
	require.Len(t, sh.orders(), 1)
	got, err := c.Query(ctx, &iotpay.QueryRequest{MchOrderNo: "mem-1"})
	require.NoError(t, err)
	assert.Equal(t, iotpay.StatusComplete, got.Status, "acknowledged in memory")

	srv.Fail(http.MethodPost, "/v3/cc_purchase", iotpaytest.Fault{Kind: iotpaytest.DropAfter})
	cfg := srv.Config()
	cfg.NotifyURL = "https://shop.example/n"
	pc, err := iotpay.New(cfg, iotpay.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = pc.Purchase(ctx, &iotpay.PurchaseRequest{MchOrderNo: "mem-2", Amount: iotpay.AmountFromMinor(100), ReturnURL: "https://shop.example/r"})
	assert.ErrorIs(t, err, iotpay.ErrOutcomeUnknown)
	assert.Equal(t, 2, srv.Count(http.MethodPost, "/v3/cc_purchase"), "the dropped purchase was sent once, not retried")
}

// signedOrder accepts the order as IOTPay signed it: these tests are about
// the fake, not the handler's cross-check (iotpay's own tests cover it).
func signedOrder(_ context.Context, o *iotpay.Order) (iotpay.Expectation, error) {
	return iotpay.Expectation{MchOrderNo: o.MchOrderNo, Amount: o.Amount}, nil
}

// embedPage serves a merchant page that mounts IOTPay's widget for
// secureID and action (Client.Embed) and returns its URL.
func embedPage(t *testing.T, c *iotpay.Client, secureID, action string) string {
	t.Helper()
	html, err := c.Embed(iotpay.Embed{SecureID: secureID, Action: action})
	require.NoError(t, err)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><html><body>" + string(html) + "</body></html>"))
	}))
	t.Cleanup(page.Close)
	return page.URL + "/checkout"
}

// TestNewClientRunsTheFlow: NewClient's configured notifyUrl is the fake's
// stand-in merchant, so the main flow runs to an acknowledged notification
// with nothing else set, on loopback, over TLS and in memory.
func TestNewClientRunsTheFlow(t *testing.T) {
	for name, start := range map[string]func(t *testing.T) *iotpaytest.Server{
		"loopback": func(t *testing.T) *iotpaytest.Server { return iotpaytest.NewServer(t) },
		"TLS":      func(t *testing.T) *iotpaytest.Server { return iotpaytest.NewTLSServer(t) },
		"memory":   func(t *testing.T) *iotpaytest.Server { return iotpaytest.NewMock(t, httpmock.NewMockTransport()) },
	} {
		t.Run(name, func(t *testing.T) {
			srv := start(t)
			c, err := srv.NewClient()
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			co, err := c.Purchase(ctx, &iotpay.PurchaseRequest{MchOrderNo: "nc-1", Amount: iotpay.AmountFromMinor(100), ReturnURL: "https://shop.example/r"})
			require.NoError(t, err)
			_, err = srv.PayPage(ctx, co.RedirectURL, iotpaytest.TestCard)
			require.NoError(t, err)
			o, ok := srv.OrderByMch("nc-1")
			require.True(t, ok)
			d, err := srv.WaitNotified(ctx, o.PayOrderID)
			require.NoError(t, err)
			assert.Equal(t, srv.URL+"/merchant/notify", d.URL)
		})
	}
}
