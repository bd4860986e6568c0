package finrota_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
)

const (
	widgetPayPath = "/b2c/widget/payment"
	directPayPath = "/b2c/payment"
	listPath      = "/erp/payments"
)

// replica is a client of srv sharing store, with the given lease.
func replica(t *testing.T, srv *finrotatest.Server, store finrota.Store, lease time.Duration) *finrota.Client {
	t.Helper()
	cfg := srv.Config()
	cfg.Claims, cfg.ClaimLease = store, lease
	c, err := finrota.New(cfg, finrota.WithBaseURL(srv.URL), finrota.WithHTTPClient(srv.Client()),
		finrota.WithRetry(finrota.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}))
	require.NoError(t, err)
	return c
}

var amount = finrota.MustParseAmount("2750.00")

func completeReq(ref string, tok finrota.PrepareToken) *finrota.CompleteRequest {
	return &finrota.CompleteRequest{Amount: amount, PrepareToken: tok, ReturnURL: "https://shop.example/finrota/return/" + ref,
		ClientReferenceCode: ref, CustomerIP: "203.0.113.7"}
}

func payReq(ref string, card finrotatest.Card) *finrota.PayRequest {
	return &finrota.PayRequest{
		Card: finrota.Card{Number: finrota.Secret(card.Number), HolderName: card.HolderName, CVV: finrota.Secret(card.CVC),
			ExpMonth: card.ExpMonth, ExpYear: card.ExpYear},
		Currency: finrota.TRY, Amount: amount, InstallmentToken: "inst-1",
		ReturnURL: "https://shop.example/finrota/return/" + ref, ClientReferenceCode: ref, CustomerIP: "203.0.113.7",
	}
}

func orderID(t *testing.T, out finrota.Outcome) string {
	t.Helper()
	_, id := out.Reference()
	require.NotEmpty(t, id)
	return id
}

// Many repeats of one payment, at once, on three replicas sharing one
// store: Finrota receives one request, and every answer is that payment or
// "in progress"; later repeats return the same payment, found by look-up,
// and send nothing.
func TestCompletePaymentOnceConcurrentReplicas(t *testing.T) {
	srv := finrotatest.NewServer(t)
	store := finrota.NewMemoryStore(0, 0)
	replicas := []*finrota.Client{replica(t, srv, store, time.Minute), replica(t, srv, store, time.Minute), replica(t, srv, store, time.Minute)}
	req := completeReq("ord-c1", srv.Prepare(amount, finrotatest.TestCard))
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[string]int{}
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := replicas[i%3].CompletePaymentOnce(context.Background(), req)
			if errors.Is(err, finrota.ErrInProgress) {
				var ip *finrota.InProgressError
				assert.ErrorAs(t, err, &ip)
				assert.GreaterOrEqual(t, ip.RetryAfter, time.Second)
				return
			}
			if !assert.NoError(t, err) {
				return
			}
			assert.IsType(t, &finrota.DirectSale{}, out)
			mu.Lock()
			ids[orderID(t, out)]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	assert.Len(t, ids, 1, "every answer is the one payment: %v", ids)
	assert.Equal(t, 1, srv.Count(http.MethodPost, widgetPayPath), "one payment request reached Finrota")
	for _, c := range replicas {
		out, err := c.CompletePaymentOnce(context.Background(), req)
		require.NoError(t, err)
		sale, ok := out.(*finrota.DirectSale)
		require.True(t, ok)
		require.NotNil(t, sale.Record, "a repeat answers with Finrota's record")
		assert.True(t, sale.Record.Status.Paid())
		assert.Contains(t, ids, sale.OrderID, "a repeat returns the same payment")
	}
	assert.Equal(t, 1, srv.Count(http.MethodPost, widgetPayPath), "repeats after success send nothing")
	assert.Equal(t, 1, srv.PaymentCount())
}

