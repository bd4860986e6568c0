package odero_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

const (
	refundPath   = "/payment/v1/refunds"
	txRefundPath = "/payment/v1/refund-transactions"
	reportPath   = "/payment-reporting/v1/payments/"
)

// replica is a client of srv sharing store, with the given lease.
func replica(t *testing.T, srv *oderotest.Server, store odero.Store, lease time.Duration) *odero.Client {
	t.Helper()
	cfg := srv.Config()
	cfg.CallbackURL = "https://shop.example/odero/callback"
	cfg.Claims, cfg.ClaimLease = store, lease
	c, err := odero.New(cfg, odero.WithBaseURL(srv.URL), odero.WithHTTPClient(srv.Client()),
		odero.WithRetry(odero.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}))
	require.NoError(t, err)
	return c
}

// Many repeats of one refund at once on three replicas sharing one store:
// OderoPay receives one refund request; every answer is that refund or "in
// progress"; later repeats return it and send nothing; another payment or
// an item refund under the conversationId conflicts.
func TestRefundOnceConcurrentReplicas(t *testing.T) {
	srv := oderotest.NewServer(t)
	store := odero.NewMemoryStore(0, 0)
	replicas := []*odero.Client{replica(t, srv, store, time.Minute), replica(t, srv, store, time.Minute), replica(t, srv, store, time.Minute)}
	p := paidCheckout(t, srv, replicas[0])
	req := &odero.RefundRequest{PaymentID: p.ID, ConversationID: "rf-c1"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[int64]int{}
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rf, err := replicas[i%3].RefundOnce(context.Background(), req)
			if errors.Is(err, odero.ErrInProgress) {
				var ip *odero.InProgressError
				assert.ErrorAs(t, err, &ip)
				assert.GreaterOrEqual(t, ip.RetryAfter, time.Second)
				return
			}
			if !assert.NoError(t, err) {
				return
			}
			mu.Lock()
			ids[rf.ID]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	assert.Len(t, ids, 1, "every answer is the one refund: %v", ids)
	assert.Equal(t, 1, srv.Count(http.MethodPost, refundPath), "one refund reached OderoPay")
	for _, c := range replicas {
		rf, err := c.RefundOnce(context.Background(), req)
		require.NoError(t, err)
		assert.Contains(t, ids, rf.ID, "a repeat returns the same refund")
		assert.Equal(t, "rf-c1", rf.ConversationID)
	}
	assert.Equal(t, 1, srv.Count(http.MethodPost, refundPath), "repeats send nothing")

	other := paidCheckout(t, srv, replicas[0])
	_, err := replicas[1].RefundOnce(context.Background(), &odero.RefundRequest{PaymentID: other.ID, ConversationID: "rf-c1"})
	require.ErrorIs(t, err, odero.ErrReferenceConflict)
	_, err = replicas[2].RefundTransactionOnce(context.Background(), &odero.RefundTransactionRequest{
		PaymentTransactionID: other.Transactions[0].ID, ConversationID: "rf-c1", RefundPrice: amt("1")})
	require.ErrorIs(t, err, odero.ErrReferenceConflict)
	// A replica whose store lost the claim finds the refund by look-up.
	rf, err := replica(t, srv, odero.NewMemoryStore(0, 0), 0).RefundOnce(context.Background(), req)
	require.NoError(t, err)
	assert.Contains(t, ids, rf.ID)
	assert.Equal(t, 1, srv.Count(http.MethodPost, refundPath))
	assert.Equal(t, 1, srv.Refunds())
}

// A dropped reply after OderoPay refunded: the call looks the conversationId
// up at once and answers with the refund. With the look-up down too, it is
// ErrOutcomeUnknown, held for the lease, and the take-over finds the refund
// instead of refunding again.
func TestRefundOnceOutcomeUnknown(t *testing.T) {
	srv := oderotest.NewServer(t)
	const lease = 300 * time.Millisecond
	store := odero.NewMemoryStore(0, 0)
	a, b := replica(t, srv, store, lease), replica(t, srv, store, lease)
	p := paidCheckout(t, srv, a)

	srv.Fail(http.MethodPost, refundPath, oderotest.Fault{Kind: oderotest.DropAfter})
	rf, err := a.RefundOnce(context.Background(), &odero.RefundRequest{PaymentID: p.ID, ConversationID: "rf-u1"})
	require.NoError(t, err, "settled by look-up")
	assert.Equal(t, odero.RefundStatusSuccess, rf.Status)

	p2 := paidCheckout(t, srv, a)
	req := &odero.RefundRequest{PaymentID: p2.ID, ConversationID: "rf-u2"}
	srv.Fail(http.MethodPost, refundPath, oderotest.Fault{Kind: oderotest.DropAfter})
	down := oderotest.Fault{Kind: oderotest.Status, Status: http.StatusBadGateway}
	// The look-up before sending works; the one after the drop fails (and
	// its retries).
	srv.Fail(http.MethodGet, reportPath+itoa(p2.ID), oderotest.Fault{Kind: oderotest.Hang, Delay: time.Millisecond}, down, down, down)
	_, err = a.RefundOnce(context.Background(), req)
	require.ErrorIs(t, err, odero.ErrOutcomeUnknown)
	_, err = b.RefundOnce(context.Background(), req)
	require.ErrorIs(t, err, odero.ErrInProgress, "held after an unknown outcome")
	time.Sleep(lease + 100*time.Millisecond)
	rf, err = b.RefundOnce(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, p2.ID, rf.PaymentID)
	assert.Equal(t, 2, srv.Count(http.MethodPost, refundPath), "one request per refund")
	assert.Equal(t, 2, srv.Refunds())

	// A refusal frees the conversationId (here: the payment is refunded).
	_, err = b.RefundOnce(context.Background(), &odero.RefundRequest{PaymentID: p2.ID, ConversationID: "rf-u3"})
	var api *odero.APIError
	require.ErrorAs(t, err, &api)
	_, err = b.RefundOnce(context.Background(), &odero.RefundRequest{PaymentID: p2.ID, ConversationID: "rf-u3"})
	require.ErrorAs(t, err, &api, "sent again after a refusal, refused again")
	assert.Equal(t, 4, srv.Count(http.MethodPost, refundPath))
}

// Item refunds by conversationId: one request for any number of repeats,
// found by the search on a repeat, after a dropped reply, and by a replica
// whose store lost the claim; another amount conflicts.
func TestRefundTransactionOnce(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := replica(t, srv, nil, 0)
	ctx := context.Background()
	p := paidCheckout(t, srv, c)
	tx := p.Transactions[0].ID
	req := &odero.RefundTransactionRequest{PaymentTransactionID: tx, ConversationID: "rt-1", RefundPrice: amt("10.25")}
	var first int64
	for i := range 3 {
		rt, err := c.RefundTransactionOnce(ctx, req)
		require.NoError(t, err)
		if i == 0 {
			first = rt.ID
		}
		assert.Equal(t, first, rt.ID)
	}
	assert.Equal(t, 1, srv.Count(http.MethodPost, txRefundPath))
	same := *req
	same.RefundPrice = amt("10.250") // the same amount, written otherwise
	_, err := c.RefundTransactionOnce(ctx, &same)
	require.NoError(t, err)
	other := *req
	other.RefundPrice = amt("5")
	_, err = c.RefundTransactionOnce(ctx, &other)
	require.ErrorIs(t, err, odero.ErrReferenceConflict)
	_, err = replica(t, srv, odero.NewMemoryStore(0, 0), 0).RefundTransactionOnce(ctx, &other)
	require.ErrorIs(t, err, odero.ErrReferenceConflict, "OderoPay's record tells when the store does not")
	var ce *odero.ReferenceConflictError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Reason, "refundPrice 10.25, requested 5")

	srv.Fail(http.MethodPost, txRefundPath, oderotest.Fault{Kind: oderotest.DropAfter})
	rt, err := c.RefundTransactionOnce(ctx, &odero.RefundTransactionRequest{PaymentTransactionID: tx, ConversationID: "rt-2", RefundPrice: amt("1.00")})
	require.NoError(t, err, "settled by the search")
	assert.Equal(t, "rt-2", rt.ConversationID)
	assert.Equal(t, 2, srv.Count(http.MethodPost, txRefundPath))

	_, err = c.RefundTransactionOnce(ctx, &odero.RefundTransactionRequest{PaymentTransactionID: tx, RefundPrice: amt("1")})
	require.ErrorIs(t, err, odero.ErrInvalidRequest, "a conversationId is required")
	_, err = c.RefundOnce(ctx, &odero.RefundRequest{PaymentID: p.ID})
	require.ErrorIs(t, err, odero.ErrInvalidRequest)
}

