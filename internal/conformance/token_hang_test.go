package conformance_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/internal/conformance"
	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/internal/token/tokentest"
)

// hungTokenCase is a provider whose token request is accepted and never
// answered, reached through a merchant http.Client with no Timeout.
type hungTokenCase struct {
	name      string
	fake      conformance.Fake
	tokenPath string
	// client makes a client with a fresh token cache and returns a call that
	// needs a token, and a read whose callers all share the client's one
	// token cache (Flexiti's NewFlow has a cache per flow).
	client func(t *testing.T) (call, shared func(ctx context.Context) error)
}

func TestHungTokenRequestRecovers(t *testing.T) {
	const bound = 300 * time.Millisecond
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	noTimeout := &http.Client{Transport: tr}

	fr := finrotatest.NewServer(t)
	fx := flexititest.NewServer(t)
	for _, c := range []hungTokenCase{
		{"finrota", fr, "/auth/api/token/connect", func(t *testing.T) (call, shared func(ctx context.Context) error) {
			fc, err := fr.NewClient(finrota.WithHTTPClient(noTimeout), finrota.WithTokenTimeout(bound), finrota.WithoutRetries())
			if err != nil {
				t.Fatal(err)
			}
			call = func(ctx context.Context) error { _, err := fc.CreateWidgetToken(ctx); return err }
			return call, call
		}},
		{"flexiti", fx, flexititest.Base + "/v2.5/oauth/token", func(t *testing.T) (call, shared func(ctx context.Context) error) {
			xc, err := fx.NewClient(flexiti.WithHTTPClient(noTimeout), flexiti.WithTokenTimeout(bound), flexiti.WithoutRetries())
			if err != nil {
				t.Fatal(err)
			}
			return func(ctx context.Context) error { _, err := xc.NewFlow(ctx); return err },
				func(ctx context.Context) error {
					_, err := xc.ListAuthorizations(ctx, flexiti.AuthorizationFilter{})
					return err
				}
		}},
	} {
		t.Run(c.name+"/without deadline", func(t *testing.T) {
			tokentest.WaitNoFetch(t)
			call, _ := c.client(t)
			c.fake.Fail("POST", c.tokenPath, fake.Fault{Kind: fake.Hang, Delay: time.Hour})
			// Without a bound this call never returns: the client has no
			// timeout and the caller's context none either.
			err := call(context.Background())
			if err == nil {
				t.Fatal("a call whose token request hung succeeded")
			}
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "token: fetch did not finish within its bound") {
				t.Errorf("error does not say the token fetch timed out: %v", err)
			}
			// The provider answers again: the next calls get a fresh token.
			for i := range 3 {
				if err := call(context.Background()); err != nil {
					t.Fatalf("call %d after recovery: %v", i, err)
				}
			}
			if n := c.fake.Count("POST", c.tokenPath); n < 2 {
				t.Errorf("%d token requests; want the hung one and a fresh one", n)
			}
			tokentest.WaitNoFetch(t)
		})
		t.Run(c.name+"/callers give up", func(t *testing.T) {
			// A caller that gives up costs nobody else anything: once every
			// caller waiting for a hung token request has left, the request
			// is abandoned at once, not at the bound, and the next call
			// fetches afresh.
			tokentest.WaitNoFetch(t)
			_, call := c.client(t)
			before := c.fake.Count("POST", c.tokenPath)
			c.fake.Fail("POST", c.tokenPath, fake.Fault{Kind: fake.Hang, Delay: time.Hour})
			waiting := make(chan error, 3)
			cancels := make([]context.CancelFunc, cap(waiting))
			for i := range cancels {
				ctx, cancel := context.WithCancel(context.Background())
				cancels[i] = cancel
				go func() { waiting <- call(ctx) }()
			}
			// The hung request reached the fake; its callers give up.
			deadline := time.Now().Add(10 * time.Second) // liveness only
			for c.fake.Count("POST", c.tokenPath) == before {
				if time.Now().After(deadline) {
					t.Fatal("the token request never reached the fake")
				}
				time.Sleep(2 * time.Millisecond)
			}
			for _, cancel := range cancels {
				cancel()
			}
			for range cancels {
				if err := <-waiting; !errors.Is(err, context.Canceled) {
					t.Fatalf("a caller that gave up got %v; want context.Canceled", err)
				}
			}
			// Joining the hung request instead would fail at the bound.
			if err := call(context.Background()); err != nil {
				t.Fatalf("the call after every waiter gave up: %v", err)
			}
			if n := c.fake.Count("POST", c.tokenPath) - before; n != 2 {
				t.Errorf("%d token requests; want the abandoned one and one fresh one", n)
			}
			tokentest.WaitNoFetch(t)
		})
	}
}
