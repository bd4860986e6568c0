package ktwidget_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

const createPath = "/api/v1/merchant-widget/payment"

// shop is a merchant with several replicas sharing one claims store, their
// NotificationHandlers behind one address (a load balancer picking a
// replica at random), and the order book they share.
type shop struct {
	srv      *ktwidgettest.Server
	replicas []*ktwidget.Client
	book     *book
	lb       *httptest.Server
}

func newShop(t *testing.T, srv *ktwidgettest.Server, store ktwidget.Store, lease time.Duration, n int) *shop {
	t.Helper()
	s := &shop{srv: srv, book: &book{orders: map[string]ktwidget.Expectation{}}}
	var handlers []http.Handler
	s.lb = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers[rand.IntN(len(handlers))].ServeHTTP(w, r)
	}))
	t.Cleanup(s.lb.Close)
	for range n {
		cfg := srv.Config()
		cfg.CallbackBase = s.lb.URL + "/ktpay/notify"
		cfg.Claims, cfg.ClaimLease = store, lease
		c, err := ktwidget.New(cfg, ktwidget.WithBaseURL(srv.URL), ktwidget.WithHTTPClient(srv.Client()),
			ktwidget.WithRetry(ktwidget.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}))
		require.NoError(t, err)
		s.replicas = append(s.replicas, c)
		handlers = append(handlers, &ktwidget.NotificationHandler{Client: c, Expect: s.book.Expect, Report: s.book.report, Store: store})
	}
	return s
}

// remember is the merchant writing the created payment to its order book.
func (s *shop) remember(o *ktwidget.Order, p *ktwidget.Payment) {
	s.book.mu.Lock()
	defer s.book.mu.Unlock()
	s.book.orders[o.OrderID] = ktwidget.Expectation{TransactionHash: p.TransactionHash, Amount: o.Amount}
}

// Many repeats of one order at once on three replicas: KTPay receives one
// create; every other answer is "in progress" or "awaiting notification".
// After the shopper pays and the notification is reported (once), every
// replica's repeat answers the verdict, and nothing more is sent.
func TestCreatePaymentOnceConcurrentReplicas(t *testing.T) {
	srv := ktwidgettest.NewServer(t)
	s := newShop(t, srv, ktwidget.NewMemoryStore(0, 0), time.Minute, 3)
	ctx := context.Background()
	o := order("kt-c1")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var created []*ktwidget.Payment
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := s.replicas[i%3].CreatePaymentOnce(ctx, o, nil)
			switch {
			case err == nil:
				mu.Lock()
				created = append(created, p)
				mu.Unlock()
			case errors.Is(err, ktwidget.ErrInProgress):
				var ip *ktwidget.InProgressError
				assert.ErrorAs(t, err, &ip)
				assert.GreaterOrEqual(t, ip.RetryAfter, time.Second)
			case errors.Is(err, ktwidget.ErrAwaitingNotification):
				assert.NotErrorIs(t, err, ktwidget.ErrOutcomeUnknown, "answered before: only awaiting")
			default:
				t.Errorf("unexpected: %v", err)
			}
		}()
	}
	wg.Wait()
	require.Len(t, created, 1, "one caller created the payment")
	assert.Equal(t, 1, srv.Count(http.MethodPost, createPath), "one create reached KTPay")
	p := created[0]
	s.remember(o, p)

	st, err := s.replicas[2].Settle(ctx, &ktwidget.SettleRequest{OrderID: o.OrderID})
	require.NoError(t, err)
	assert.Equal(t, ktwidget.SettleUnknowable, st.State, "awaiting the notification")

	rc, err := srv.PayWidget(ctx, p.WidgetURL, ktwidgettest.TestCard)
	require.NoError(t, err)
	assert.Equal(t, ktwidget.StatusCompleted, rc.Status)
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = srv.WaitNotified(wctx, p.TransactionHash)
	require.NoError(t, err, "the notification was acknowledged")
	for range 3 { // KTPay delivers again; reported once
		_, err := srv.Redeliver(ctx, p.TransactionHash)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, s.book.count(), "reported once")

	for _, c := range s.replicas {
		got, err := c.CreatePaymentOnce(ctx, o, nil)
		require.NoError(t, err)
		assert.True(t, got.Paid())
		assert.Equal(t, p.TransactionHash, got.TransactionHash)
		assert.Equal(t, p.WidgetURL, got.WidgetURL)
		st, err := c.Settle(ctx, &ktwidget.SettleRequest{OrderID: o.OrderID})
		require.NoError(t, err)
		assert.Equal(t, ktwidget.SettleDone, st.State)
		assert.Equal(t, ktwidget.StatusCompleted, st.Record.Status)
		assert.Equal(t, p.TransactionHash, st.Record.TransactionHash)
	}
	assert.Equal(t, 1, srv.Count(http.MethodPost, createPath), "repeats send nothing")

	other := order("kt-c1")
	other.Amount = ktwidget.MustParseAmount("99.00")
	_, err = s.replicas[0].CreatePaymentOnce(ctx, other, nil)
	require.ErrorIs(t, err, ktwidget.ErrReferenceConflict)
	same := order("kt-c1")
	same.Amount = ktwidget.MustParseAmount("2750") // the same number, written otherwise
	_, err = s.replicas[1].CreatePaymentOnce(ctx, same, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Count(http.MethodPost, createPath))
}

