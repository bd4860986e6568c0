package flexiti_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/internal/claims"
)

func capturePath(id flexiti.ID) string {
	return flexititest.Base + "/v2.5.1/client-id/" + flexititest.ClientID + "/authorization/" + id.String() + "/capture"
}

// preAuthorized makes an authorization without auto-capture.
func preAuthorized(t *testing.T, srv *flexititest.Server, c *flexiti.Client, ref string) *flexiti.Authorization {
	a, err := passedFlow(t, srv, c).AuthorizeOnce(context.Background(), authorizeReq(ref))
	require.NoError(t, err)
	return a
}

// Concurrent repeats of one capture on three replicas sharing a store: one
// capture request; every later repeat answers with that capture; another
// amount under the reference is a conflict.
func TestCaptureOnce(t *testing.T) {
	srv := flexititest.NewServer(t)
	store := flexiti.NewMemoryStore(0, 0)
	replicas := []*flexiti.Client{onceClient(t, srv, store, 0), onceClient(t, srv, store, 0), onceClient(t, srv, store, 0)}
	a := preAuthorized(t, srv, replicas[0], "order-c1")
	req := &flexiti.CaptureRequest{Amount: flexiti.MustParseAmount("1000.00"), Reference: "cap-1"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[flexiti.ID]int{}
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cp, err := replicas[i%3].CaptureOnce(context.Background(), a.AuthorizationID, req)
			if errors.Is(err, flexiti.ErrInProgress) {
				return
			}
			if assert.NoError(t, err) {
				mu.Lock()
				ids[cp.CaptureID]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Len(t, ids, 1)
	assert.Equal(t, 1, srv.Count(http.MethodPost, capturePath(a.AuthorizationID)), "one capture request")

	again, err := replicas[2].CaptureOnce(context.Background(), a.AuthorizationID, req)
	require.NoError(t, err)
	assert.Contains(t, ids, again.CaptureID)
	assert.Equal(t, "cap-1", again.Reference)

	_, err = replicas[1].CaptureOnce(context.Background(), a.AuthorizationID, &flexiti.CaptureRequest{Amount: flexiti.MustParseAmount("499.99"), Reference: "cap-1"})
	require.ErrorIs(t, err, flexiti.ErrReferenceConflict)
	// A replica with a store of its own: the listed capture tells.
	_, err = onceClient(t, srv, flexiti.NewMemoryStore(0, 0), 0).CaptureOnce(context.Background(), a.AuthorizationID,
		&flexiti.CaptureRequest{Amount: flexiti.MustParseAmount("499.99"), Reference: "cap-1"})
	require.ErrorIs(t, err, flexiti.ErrReferenceConflict)
	assert.Contains(t, err.Error(), "amount 1000.00, requested 499.99")
	assert.Equal(t, 1, srv.Count(http.MethodPost, capturePath(a.AuthorizationID)))

	_, err = replicas[0].CaptureOnce(context.Background(), a.AuthorizationID, &flexiti.CaptureRequest{Amount: flexiti.MustParseAmount("1.00")})
	require.ErrorIs(t, err, flexiti.ErrInvalidRequest, "a reference is required")
}

// The capture's reply is lost after Flexiti made it: the call finds it by
// its reference and answers with it; nothing is sent twice.
func TestCaptureOnceOutcomeUnknown(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := onceClient(t, srv, nil, 0)
	a := preAuthorized(t, srv, c, "order-c2")
	srv.Fail(http.MethodPost, capturePath(a.AuthorizationID), flexititest.Fault{Kind: flexititest.DropAfter})
	req := &flexiti.CaptureRequest{Amount: flexiti.MustParseAmount("20.00"), Reference: "cap-2"}
	cp, err := c.CaptureOnce(context.Background(), a.AuthorizationID, req)
	require.NoError(t, err)
	assert.Equal(t, "cap-2", cp.Reference)
	_, err = c.CaptureOnce(context.Background(), a.AuthorizationID, req)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Count(http.MethodPost, capturePath(a.AuthorizationID)))
}

// deadlines records the deadline of every request's context.
type deadlines struct {
	base http.RoundTripper
	mu   sync.Mutex
	at   []time.Time
}

func (d *deadlines) RoundTrip(r *http.Request) (*http.Response, error) {
	dl, _ := r.Context().Deadline()
	d.mu.Lock()
	d.at = append(d.at, dl)
	d.mu.Unlock()
	return d.base.RoundTrip(r)
}

// skewed is a claims store whose clock runs an hour ahead of this
// replica's: Claim.Until is an hour later than the lease.
type skewed struct{ *claims.Memory }

func (s skewed) ClaimValue(ctx context.Context, key, value string, lease time.Duration) (claims.Claim, error) {
	c, err := s.Memory.ClaimValue(ctx, key, value, lease)
	if !c.Until.IsZero() {
		c.Until = c.Until.Add(time.Hour)
	}
	return c, err
}

// Work under a claim is bounded by this replica's clock read before the
// claim, not by the store's Until: with the database an hour ahead, the
// authorization still ends within the lease, before anyone may take over.
func TestAuthorizeOnceBoundedByLocalClock(t *testing.T) {
	srv := flexititest.NewServer(t)
	rec := &deadlines{base: srv.Client().Transport}
	cfg := srv.Config()
	const lease = time.Minute
	cfg.Claims, cfg.ClaimLease = skewed{claims.NewMemory(0, 0)}, lease
	c, err := flexiti.New(cfg, flexiti.WithBaseURL(srv.URL), flexiti.WithHTTPClient(&http.Client{Transport: rec}))
	require.NoError(t, err)
	f := passedFlow(t, srv, c)
	rec.mu.Lock()
	rec.at = nil
	rec.mu.Unlock()
	before := time.Now()
	_, err = f.AuthorizeOnce(context.Background(), authorizeReq("order-skew"))
	require.NoError(t, err)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	require.NotEmpty(t, rec.at)
	for _, dl := range rec.at {
		require.False(t, dl.IsZero(), "every request under the claim has a deadline")
		assert.False(t, dl.After(before.Add(lease)), "deadline %v is past the local lease end %v", dl, before.Add(lease))
	}
}

func TestSettle(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := onceClient(t, srv, nil, 0)
	ctx := context.Background()
	s, err := c.Settle(ctx, &flexiti.SettleRequest{AccountNumber: flexititest.AccountNumber, Reference: "order-s1"})
	require.NoError(t, err)
	assert.Equal(t, flexiti.SettleNotFound, s.State)

	a := preAuthorized(t, srv, c, "order-s1")
	s, err = c.Settle(ctx, &flexiti.SettleRequest{AccountNumber: flexititest.AccountNumber, Reference: "order-s1"})
	require.NoError(t, err)
	assert.Equal(t, flexiti.SettleDone, s.State)
	assert.Equal(t, a.AuthorizationID, s.Record.AuthorizationID)

	_, err = c.Settle(ctx, &flexiti.SettleRequest{AccountNumber: flexititest.AccountNumber})
	require.ErrorIs(t, err, flexiti.ErrInvalidRequest)
}

// The lease must outlast the HTTP timeout.
func TestClaimLeaseExceedsTimeout(t *testing.T) {
	srv := flexititest.NewServer(t)
	cfg := srv.Config()
	cfg.ClaimLease = 10 * time.Second
	_, err := flexiti.New(cfg, flexiti.WithBaseURL(srv.URL), flexiti.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}))
	require.ErrorIs(t, err, flexiti.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "ClaimLease")
}

