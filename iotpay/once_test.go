package iotpay_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

const (
	purchasePath = "/v3/cc_purchase"
	tokenPath    = "/v3/cc_purchasewithtoken"
	refundPath   = "/v3/cc_refund"
	voidPath     = "/v3/cc_void"
	queryPath    = "/v3/cc_query"
)

// replica is a client of srv sharing store, with the given lease.
func replica(t *testing.T, srv *iotpaytest.Server, store iotpay.Store, lease time.Duration) *iotpay.Client {
	t.Helper()
	cfg := srv.Config()
	cfg.NotifyURL = "https://shop.example/iotpay/notify"
	cfg.Claims, cfg.ClaimLease = store, lease
	c, err := iotpay.New(cfg, iotpay.WithBaseURL(srv.URL), iotpay.WithHTTPClient(srv.Client()),
		iotpay.WithRetry(iotpay.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}))
	require.NoError(t, err)
	return c
}

func tokenReq(no string, amount int64) *iotpay.PurchaseWithTokenRequest {
	return &iotpay.PurchaseWithTokenRequest{MchOrderNo: no, CardID: "card-1", Amount: iotpay.AmountFromMinor(amount)}
}

// Many repeats of one purchase, at once, on three replicas sharing one
// store: IOTPay receives one request, and every answer is that order or "in
// progress"; later repeats return the same order and send nothing.
func TestPurchaseWithTokenOnceConcurrentReplicas(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	srv.BindCard("card-1")
	store := iotpay.NewMemoryStore(0, 0)
	replicas := []*iotpay.Client{replica(t, srv, store, time.Minute), replica(t, srv, store, time.Minute), replica(t, srv, store, time.Minute)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[string]int{}
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := replicas[i%3].PurchaseWithTokenOnce(context.Background(), tokenReq("ord-c1", 1500))
			if errors.Is(err, iotpay.ErrInProgress) {
				var ip *iotpay.InProgressError
				assert.ErrorAs(t, err, &ip)
				assert.GreaterOrEqual(t, ip.RetryAfter, time.Second)
				return
			}
			if !assert.NoError(t, err) {
				return
			}
			mu.Lock()
			ids[o.PayOrderID]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	assert.Len(t, ids, 1, "every answer is the one order: %v", ids)
	assert.Equal(t, 1, srv.Count(http.MethodPost, tokenPath), "one purchase request reached IOTPay")
	for _, c := range replicas {
		o, err := c.PurchaseWithTokenOnce(context.Background(), tokenReq("ord-c1", 1500))
		require.NoError(t, err)
		assert.True(t, o.Status.Paid())
		assert.Contains(t, ids, o.PayOrderID, "a repeat returns the same order")
	}
	assert.Equal(t, 1, srv.Count(http.MethodPost, tokenPath), "repeats after success send nothing")
}

// A repeat of a started purchase returns IOTPay's order (pending while the
// shopper is on the page) without starting another; another amount under
// the same number is a conflict, whether the store remembers the first
// parameters (nothing is sent) or only IOTPay does (IOTPay refuses the
// number as a duplicate and its order tells).
func TestPurchaseOnceRepeatAndConflict(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	c := replica(t, srv, nil, 0)
	req := &iotpay.PurchaseRequest{MchOrderNo: "ord-p1", Amount: iotpay.AmountFromMinor(2500), ReturnURL: "https://shop.example/back"}
	first, err := c.PurchaseOnce(context.Background(), req)
	require.NoError(t, err)
	require.NotEmpty(t, first.SecureID)
	assert.Nil(t, first.Order)

	again, err := c.PurchaseOnce(context.Background(), req)
	require.NoError(t, err)
	require.NotNil(t, again.Order, "a repeat reports IOTPay's order")
	assert.Equal(t, iotpay.StatusPending, again.Order.Status)
	assert.Equal(t, iotpay.AmountFromMinor(2500), again.Order.Amount)
	assert.Equal(t, 1, srv.Count(http.MethodPost, purchasePath))

	other := *req
	other.Amount = iotpay.AmountFromMinor(9900)
	_, err = c.PurchaseOnce(context.Background(), &other)
	require.ErrorIs(t, err, iotpay.ErrReferenceConflict)
	// Another replica whose store does not know the number: IOTPay's order tells.
	_, err = replica(t, srv, iotpay.NewMemoryStore(0, 0), 0).PurchaseOnce(context.Background(), &other)
	require.ErrorIs(t, err, iotpay.ErrReferenceConflict)
	var ce *iotpay.ReferenceConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "ord-p1", ce.Reference)
	assert.Contains(t, ce.Reason, "amount 2500, requested 9900")
	assert.Equal(t, 2, srv.Count(http.MethodPost, purchasePath), "only the store that did not know the number sent it")
	assert.Equal(t, 1, srv.Orders(), "IOTPay refused the duplicate number: one order")
}