// A denied payment's verdict is recorded too: repeats answer it (not paid).
func TestCreatePaymentOnceDeniedVerdict(t *testing.T) {
	srv := ktwidgettest.NewServer(t)
	s := newShop(t, srv, nil, 0, 1)
	ctx := context.Background()
	o := order("kt-d1")
	p, err := s.replicas[0].CreatePaymentOnce(ctx, o, nil)
	require.NoError(t, err)
	s.remember(o, p)
	_, err = s.replicas[0].CreatePaymentOnce(ctx, o, nil)
	require.ErrorIs(t, err, ktwidget.ErrAwaitingNotification)
	_, err = srv.PayWidget(ctx, p.WidgetURL, ktwidgettest.DeclinedCard)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		got, err := s.replicas[0].CreatePaymentOnce(ctx, o, nil)
		return err == nil && got.Status == ktwidget.StatusDenied && !got.Paid()
	}, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, 1, srv.Count(http.MethodPost, createPath))
}

// A create whose answer is lost (KTPay created it) is never sent again: the
// order_id is held ("in progress") for the lease, then the replica that
// takes it over answers "awaiting notification" and "outcome unknown" and
// still sends nothing.
func TestCreatePaymentOnceOutcomeUnknownNeverResent(t *testing.T) {
	srv := ktwidgettest.NewServer(t)
	const lease = 250 * time.Millisecond
	store := ktwidget.NewMemoryStore(0, 0)
	s := newShop(t, srv, store, lease, 2)
	ctx := context.Background()
	srv.Fail(http.MethodPost, createPath, ktwidgettest.Fault{Kind: ktwidgettest.DropAfter})
	_, err := s.replicas[0].CreatePaymentOnce(ctx, order("kt-u1"), nil)
	require.ErrorIs(t, err, ktwidget.ErrOutcomeUnknown)
	require.ErrorIs(t, err, ktwidget.ErrAwaitingNotification)
	assert.Equal(t, 1, srv.Transactions(), "KTPay created it")

	_, err = s.replicas[1].CreatePaymentOnce(ctx, order("kt-u1"), nil)
	require.ErrorIs(t, err, ktwidget.ErrInProgress)
	time.Sleep(lease + 50*time.Millisecond)
	for _, c := range s.replicas {
		_, err = c.CreatePaymentOnce(ctx, order("kt-u1"), nil)
		require.Error(t, err)
		if !errors.Is(err, ktwidget.ErrInProgress) { // the other replica's take-over holds it now
			require.ErrorIs(t, err, ktwidget.ErrAwaitingNotification)
			require.ErrorIs(t, err, ktwidget.ErrOutcomeUnknown)
		}
	}
	st, err := s.replicas[0].Settle(ctx, &ktwidget.SettleRequest{OrderID: "kt-u1"})
	require.NoError(t, err)
	assert.Equal(t, ktwidget.SettleUnknowable, st.State)
	assert.Equal(t, 1, srv.Count(http.MethodPost, createPath), "never sent again")

	// A refusal that created nothing frees the order_id: the next call sends.
	srv.Fail(http.MethodPost, createPath, ktwidgettest.Fault{Kind: ktwidgettest.Status, Status: http.StatusUnprocessableEntity,
		Body: []byte(`{"success":false,"data":[],"error":{"code":4220002,"messages":{"amount":"invalid"},"hint":""}}`)})
	_, err = s.replicas[0].CreatePaymentOnce(ctx, order("kt-u2"), nil)
	require.ErrorIs(t, err, ktwidget.ErrRejected)
	_, err = s.replicas[1].CreatePaymentOnce(ctx, order("kt-u2"), nil)
	require.NoError(t, err)
}