// Another amount, currency or card under a used reference is a conflict,
// whether the store remembers the first parameters or only Finrota's
// record tells; nothing more is sent.
func TestPayOnceConflict(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c := replica(t, srv, nil, 0)
	ctx := context.Background()
	first, err := c.PayOnce(ctx, payReq("ord-p1", finrotatest.TestCard))
	require.NoError(t, err)
	again, err := c.PayOnce(ctx, payReq("ord-p1", finrotatest.TestCard))
	require.NoError(t, err)
	assert.Equal(t, orderID(t, first), orderID(t, again))

	otherAmount := payReq("ord-p1", finrotatest.TestCard)
	otherAmount.Amount = finrota.MustParseAmount("99.90")
	otherCurrency := payReq("ord-p1", finrotatest.TestCard)
	otherCurrency.Currency = finrota.USD
	otherCard := payReq("ord-p1", finrotatest.TestCard)
	otherCard.Card.Number = "5555444433331111"
	for _, r := range []*finrota.PayRequest{otherAmount, otherCurrency, otherCard} {
		_, err = c.PayOnce(ctx, r)
		require.ErrorIs(t, err, finrota.ErrReferenceConflict)
		assert.NotContains(t, err.Error(), "5555444433331111")
	}
	// A widget payment under the direct payment's reference conflicts too.
	_, err = c.CompletePaymentOnce(ctx, completeReq("ord-p1", srv.Prepare(amount, finrotatest.TestCard)))
	require.ErrorIs(t, err, finrota.ErrReferenceConflict)

	// A replica whose store does not know the reference sends it (a new
	// reference is not looked up first: Finrota refuses a used one with
	// 409), and Finrota's record, looked up after the refusal, tells the
	// amount and currency.
	fresh := replica(t, srv, finrota.NewMemoryStore(0, 0), 0)
	_, err = fresh.PayOnce(ctx, otherAmount)
	var ce *finrota.ReferenceConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "ord-p1", ce.Reference)
	assert.Contains(t, ce.Reason, "amount 2750.00, requested 99.90")
	_, err = replica(t, srv, finrota.NewMemoryStore(0, 0), 0).PayOnce(ctx, otherCurrency)
	require.ErrorIs(t, err, finrota.ErrReferenceConflict)
	assert.NotErrorIs(t, err, finrota.ErrConflict, "the 409 is not shown")
	assert.Equal(t, 3, srv.Count(http.MethodPost, directPayPath), "only the stores that did not know the reference sent it")
	assert.Equal(t, 1, srv.PaymentCount(), "Finrota refused the used reference: one payment")
}

// A dropped reply after Finrota took the payment: the call looks the
// reference up at once and answers with the payment; nothing is sent twice.
func TestPayOnceDropAfterSettledByLookup(t *testing.T) {
	for _, path := range []string{widgetPayPath, directPayPath} {
		t.Run(path, func(t *testing.T) {
			srv := finrotatest.NewServer(t)
			c := replica(t, srv, nil, 0)
			srv.Fail(http.MethodPost, path, finrotatest.Fault{Kind: finrotatest.DropAfter})
			var out finrota.Outcome
			var err error
			if path == widgetPayPath {
				out, err = c.CompletePaymentOnce(context.Background(), completeReq("ord-u1", srv.Prepare(amount, finrotatest.TestCard)))
			} else {
				out, err = c.PayOnce(context.Background(), payReq("ord-u1", finrotatest.TestCard))
			}
			require.NoError(t, err)
			sale, ok := out.(*finrota.DirectSale)
			require.True(t, ok)
			require.NotNil(t, sale.Record)
			assert.Equal(t, srv.Payments()[0].OrderID, sale.OrderID)
			assert.Equal(t, 1, srv.Count(http.MethodPost, path))
		})
	}
}

// The same, with the listing down too: ErrOutcomeUnknown, the reference
// stays held (a repeat inside the lease is told to come back, another
// amount is a conflict), and the replica that takes it over after the
// lease finds the payment by look-up instead of paying again.
func TestPayOnceOutcomeUnknownThenTakeOver(t *testing.T) {
	srv := finrotatest.NewServer(t)
	store := finrota.NewMemoryStore(0, 0)
	const lease = 300 * time.Millisecond
	a, b := replica(t, srv, store, lease), replica(t, srv, store, lease)
	srv.Fail(http.MethodPost, directPayPath, finrotatest.Fault{Kind: finrotatest.DropAfter})
	down := finrotatest.Fault{Kind: finrotatest.Status, Status: http.StatusBadGateway}
	none := finrotatest.Fault{Kind: finrotatest.Status, Status: http.StatusOK, Body: []byte(`{"data":[]}`)}
	// A new reference is sent without a look-up first (Finrota refuses a
	// used one); the look-up after the dropped reply fails, its two retries
	// too. The take-over looks up before sending: its first listing is
	// stale and empty, and the send it then makes is refused with 409 and
	// settled by a second look-up.
	srv.Fail(http.MethodGet, listPath, down, down, down, none)
	_, err := a.PayOnce(context.Background(), payReq("ord-u2", finrotatest.TestCard))
	require.ErrorIs(t, err, finrota.ErrOutcomeUnknown)

	_, err = b.PayOnce(context.Background(), payReq("ord-u2", finrotatest.TestCard))
	require.ErrorIs(t, err, finrota.ErrInProgress, "held after an unknown outcome")
	other := payReq("ord-u2", finrotatest.TestCard)
	other.Amount = finrota.MustParseAmount("1.00")
	_, err = b.PayOnce(context.Background(), other)
	require.ErrorIs(t, err, finrota.ErrReferenceConflict, "another amount while held")

	time.Sleep(lease + 100*time.Millisecond)
	out, err := b.PayOnce(context.Background(), payReq("ord-u2", finrotatest.TestCard))
	require.NoError(t, err)
	assert.IsType(t, &finrota.DirectSale{}, out)
	assert.Equal(t, 2, srv.Count(http.MethodPost, directPayPath), "the take-over's send was refused with 409")
	assert.Equal(t, 1, srv.PaymentCount())
}

