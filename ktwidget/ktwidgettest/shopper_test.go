package ktwidgettest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

// shop is a merchant: its orders and the notifications its handler reported.
type shop struct {
	mu       sync.Mutex
	recorded map[string]ktwidget.Expectation
	reported []string
}

func (s *shop) Expect(_ context.Context, n *ktwidget.Notification) (ktwidget.Expectation, error) {
	orderID := n.OrderID
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recorded[orderID]
	if !ok {
		return r, errors.New("unknown order")
	}
	return r, nil
}

func (s *shop) handler(c *ktwidget.Client) http.Handler {
	return &ktwidget.NotificationHandler{Client: c, Expect: s.Expect, Report: func(_ context.Context, n *ktwidget.Notification) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.reported = append(s.reported, n.OrderID+" "+n.Status.Status)
		return nil
	}}
}

func (s *shop) reports() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reported...)
}

// create makes a payment, through srv and hc, whose notification goes to
// notifyBase (the client's configured CallbackBase).
func (s *shop) create(t *testing.T, srv *ktwidgettest.Server, hc *http.Client, orderID, notifyBase string, showClose bool) *ktwidget.Payment {
	t.Helper()
	cfg := srv.Config()
	cfg.CallbackBase = notifyBase
	c, err := ktwidget.New(cfg, ktwidget.WithBaseURL(srv.URL), ktwidget.WithHTTPClient(hc))
	require.NoError(t, err)
	amount := ktwidget.MustParseAmount("2750.00")
	p, err := c.CreatePayment(context.Background(), &ktwidget.Order{OrderID: orderID, Amount: amount, Type: ktwidget.TypeEcom,
		CallbackSuccessURL: "https://shop.example/ok/" + orderID, CallbackFailedURL: "https://shop.example/failed/" + orderID,
		ShowCloseButton: &showClose}, nil)
	require.NoError(t, err)
	s.mu.Lock()
	if s.recorded == nil {
		s.recorded = map[string]ktwidget.Expectation{}
	}
	s.recorded[orderID] = ktwidget.Expectation{TransactionHash: p.TransactionHash, Amount: amount}
	s.mu.Unlock()
	return p
}

func waitAcked(t *testing.T, srv *ktwidgettest.Server, hash string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := srv.WaitNotified(ctx, hash)
	require.NoError(t, err)
	require.True(t, d.Acknowledged)
}

func TestPayWidgetCompletesNotifiesAndRedelivers(t *testing.T) {
	srv := ktwidgettest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	var sh shop
	site := httptest.NewServer(sh.handler(c))
	defer site.Close()
	ctx := context.Background()

	p := sh.create(t, srv, srv.Client(), "kt-1", site.URL, true)
	rc, err := srv.PayWidget(ctx, p.WidgetURL, ktwidgettest.TestCard)
	require.NoError(t, err)
	assert.Equal(t, &ktwidgettest.WidgetResult{Status: ktwidget.StatusCompleted, Next: "https://shop.example/ok/kt-1"}, rc)
	assert.Equal(t, ktwidget.StatusCompleted, srv.Status(p.TransactionHash))
	waitAcked(t, srv, p.TransactionHash)
	assert.Equal(t, []string{"kt-1 completed"}, sh.reports())

	d, err := srv.Redeliver(ctx, p.TransactionHash)
	require.NoError(t, err)
	assert.True(t, d.Acknowledged, "a duplicate is acknowledged")
	assert.Equal(t, http.StatusOK, d.Status)
	assert.Len(t, srv.Deliveries(p.TransactionHash), 2)
	assert.Equal(t, []string{"kt-1 completed"}, sh.reports(), "and reported once")

	// A finished transaction cannot be paid again.
	_, err = srv.PayWidget(ctx, p.WidgetURL, ktwidgettest.TestCard)
	assert.ErrorContains(t, err, "409")
}

func TestDeclinedCardIsNotifiedAsDenied(t *testing.T) {
	srv := ktwidgettest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	var sh shop
	site := httptest.NewServer(sh.handler(c))
	defer site.Close()

	p := sh.create(t, srv, srv.Client(), "kt-2", site.URL, true)
	rc, err := srv.PayWidget(context.Background(), p.WidgetURL, ktwidgettest.DeclinedCard)
	require.NoError(t, err)
	assert.Equal(t, &ktwidgettest.WidgetResult{Status: ktwidget.StatusDenied, Next: "https://shop.example/failed/kt-2"}, rc)
	waitAcked(t, srv, p.TransactionHash)
	assert.Equal(t, []string{"kt-2 denied"}, sh.reports())
}

