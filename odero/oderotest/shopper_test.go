package oderotest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// shop is a merchant's callback endpoint recording each verdict once.
type shop struct {
	mu       sync.Mutex
	verdicts []string
}

func (s *shop) handler(c *odero.Client) http.Handler {
	return &odero.CallbackHandler{
		Client: c,
		Expect: func(context.Context, *odero.Callback) (odero.Expectation, error) {
			return odero.Expectation{ConversationID: "order-1", PaidPrice: odero.MustParseAmount("25.00"), Currency: odero.TRY}, nil
		},
		Report: func(_ context.Context, v *odero.Verdict) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.verdicts = append(s.verdicts, string(v.Outcome))
			return nil
		},
	}
}

func (s *shop) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.verdicts...)
}

// initCheckout opens a checkout, through srv and hc, whose callback is
// callback (the client's configured CallbackURL).
func initCheckout(t *testing.T, srv *oderotest.Server, hc *http.Client, callback string) *odero.Checkout {
	t.Helper()
	cfg := srv.Config()
	cfg.CallbackURL = callback
	c, err := odero.New(cfg, odero.WithBaseURL(srv.URL), odero.WithHTTPClient(hc))
	require.NoError(t, err)
	co, err := c.InitCheckout(context.Background(), &odero.InitCheckoutRequest{ConversationID: "order-1",
		Price: odero.MustParseAmount("25.00"), PaidPrice: odero.MustParseAmount("25.00"), Currency: odero.TRY,
		Group: odero.PaymentGroupProduct, Items: []odero.Item{{Name: "Tea", Price: odero.MustParseAmount("25.00")}}})
	require.NoError(t, err)
	return co
}

func TestShopperStepsAndRedelivery(t *testing.T) {
	srv := oderotest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	var sh shop
	site := httptest.NewServer(sh.handler(c))
	defer site.Close()
	ctx := context.Background()

	co := initCheckout(t, srv, srv.Client(), site.URL)
	res, err := srv.PayPage(ctx, co.PageURL, oderotest.ThreeDSCard)
	require.NoError(t, err)
	assert.Equal(t, odero.PaymentStatusSuccess, res.Status)
	require.NotNil(t, res.Delivery)
	assert.Equal(t, http.StatusOK, res.Delivery.Status)
	assert.True(t, res.Delivery.Acknowledged)
	d, err := srv.Redeliver(ctx, co.Token)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, d.Status)
	assert.Equal(t, site.URL, d.URL)
	assert.Equal(t, []string{string(odero.OutcomePaid)}, sh.seen(), "the repeat is reported no second time")

	co = initCheckout(t, srv, srv.Client(), site.URL)
	res, err = srv.PayPage(ctx, co.PageURL, oderotest.DeclinedCard)
	require.NoError(t, err)
	assert.Equal(t, odero.PaymentStatusFailure, res.Status)
	assert.Equal(t, []string{string(odero.OutcomePaid), string(odero.OutcomeFailed)}, sh.seen())

	// Leaving at the 3-D step posts nothing, and there is nothing to redeliver.
	abandon := oderotest.ThreeDSCard
	abandon.ThreeDSCode = ""
	co = initCheckout(t, srv, srv.Client(), site.URL)
	res, err = srv.PayPage(ctx, co.PageURL, abandon)
	require.NoError(t, err)
	assert.Equal(t, &oderotest.PageResult{Status: odero.PaymentStatusInitThreeDS}, res)
	_, err = srv.Redeliver(ctx, co.Token)
	assert.ErrorIs(t, err, oderotest.ErrNothingToRedeliver)
	assert.Len(t, sh.seen(), 2)
}

func TestMockRunsTheFlowInMemory(t *testing.T) {
	mock := httpmock.NewMockTransport()
	srv := oderotest.NewMock(t, mock)
	hc := &http.Client{Transport: mock}
	c, err := odero.New(srv.Config(), odero.WithHTTPClient(hc))
	require.NoError(t, err)
	var sh shop
	mock.RegisterResponder(http.MethodPost, "https://shop.example/odero/callback", oderotest.HandlerResponder(sh.handler(c)))

	co := initCheckout(t, srv, hc, "https://shop.example/odero/callback")
	assert.Contains(t, co.PageURL, string(odero.SandboxTR)+"/checkout/")
	res, err := srv.PayPage(context.Background(), co.PageURL, oderotest.TestCard)
	require.NoError(t, err)
	require.NotNil(t, res.Delivery)
	assert.True(t, res.Delivery.Acknowledged)
	assert.Equal(t, []string{string(odero.OutcomePaid)}, sh.seen())
	assert.Equal(t, 1, srv.Count(http.MethodGet, "/payment/v1/checkout-payments/"+co.Token), "the callback handler queried once")
}

// TestNewClientRunsTheFlow: NewClient's configured callbackUrl is the
// fake's stand-in merchant, so the main flow runs to a callback the
// merchant took with nothing else set, on loopback, over TLS and in memory.
func TestNewClientRunsTheFlow(t *testing.T) {
	for name, start := range map[string]func(t *testing.T) *oderotest.Server{
		"loopback": func(t *testing.T) *oderotest.Server { return oderotest.NewServer(t) },
		"TLS":      func(t *testing.T) *oderotest.Server { return oderotest.NewTLSServer(t) },
		"memory":   func(t *testing.T) *oderotest.Server { return oderotest.NewMock(t, httpmock.NewMockTransport()) },
	} {
		t.Run(name, func(t *testing.T) {
			srv := start(t)
			c, err := srv.NewClient()
			require.NoError(t, err)
			ctx := context.Background()
			co, err := c.InitCheckout(ctx, &odero.InitCheckoutRequest{Price: odero.MustParseAmount("25.00"), PaidPrice: odero.MustParseAmount("25.00"),
				Currency: odero.TRY, Group: odero.PaymentGroupProduct, Items: []odero.Item{{Name: "Tea", Price: odero.MustParseAmount("25.00")}}})
			require.NoError(t, err)
			res, err := srv.PayPage(ctx, co.PageURL, oderotest.TestCard)
			require.NoError(t, err)
			require.NotNil(t, res.Delivery)
			assert.True(t, res.Delivery.Acknowledged, res.Delivery.Refused)
			assert.Equal(t, srv.URL+"/merchant/callback", res.Delivery.URL)
		})
	}
}