// Finrota's 409 for a used clientReferenceCode means it has the payment: a
// replica whose store never saw the reference (it sends a new reference
// without a look-up) answers with the payment, never with the refusal; when
// the look-up after the 409 misses it too (a stale, empty listing), the
// reference is in progress and held, still not a failure.
func TestDuplicateReferenceIsReceivedBefore(t *testing.T) {
	srv := finrotatest.NewServer(t)
	first, err := replica(t, srv, nil, 0).PayOnce(context.Background(), payReq("ord-d1", finrotatest.TestCard))
	require.NoError(t, err)

	other := replica(t, srv, finrota.NewMemoryStore(0, 0), 0) // a store that lost the claim
	out, err := other.PayOnce(context.Background(), payReq("ord-d1", finrotatest.TestCard))
	require.NoError(t, err)
	assert.Equal(t, orderID(t, first), orderID(t, out))
	assert.Equal(t, 2, srv.Count(http.MethodPost, directPayPath), "one refused request")
	assert.Equal(t, 1, srv.Count(http.MethodGet, listPath), "looked up only after the 409")
	assert.Equal(t, 1, srv.PaymentCount(), "Finrota took the payment once")

	srv.Fail(http.MethodGet, listPath, finrotatest.Fault{Kind: finrotatest.Status, Status: http.StatusOK, Body: []byte(`{"data":[]}`)})
	third := replica(t, srv, finrota.NewMemoryStore(0, 0), 0)
	_, err = third.PayOnce(context.Background(), payReq("ord-d1", finrotatest.TestCard))
	require.ErrorIs(t, err, finrota.ErrInProgress)
	assert.NotErrorIs(t, err, finrota.ErrConflict)
	_, err = third.PayOnce(context.Background(), payReq("ord-d1", finrotatest.TestCard))
	require.ErrorIs(t, err, finrota.ErrInProgress, "held, not sent again")
	assert.Equal(t, 3, srv.Count(http.MethodPost, directPayPath))
	assert.Equal(t, 1, srv.PaymentCount(), "Finrota took the payment once")
	// The fake refuses the reference itself, as Finrota does.
	_, err = other.Pay(context.Background(), payReq("ord-d1", finrotatest.TestCard))
	require.ErrorIs(t, err, finrota.ErrConflict)
}