// A dropped reply after IOTPay charged: the call looks the number up at once
// and answers with the order; nothing is sent twice.
func TestPurchaseWithTokenOnceOutcomeUnknownSettledByLookup(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	srv.BindCard("card-1")
	c := replica(t, srv, nil, 0)
	srv.Fail(http.MethodPost, tokenPath, iotpaytest.Fault{Kind: iotpaytest.DropAfter})
	o, err := c.PurchaseWithTokenOnce(context.Background(), tokenReq("ord-u1", 700))
	require.NoError(t, err)
	assert.True(t, o.Status.Paid())
	assert.Equal(t, 1, srv.Count(http.MethodPost, tokenPath))
}

// The same, with IOTPay's query down too: ErrOutcomeUnknown, the number
// stays held (a repeat inside the lease is told to come back), and the
// replica that takes it over after the lease finds the order by query
// instead of charging again.
func TestPurchaseWithTokenOnceOutcomeUnknownThenTakeOver(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	srv.BindCard("card-1")
	store := iotpay.NewMemoryStore(0, 0)
	const lease = 300 * time.Millisecond
	a, b := replica(t, srv, store, lease), replica(t, srv, store, lease)
	srv.Fail(http.MethodPost, tokenPath, iotpaytest.Fault{Kind: iotpaytest.DropAfter})
	down := iotpaytest.Fault{Kind: iotpaytest.Status, Status: http.StatusBadGateway}
	none := iotpaytest.Fault{Kind: iotpaytest.Status, Status: http.StatusOK, Body: []byte(`{"retCode":"FAIL","retMsg":"order not exist"}`)}
	// A new number is sent without a query first (IOTPay refuses a
	// duplicate); the query after the dropped reply fails, its two retries
	// too. The take-over queries before sending: its first query finds
	// nothing yet (IOTPay's listing lags), and the send it then makes is
	// refused as a duplicate and settled by a second query.
	srv.Fail(http.MethodPost, queryPath, down, down, down, none)
	_, err := a.PurchaseWithTokenOnce(context.Background(), tokenReq("ord-u2", 700))
	require.ErrorIs(t, err, iotpay.ErrOutcomeUnknown)

	_, err = b.PurchaseWithTokenOnce(context.Background(), tokenReq("ord-u2", 700))
	require.ErrorIs(t, err, iotpay.ErrInProgress, "held after an unknown outcome")
	_, err = b.PurchaseWithTokenOnce(context.Background(), tokenReq("ord-u2", 800))
	require.ErrorIs(t, err, iotpay.ErrReferenceConflict, "another amount while held")

	time.Sleep(lease + 100*time.Millisecond)
	o, err := b.PurchaseWithTokenOnce(context.Background(), tokenReq("ord-u2", 700))
	require.NoError(t, err)
	assert.True(t, o.Status.Paid())
	assert.Equal(t, 2, srv.Count(http.MethodPost, tokenPath), "the take-over's send was refused as a duplicate")
	assert.Equal(t, 1, srv.Orders(), "IOTPay charged once")
}

