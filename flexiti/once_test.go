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

func saleReq(ref string) *flexiti.AuthorizeRequest {
	r := authorizeReq(ref)
	r.AutoCapture = true
	return r
}

// onceClient is a client of srv with its own claim store and lease.
func onceClient(t *testing.T, srv *flexititest.Server, store flexiti.Store, lease time.Duration) *flexiti.Client {
	cfg := srv.Config()
	cfg.Claims, cfg.ClaimLease = store, lease
	c, err := flexiti.New(cfg, flexiti.WithBaseURL(srv.URL), flexiti.WithHTTPClient(srv.Client()),
		flexiti.WithRetry(flexiti.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}))
	require.NoError(t, err)
	return c
}

const authorizationPath = flexititest.Base + "/v2.5.1/client-id/" + flexititest.ClientID + "/authorization"

// The same success event three times: one authorization, one capture, and
// every call answers with that authorization.
func TestAuthorizeOnceReplayed(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := newClient(t, srv)
	f := passedFlow(t, srv, c)
	var ids []flexiti.ID
	for range 3 {
		a, err := f.AuthorizeOnce(context.Background(), saleReq("order-7"))
		require.NoError(t, err)
		ids = append(ids, a.AuthorizationID)
	}
	assert.Equal(t, []flexiti.ID{ids[0], ids[0], ids[0]}, ids)
	assert.Equal(t, 1, srv.Authorizations(), "exactly one authorization")
	assert.Equal(t, 1, srv.Captured(), "exactly one capture")
	assert.Equal(t, 1, srv.Count("POST", authorizationPath), "one authorization request sent")

	// A replay for another account does not authorize that account.
	_, err := f.AuthorizeOnce(context.Background(), &flexiti.AuthorizeRequest{AccountNumber: flexititest.AccountNumber + 1, Reference: "order-7",
		Amount: flexiti.MustParseAmount("1499.99"), AutoCapture: true, FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}})
	require.ErrorIs(t, err, flexiti.ErrReferenceConflict)
	assert.Equal(t, 1, srv.Count("POST", authorizationPath))
}

// Ten concurrent success events for one order, through two clients that
// share a claim store as two replicas would: one authorization.
func TestAuthorizeOnceConcurrent(t *testing.T) {
	srv := flexititest.NewServer(t)
	store := claims.NewMemory(0, 0)
	replicas := []*flexiti.Client{onceClient(t, srv, store, 0), onceClient(t, srv, store, 0)}
	st := passedFlow(t, srv, replicas[0]).State()
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[flexiti.ID]int{}
	busy := 0
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := replicas[i%2].RestoreFlow(st)
			if !assert.NoError(t, err) {
				return
			}
			a, err := f.AuthorizeOnce(context.Background(), saleReq("order-8"))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				got[a.AuthorizationID]++
			case errors.Is(err, flexiti.ErrInProgress):
				busy++
			default:
				t.Errorf("unexpected: %v", err)
			}
		}()
	}
	wg.Wait()
	assert.Len(t, got, 1, "every success names the same authorization")
	assert.Equal(t, 10, busy+func() int {
		n := 0
		for _, v := range got {
			n += v
		}
		return n
	}())
	assert.Equal(t, 1, srv.Authorizations(), "exactly one authorization")
	assert.Equal(t, 1, srv.Captured(), "exactly one capture")
	assert.Equal(t, 1, srv.Count("POST", authorizationPath))
	// Once the winner is done, every later event gets its authorization.
	f, _ := replicas[1].RestoreFlow(st)
	a, err := f.AuthorizeOnce(context.Background(), saleReq("order-8"))
	require.NoError(t, err)
	for id := range got {
		assert.Equal(t, id, a.AuthorizationID)
	}
}