// A 3-D payment: the first call redirects; a repeat while the shopper is at
// the bank sends nothing and says in progress (Settle: pending); after the
// 3-D step a repeat answers paid. A declined card answers its decline on
// every repeat, and a lapsed 3-D step answers failed.
func TestCompletePaymentOnceThreeDAndDeclines(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c := replica(t, srv, nil, 0)
	ctx := context.Background()
	req := completeReq("ord-3d", srv.Prepare(amount, finrotatest.ThreeDSCard))
	out, err := c.CompletePaymentOnce(ctx, req)
	require.NoError(t, err)
	redirect, ok := out.(*finrota.Redirect)
	require.True(t, ok)

	_, err = c.CompletePaymentOnce(ctx, req)
	var ip *finrota.InProgressError
	require.ErrorAs(t, err, &ip, "the shopper is at the bank")
	assert.Equal(t, "ord-3d", ip.Reference)
	s, err := c.Settle(ctx, &finrota.SettleRequest{ClientReferenceCode: "ord-3d"})
	require.NoError(t, err)
	assert.Equal(t, finrota.SettlePending, s.State)
	assert.Equal(t, finrota.TransactionPending, s.Record.Status)

	_, err = srv.PassThreeDS(ctx, redirect.URL, finrotatest.ThreeDSCard)
	require.NoError(t, err)
	out, err = c.CompletePaymentOnce(ctx, req)
	require.NoError(t, err)
	sale, ok := out.(*finrota.DirectSale)
	require.True(t, ok)
	assert.Equal(t, redirect.OrderID, sale.OrderID)
	s, err = c.Settle(ctx, &finrota.SettleRequest{ClientReferenceCode: "ord-3d"})
	require.NoError(t, err)
	assert.Equal(t, finrota.SettleDone, s.State)
	assert.True(t, s.Record.Status.Paid())
	assert.Equal(t, 1, srv.Count(http.MethodPost, widgetPayPath))

	for range 2 {
		_, err = c.PayOnce(ctx, payReq("ord-dc", finrotatest.DeclinedCard))
		var pe *finrota.PaymentError
		require.ErrorAs(t, err, &pe, "the decline, on every repeat")
	}
	assert.Equal(t, 1, srv.Count(http.MethodPost, directPayPath))
	s, err = c.Settle(ctx, &finrota.SettleRequest{ClientReferenceCode: "ord-dc"})
	require.NoError(t, err)
	assert.Equal(t, finrota.SettleDone, s.State)
	assert.True(t, s.Record.Status.Failed())

	srv.SetThreeDLifetime(0)
	lapsed := completeReq("ord-lapse", srv.Prepare(amount, finrotatest.ThreeDSCard))
	_, err = c.CompletePaymentOnce(ctx, lapsed)
	require.NoError(t, err)
	_, err = c.CompletePaymentOnce(ctx, lapsed)
	require.ErrorIs(t, err, finrota.ErrPaymentFailed, "the bank's session lapsed")
}

// A repeat while the first call is still waiting for Finrota is told to
// come back, and sends nothing.
func TestCompletePaymentOnceInProgress(t *testing.T) {
	srv := finrotatest.NewServer(t)
	store := finrota.NewMemoryStore(0, 0)
	a, b := replica(t, srv, store, time.Minute), replica(t, srv, store, time.Minute)
	req := completeReq("ord-ip", srv.Prepare(amount, finrotatest.TestCard))
	srv.Fail(http.MethodPost, widgetPayPath, finrotatest.Fault{Kind: finrotatest.Hang, Delay: 300 * time.Millisecond})
	done := make(chan error, 1)
	go func() {
		_, err := a.CompletePaymentOnce(context.Background(), req)
		done <- err
	}()
	for srv.Count(http.MethodPost, widgetPayPath) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	_, err := b.CompletePaymentOnce(context.Background(), req)
	require.ErrorIs(t, err, finrota.ErrInProgress)
	require.NoError(t, <-done, "the hung reply was settled by look-up")
	assert.Equal(t, 1, srv.Count(http.MethodPost, widgetPayPath))
}

// Settle of a reference Finrota never saw, and of a bad request.
func TestSettleNotFoundAndInvalid(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c := replica(t, srv, nil, 0)
	s, err := c.Settle(context.Background(), &finrota.SettleRequest{ClientReferenceCode: "never-sent"})
	require.NoError(t, err)
	assert.Equal(t, finrota.SettleNotFound, s.State)
	assert.Nil(t, s.Record)
	looked := srv.Count(http.MethodGet, listPath)
	_, err = c.Settle(context.Background(), &finrota.SettleRequest{})
	require.ErrorIs(t, err, finrota.ErrInvalidRequest)
	_, err = c.PayOnce(context.Background(), &finrota.PayRequest{})
	require.ErrorIs(t, err, finrota.ErrInvalidRequest)
	assert.Equal(t, looked, srv.Count(http.MethodGet, listPath), "nothing looked up for a bad request")
}

// The lease must outlast the HTTP timeout, or a request could still be in
// flight when another replica takes the reference over.
func TestClaimLeaseExceedsTimeout(t *testing.T) {
	srv := finrotatest.NewServer(t)
	cfg := srv.Config()
	cfg.ClaimLease = 30 * time.Second
	_, err := finrota.New(cfg, finrota.WithBaseURL(srv.URL)) // the default client: 60 s
	require.ErrorIs(t, err, finrota.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "ClaimLease")
	cfg.ClaimLease = -time.Second
	_, err = finrota.New(cfg, finrota.WithBaseURL(srv.URL))
	require.ErrorIs(t, err, finrota.ErrInvalidRequest)
	cfg.ClaimLease = 0
	_, err = finrota.New(cfg, finrota.WithBaseURL(srv.URL))
	require.NoError(t, err, "the default lease (%s) exceeds the default timeout", finrota.DefaultClaimLease)
}