// Releases, returns and refunds have no look-up at Flexiti: each is sent
// once per reference, a repeat after success answers ErrAlreadyDone, a
// conflict is told by the remembered fingerprint, and after an unknown
// outcome nothing is ever sent again for the reference.
func TestBlindOnceCalls(t *testing.T) {
	srv := flexititest.NewServer(t)
	store := flexiti.NewMemoryStore(0, 0)
	const lease = 300 * time.Millisecond
	a, b := onceClient(t, srv, store, lease), onceClient(t, srv, store, lease)
	ctx := context.Background()
	base := flexititest.Base + "/v2.5.1/client-id/" + flexititest.ClientID

	auth := preAuthorized(t, srv, a, "order-b1")
	cp, err := a.CaptureOnce(ctx, auth.AuthorizationID, &flexiti.CaptureRequest{Amount: flexiti.MustParseAmount("100.00"), Reference: "cap-b1"})
	require.NoError(t, err)
	retPath := base + "/authorization/" + auth.AuthorizationID.String() + "/capture/" + cp.CaptureID.String() + "/return"
	amt := flexiti.MustParseAmount("10.00")
	ret := &flexiti.ReturnRequest{Reference: "ret-b1", Amount: &amt}
	r1, err := a.ReturnOnce(ctx, auth.AuthorizationID, cp.CaptureID, ret)
	require.NoError(t, err)
	assert.NotZero(t, r1.ReturnID)
	_, err = b.ReturnOnce(ctx, auth.AuthorizationID, cp.CaptureID, ret)
	require.ErrorIs(t, err, flexiti.ErrAlreadyDone)
	other := flexiti.MustParseAmount("11.00")
	_, err = b.ReturnOnce(ctx, auth.AuthorizationID, cp.CaptureID, &flexiti.ReturnRequest{Reference: "ret-b1", Amount: &other})
	require.ErrorIs(t, err, flexiti.ErrReferenceConflict)
	assert.Equal(t, 1, srv.Count(http.MethodPost, retPath))

	refundPath := base + "/accounts/" + flexiti.ID(flexititest.AccountNumber).String() + "/refund"
	srv.Fail(http.MethodPost, refundPath, flexititest.Fault{Kind: flexititest.DropAfter})
	refund := &flexiti.RefundRequest{Amount: flexiti.MustParseAmount("5.00"), Reference: "rf-b1"}
	_, err = a.RefundOnce(ctx, flexititest.AccountNumber, refund)
	require.ErrorIs(t, err, flexiti.ErrOutcomeUnknown)
	_, err = b.RefundOnce(ctx, flexititest.AccountNumber, refund)
	require.ErrorIs(t, err, flexiti.ErrInProgress)
	time.Sleep(lease + 100*time.Millisecond)
	_, err = b.RefundOnce(ctx, flexititest.AccountNumber, refund)
	require.ErrorIs(t, err, flexiti.ErrOutcomeUnknown, "taken over: never sent again")
	assert.Equal(t, 1, srv.Count(http.MethodPost, refundPath))

	relPath := base + "/authorization/" + auth.AuthorizationID.String() + "/release"
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = []*flexiti.Client{a, b}[i%2].ReleaseOnce(ctx, auth.AuthorizationID, &flexiti.ReleaseRequest{Reference: "rel-b1"})
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, srv.Count(http.MethodPost, relPath), "one release for eight concurrent repeats")
	_, err = a.ReleaseOnce(ctx, auth.AuthorizationID, &flexiti.ReleaseRequest{})
	require.ErrorIs(t, err, flexiti.ErrInvalidRequest)
}