// IOTPay's "mchOrderNo duplicate" means it has the order: a replica whose
// store never saw the number (it sends a new number without a query)
// answers with the order, never with the refusal; when the query after the
// refusal misses the order too (a stale "order not exist"), the number is
// in progress and held, still not a failure.
func TestDuplicateNumberIsReceivedBefore(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	srv.BindCard("card-1")
	first, err := replica(t, srv, nil, 0).PurchaseWithTokenOnce(context.Background(), tokenReq("ord-d1", 900))
	require.NoError(t, err)

	other := replica(t, srv, iotpay.NewMemoryStore(0, 0), 0) // a store that lost the claim
	o, err := other.PurchaseWithTokenOnce(context.Background(), tokenReq("ord-d1", 900))
	require.NoError(t, err)
	assert.Equal(t, first.PayOrderID, o.PayOrderID)
	assert.Equal(t, 2, srv.Count(http.MethodPost, tokenPath))
	assert.Equal(t, 1, srv.Count(http.MethodPost, queryPath), "queried only after the refusal")
	assert.Equal(t, 1, srv.Orders(), "IOTPay charged once")

	srv.Fail(http.MethodPost, queryPath, iotpaytest.Fault{Kind: iotpaytest.Status, Status: http.StatusOK,
		Body: []byte(`{"retCode":"FAIL","retMsg":"order not exist"}`)})
	third := replica(t, srv, iotpay.NewMemoryStore(0, 0), 0)
	_, err = third.PurchaseWithTokenOnce(context.Background(), tokenReq("ord-d1", 900))
	require.ErrorIs(t, err, iotpay.ErrInProgress)
	assert.NotContains(t, err.Error(), "duplicate")
	_, err = third.PurchaseWithTokenOnce(context.Background(), tokenReq("ord-d1", 900))
	require.ErrorIs(t, err, iotpay.ErrInProgress, "held, not sent again")
	assert.Equal(t, 3, srv.Count(http.MethodPost, tokenPath))
	assert.Equal(t, 1, srv.Orders(), "IOTPay charged once")
}

// Refunds and voids by mchRefundNo: one request for any number of repeats,
// the record found by query on a repeat, a conflict for another amount or
// for a void under a refund's number, and the fake refuses a used
// mchRefundNo as IOTPay does.
func TestRefundAndVoidOnce(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	srv.BindCard("card-1")
	c := replica(t, srv, nil, 0)
	ctx := context.Background()
	paid, err := c.PurchaseWithTokenOnce(ctx, tokenReq("ord-r1", 5000))
	require.NoError(t, err)

	refund := &iotpay.RefundRequest{MchRefundNo: "rf-1", PayOrderID: paid.PayOrderID, RefundAmount: iotpay.AmountFromMinor(1000)}
	var recs []string
	for range 3 {
		r, err := c.RefundOnce(ctx, refund)
		require.NoError(t, err)
		assert.Equal(t, "refund", r.PayType)
		recs = append(recs, r.PayOrderID)
	}
	assert.Equal(t, []string{recs[0], recs[0], recs[0]}, recs)
	assert.Equal(t, 1, srv.Count(http.MethodPost, refundPath))

	_, err = c.RefundOnce(ctx, &iotpay.RefundRequest{MchRefundNo: "rf-1", PayOrderID: paid.PayOrderID, RefundAmount: iotpay.AmountFromMinor(2000)})
	require.ErrorIs(t, err, iotpay.ErrReferenceConflict)
	_, err = c.VoidOnce(ctx, &iotpay.VoidRequest{MchRefundNo: "rf-1", PayOrderID: paid.PayOrderID})
	require.ErrorIs(t, err, iotpay.ErrReferenceConflict)
	// The fake refuses the number itself, as IOTPay does.
	_, err = c.Refund(ctx, refund)
	var api *iotpay.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "mchRefundNo duplicate", api.Message)

	paid2, err := c.PurchaseWithTokenOnce(ctx, tokenReq("ord-v1", 3000))
	require.NoError(t, err)
	srv.Fail(http.MethodPost, voidPath, iotpaytest.Fault{Kind: iotpaytest.DropAfter})
	void := &iotpay.VoidRequest{MchRefundNo: "vd-1", PayOrderID: paid2.PayOrderID}
	v, err := c.VoidOnce(ctx, void)
	require.NoError(t, err, "an unknown outcome settled by query")
	assert.Equal(t, paid2.PayOrderID, v.OriginalOrderID)
	v2, err := c.VoidOnce(ctx, void)
	require.NoError(t, err)
	assert.Equal(t, v.PayOrderID, v2.PayOrderID)
	assert.Equal(t, 1, srv.Count(http.MethodPost, voidPath))
	_, err = c.Void(ctx, void)
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "mchRefundNo duplicate", api.Message)
}