// Settle: not found, done, for whole and item refunds.
func TestSettle(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := replica(t, srv, nil, 0)
	ctx := context.Background()
	p := paidCheckout(t, srv, c)
	s, err := c.Settle(ctx, &odero.SettleRequest{ConversationID: "never", PaymentID: p.ID})
	require.NoError(t, err)
	assert.Equal(t, odero.SettleNotFound, s.State)
	_, err = c.RefundOnce(ctx, &odero.RefundRequest{PaymentID: p.ID, ConversationID: "rf-s1"})
	require.NoError(t, err)
	s, err = c.Settle(ctx, &odero.SettleRequest{ConversationID: "rf-s1", PaymentID: p.ID})
	require.NoError(t, err)
	assert.Equal(t, odero.SettleDone, s.State)
	require.NotNil(t, s.Record.Refund)
	assert.Equal(t, odero.RefundStatusSuccess, s.Record.Status())

	p2 := paidCheckout(t, srv, c)
	tx := p2.Transactions[1].ID
	s, err = c.Settle(ctx, &odero.SettleRequest{ConversationID: "rt-s1", PaymentTransactionID: tx})
	require.NoError(t, err)
	assert.Equal(t, odero.SettleNotFound, s.State)
	_, err = c.RefundTransactionOnce(ctx, &odero.RefundTransactionRequest{PaymentTransactionID: tx, ConversationID: "rt-s1", RefundPrice: amt("2")})
	require.NoError(t, err)
	s, err = c.Settle(ctx, &odero.SettleRequest{ConversationID: "rt-s1", PaymentTransactionID: tx})
	require.NoError(t, err)
	assert.Equal(t, odero.SettleDone, s.State)
	require.NotNil(t, s.Record.Transaction)
	assert.True(t, s.Record.Transaction.RefundPrice.Equal(amt("2")))

	for _, r := range []*odero.SettleRequest{nil, {PaymentID: 1}, {ConversationID: "x"}, {ConversationID: "x", PaymentID: 1, PaymentTransactionID: 2}} {
		_, err = c.Settle(ctx, r)
		require.ErrorIs(t, err, odero.ErrInvalidRequest)
	}
}

// The lease must outlast the HTTP timeout.
func TestClaimLeaseExceedsTimeout(t *testing.T) {
	srv := oderotest.NewServer(t)
	cfg := srv.Config()
	cfg.ClaimLease = 30 * time.Second
	_, err := odero.New(cfg, odero.WithBaseURL(srv.URL))
	require.ErrorIs(t, err, odero.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "ClaimLease")
	cfg.ClaimLease = 0
	_, err = odero.New(cfg, odero.WithBaseURL(srv.URL))
	require.NoError(t, err)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