func TestCloseWidget(t *testing.T) {
	srv := ktwidgettest.NewServer(t)
	var sh shop
	ctx := context.Background()

	p := sh.create(t, srv, srv.Client(), "kt-3", "https://shop.example/n", true)
	closed, err := srv.CloseWidget(ctx, p.WidgetURL)
	require.NoError(t, err)
	assert.Equal(t, &ktwidgettest.WidgetResult{Status: ktwidget.StatusPending}, closed)
	assert.Equal(t, ktwidget.StatusPending, srv.Status(p.TransactionHash))
	_, err = srv.Redeliver(ctx, p.TransactionHash)
	assert.ErrorIs(t, err, ktwidgettest.ErrNothingToRedeliver, "closing notifies nothing")

	p = sh.create(t, srv, srv.Client(), "kt-4", "https://shop.example/n", false)
	_, err = srv.CloseWidget(ctx, p.WidgetURL)
	assert.ErrorIs(t, err, ktwidgettest.ErrNoCloseButton)
}

func TestMockRunsTheFlowInMemory(t *testing.T) {
	mock := httpmock.NewMockTransport()
	srv := ktwidgettest.NewMock(t, mock)
	hc := &http.Client{Transport: mock}
	c, err := ktwidget.New(srv.Config(), ktwidget.WithHTTPClient(hc))
	require.NoError(t, err)
	var sh shop
	mock.RegisterResponder(http.MethodPost, "https://shop.example/ktpay/notify", ktwidgettest.HandlerResponder(sh.handler(c)))

	p := sh.create(t, srv, hc, "kt-mem", "https://shop.example/ktpay/notify", true)
	assert.Contains(t, p.WidgetURL, ktwidget.Test.Widget+"/payment-card?hash=")
	rc, err := srv.PayWidget(context.Background(), p.WidgetURL, ktwidgettest.TestCard)
	require.NoError(t, err)
	assert.Equal(t, ktwidget.StatusCompleted, rc.Status)
	waitAcked(t, srv, p.TransactionHash)
	assert.Equal(t, []string{"kt-mem completed"}, sh.reports())
	assert.Equal(t, 1, srv.Count(http.MethodPost, "/api/v1/merchant-widget/payment"))
}

// TestRefusedAcknowledgmentSaysWhy: an answer KTPay would not take is
// resent, and each delivery records why it was refused, for each way a
// merchant's answer can miss KTPay's expectations.
func TestRefusedAcknowledgmentSaysWhy(t *testing.T) {
	for name, tc := range map[string]struct {
		answer func(w http.ResponseWriter)
		why    string
	}{
		"text/plain": {func(w http.ResponseWriter) { _, _ = w.Write([]byte(ktwidget.Ack)) }, "wants application/json"},
		"status":     {func(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted) }, "wants 200"},
		"body": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"status":"OK"}`))
		}, `wants {"status":"ok"}`},
	} {
		t.Run(name, func(t *testing.T) {
			srv := ktwidgettest.NewServer(t)
			site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { tc.answer(w) }))
			defer site.Close()
			var sh shop
			p := sh.create(t, srv, srv.Client(), "kt-refused", site.URL, true)
			_, err := srv.PayWidget(context.Background(), p.WidgetURL, ktwidgettest.TestCard)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			_, err = srv.WaitNotified(ctx, p.TransactionHash)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.ErrorContains(t, err, tc.why)
			ds := srv.Deliveries(p.TransactionHash)
			require.NotEmpty(t, ds)
			assert.False(t, ds[0].Acknowledged)
			assert.Contains(t, ds[0].Refused, tc.why)
		})
	}
}

// TestNewClientRunsTheFlow: NewClient's configured notification base is
// the fake's stand-in merchant, so the main flow runs to an acknowledged
// notification with nothing else set, on loopback, over TLS and in memory.
func TestNewClientRunsTheFlow(t *testing.T) {
	for name, start := range map[string]func(t *testing.T) *ktwidgettest.Server{
		"loopback": func(t *testing.T) *ktwidgettest.Server { return ktwidgettest.NewServer(t) },
		"TLS":      func(t *testing.T) *ktwidgettest.Server { return ktwidgettest.NewTLSServer(t) },
		"memory":   func(t *testing.T) *ktwidgettest.Server { return ktwidgettest.NewMock(t, httpmock.NewMockTransport()) },
	} {
		t.Run(name, func(t *testing.T) {
			srv := start(t)
			c, err := srv.NewClient()
			require.NoError(t, err)
			ctx := context.Background()
			p, err := c.CreatePayment(ctx, &ktwidget.Order{OrderID: "kt-nc", Amount: ktwidget.MustParseAmount("10.00"), Type: ktwidget.TypeEcom}, nil)
			require.NoError(t, err)
			_, err = srv.PayWidget(ctx, p.WidgetURL, ktwidgettest.TestCard)
			require.NoError(t, err)
			waitAcked(t, srv, p.TransactionHash)
		})
	}
}
