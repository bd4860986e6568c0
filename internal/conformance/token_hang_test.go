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

// hungTokenCase is a provider whose first token request is accepted and
// never answered, reached through a merchant http.Client with no Timeout.
type hungTokenCase struct {
	name      string
	fake      conformance.Fake
	tokenPath string
	call      func(ctx context.Context) error // a read that needs a token
}

func TestHungTokenRequestRecovers(t *testing.T) {
	const bound = 300 * time.Millisecond
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	noTimeout := &http.Client{Transport: tr}

	fr := finrotatest.NewServer(t)
	fc, err := fr.NewClient(finrota.WithHTTPClient(noTimeout), finrota.WithTokenTimeout(bound), finrota.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	fx := flexititest.NewServer(t)
	xc, err := fx.NewClient(flexiti.WithHTTPClient(noTimeout), flexiti.WithTokenTimeout(bound), flexiti.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []hungTokenCase{
		{"finrota", fr, "/auth/api/token/connect", func(ctx context.Context) error { _, err := fc.CreateWidgetToken(ctx); return err }},
		{"flexiti", fx, flexititest.Base + "/v2.5/oauth/token", func(ctx context.Context) error { _, err := xc.NewFlow(ctx); return err }},
	} {
		t.Run(c.name, func(t *testing.T) {
			tokentest.WaitNoFetch(t)
			c.fake.Fail("POST", c.tokenPath, fake.Fault{Kind: fake.Hang, Delay: time.Hour})
			// Without a bound this call never returns: the client has no
			// timeout and the caller's context none either.
			err := c.call(context.Background())
			if err == nil {
				t.Fatal("a call whose token request hung succeeded")
			}
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "token: fetch did not finish within its bound") {
				t.Errorf("error does not say the token fetch timed out: %v", err)
			}
			// The provider answers again: the next calls get a fresh token.
			for i := range 3 {
				if err := c.call(context.Background()); err != nil {
					t.Fatalf("call %d after recovery: %v", i, err)
				}
			}
			if n := c.fake.Count("POST", c.tokenPath); n < 2 {
				t.Errorf("%d token requests; want the hung one and a fresh one", n)
			}
			tokentest.WaitNoFetch(t)
		})
	}
}