// The authorization reached Flexiti but its answer was lost: reconciled
// at once by reference, nothing sent twice.
func TestAuthorizeOnceOutcomeUnknownReconcilesAtOnce(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := newClient(t, srv)
	f := passedFlow(t, srv, c)
	srv.Fail("POST", authorizationPath, flexititest.Fault{Kind: flexititest.DropAfter})
	a, err := f.AuthorizeOnce(context.Background(), saleReq("order-9"))
	require.NoError(t, err)
	assert.Equal(t, "order-9", a.Reference)
	assert.Equal(t, 1, srv.Authorizations())
	assert.Equal(t, 1, srv.Count("POST", authorizationPath))
}

// The answer was lost and Flexiti could not be asked either: the claim is
// left held, the next attempt inside the lease is told to wait, and the
// first one after it reconciles by reference before authorizing — and
// finds the authorization, so nothing is sent again.
func TestAuthorizeOnceOutcomeUnknownLeavesClaimForReconcile(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := onceClient(t, srv, claims.NewMemory(0, 0), time.Second)
	f := passedFlow(t, srv, c)
	list := flexititest.Base + "/v2.5.1/client-id/" + flexititest.ClientID + "/authorizations"
	down := flexititest.Fault{Kind: flexititest.Status, Status: 503}
	none := flexititest.Fault{Kind: flexititest.Status, Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`[]`)}
	srv.Fail("POST", authorizationPath, flexititest.Fault{Kind: flexititest.DropAfter})
	srv.Fail("GET", list, none, down, down, down) // the look before, then the look after the lost answer
	_, err := f.AuthorizeOnce(context.Background(), saleReq("order-10"))
	require.ErrorIs(t, err, flexiti.ErrOutcomeUnknown)
	_, err = f.AuthorizeOnce(context.Background(), saleReq("order-10"))
	require.ErrorIs(t, err, flexiti.ErrInProgress, "inside the lease")
	time.Sleep(1100 * time.Millisecond) // the lease runs out
	a, err := f.AuthorizeOnce(context.Background(), saleReq("order-10"))
	require.NoError(t, err, "taken over and reconciled")
	assert.Equal(t, "order-10", a.Reference)
	assert.Equal(t, 1, srv.Authorizations())
	assert.Equal(t, 1, srv.Count("POST", authorizationPath), "no second authorization")
}

// A refusal releases the claim: the shopper can try again.
func TestAuthorizeOnceRefusalReleases(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := newClient(t, srv)
	f := passedFlow(t, srv, c)
	big := saleReq("order-11")
	big.Amount = flexiti.MustParseAmount("9000.00")
	_, err := f.AuthorizeOnce(context.Background(), big)
	require.ErrorIs(t, err, flexiti.ErrCreditExceeded)
	a, err := f.AuthorizeOnce(context.Background(), saleReq("order-11"))
	require.NoError(t, err)
	assert.Equal(t, "1499.99", a.Amount.String())
	assert.Equal(t, 1, srv.Authorizations())

	_, err = f.AuthorizeOnce(context.Background(), saleReq(""))
	require.ErrorIs(t, err, flexiti.ErrInvalidRequest, "a reference is required")
}

// A lookup that fails before anything was sent releases the claim: the next
// attempt authorizes at once instead of waiting out the lease, and only one
// authorization is made.
func TestAuthorizeOnceFailedLookupReleases(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := onceClient(t, srv, claims.NewMemory(0, 0), time.Hour)
	f := passedFlow(t, srv, c)
	for range 3 { // the first attempt and its two retries
		srv.Fail(http.MethodGet, authorizationPath+"s", flexititest.Fault{Kind: flexititest.Status, Status: http.StatusServiceUnavailable})
	}
	_, err := f.AuthorizeOnce(context.Background(), saleReq("order-12"))
	require.Error(t, err)
	assert.NotErrorIs(t, err, flexiti.ErrOutcomeUnknown)
	assert.Equal(t, 0, srv.Count("POST", authorizationPath), "nothing authorized while the lookup failed")

	a, err := f.AuthorizeOnce(context.Background(), saleReq("order-12"))
	require.NoError(t, err, "not held for the hour-long lease")
	assert.Equal(t, "1499.99", a.Amount.String())
	assert.Equal(t, 1, srv.Authorizations())
}