// Settle: not found, pending, done, for purchases and refunds.
func TestSettle(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	srv.BindCard("card-1")
	c := replica(t, srv, nil, 0)
	ctx := context.Background()
	s, err := c.Settle(ctx, &iotpay.SettleRequest{MchOrderNo: "never-sent"})
	require.NoError(t, err)
	assert.Equal(t, iotpay.SettleNotFound, s.State)
	assert.Nil(t, s.Record)

	_, err = c.PurchaseOnce(ctx, &iotpay.PurchaseRequest{MchOrderNo: "ord-s1", Amount: iotpay.AmountFromMinor(100), ReturnURL: "https://shop.example/back"})
	require.NoError(t, err)
	s, err = c.Settle(ctx, &iotpay.SettleRequest{MchOrderNo: "ord-s1"})
	require.NoError(t, err)
	assert.Equal(t, iotpay.SettlePending, s.State, "the shopper is still on the page")
	assert.Equal(t, "pending", s.State.String())

	srv.NextPayment(iotpay.StatusFailed)
	_, err = c.PurchaseWithTokenOnce(ctx, tokenReq("ord-s2", 100))
	require.NoError(t, err)
	s, err = c.Settle(ctx, &iotpay.SettleRequest{MchOrderNo: "ord-s2"})
	require.NoError(t, err)
	assert.Equal(t, iotpay.SettleDone, s.State)
	assert.True(t, s.Record.Status.Failed())

	paid, err := c.PurchaseWithTokenOnce(ctx, tokenReq("ord-s3", 100))
	require.NoError(t, err)
	_, err = c.RefundOnce(ctx, &iotpay.RefundRequest{MchRefundNo: "rf-s3", PayOrderID: paid.PayOrderID, RefundAmount: iotpay.AmountFromMinor(100)})
	require.NoError(t, err)
	s, err = c.Settle(ctx, &iotpay.SettleRequest{MchOrderNo: "rf-s3"})
	require.NoError(t, err)
	assert.Equal(t, iotpay.SettleDone, s.State)
	assert.Equal(t, "refund", s.Record.PayType)

	_, err = c.Settle(ctx, &iotpay.SettleRequest{})
	require.ErrorIs(t, err, iotpay.ErrInvalidRequest)
}

// The lease must outlast the HTTP timeout, or a request could still be in
// flight when another replica takes the number over.
func TestClaimLeaseExceedsTimeout(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	cfg := srv.Config()
	cfg.ClaimLease = 30 * time.Second
	_, err := iotpay.New(cfg, iotpay.WithBaseURL(srv.URL)) // the default client: 60 s
	require.ErrorIs(t, err, iotpay.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "ClaimLease")
	cfg.ClaimLease = -time.Second
	_, err = iotpay.New(cfg, iotpay.WithBaseURL(srv.URL))
	require.ErrorIs(t, err, iotpay.ErrInvalidRequest)
	cfg.ClaimLease = 0
	_, err = iotpay.New(cfg, iotpay.WithBaseURL(srv.URL))
	require.NoError(t, err, "the default lease (%s) exceeds the default timeout", iotpay.DefaultClaimLease)
}