// KTPay's 422 "order_id must be unique" (an order created by a call this
// store never saw) means "received before": awaiting notification, never a
// refusal to show the shopper.
func TestCreatePaymentOnceDuplicateIsReceivedBefore(t *testing.T) {
	srv := ktwidgettest.NewServer(t)
	ctx := context.Background()
	_, err := fakeClient(t, srv).CreatePayment(ctx, order("kt-dup"), nil)
	require.NoError(t, err)
	// The fake refuses the order_id itself, as KTPay does.
	_, err = fakeClient(t, srv).CreatePayment(ctx, order("kt-dup"), nil)
	var api *ktwidget.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, http.StatusUnprocessableEntity, api.HTTPStatus)
	assert.Contains(t, api.Messages, "order_id must be unique")

	s := newShop(t, srv, ktwidget.NewMemoryStore(0, 0), time.Minute, 1)
	_, err = s.replicas[0].CreatePaymentOnce(ctx, order("kt-dup"), nil)
	require.ErrorIs(t, err, ktwidget.ErrAwaitingNotification)
	assert.NotErrorIs(t, err, ktwidget.ErrRejected, "not a refusal")
	assert.Contains(t, err.Error(), "received before")
	_, err = s.replicas[0].CreatePaymentOnce(ctx, order("kt-dup"), nil)
	require.ErrorIs(t, err, ktwidget.ErrInProgress, "held, never sent again")
	assert.Equal(t, 3, srv.Count(http.MethodPost, createPath))
}

// The lease must outlast the HTTP timeout; a store that keeps no values
// cannot hold a call without look-up.
func TestCreatePaymentOnceConfig(t *testing.T) {
	srv := ktwidgettest.NewServer(t)
	cfg := srv.Config()
	cfg.ClaimLease = 30 * time.Second
	_, err := ktwidget.New(cfg, ktwidget.WithBaseURL(srv.URL))
	require.ErrorIs(t, err, ktwidget.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "ClaimLease")
	cfg.ClaimLease = -time.Second
	_, err = ktwidget.New(cfg, ktwidget.WithBaseURL(srv.URL))
	require.ErrorIs(t, err, ktwidget.ErrInvalidRequest)

	cfg.ClaimLease = 0
	cfg.Claims = plainStore{ktwidget.NewMemoryStore(0, 0)}
	c, err := ktwidget.New(cfg, ktwidget.WithBaseURL(srv.URL), ktwidget.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	_, err = c.CreatePaymentOnce(context.Background(), order("kt-plain"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "needs a claims store")
	assert.Equal(t, 0, srv.Count(http.MethodPost, createPath))

	_, err = c.CreatePaymentOnce(context.Background(), &ktwidget.Order{OrderID: "x"}, nil)
	require.ErrorIs(t, err, ktwidget.ErrInvalidRequest)
	_, err = c.Settle(context.Background(), &ktwidget.SettleRequest{})
	require.ErrorIs(t, err, ktwidget.ErrInvalidRequest)
}

// plainStore is a merchant's own Store that keeps no values.
type plainStore struct{ s ktwidget.Store }

func (p plainStore) Claim(ctx context.Context, key string, lease time.Duration) (ktwidget.Claim, error) {
	return p.s.Claim(ctx, key, lease)
}
func (p plainStore) Complete(ctx context.Context, key, token string) error {
	return p.s.Complete(ctx, key, token)
}
func (p plainStore) Release(ctx context.Context, key, token string) error {
	return p.s.Release(ctx, key, token)
}
