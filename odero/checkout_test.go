package odero_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

var amt = odero.MustParseAmount

func validInit() *odero.InitCheckoutRequest {
	return &odero.InitCheckoutRequest{
		ConversationID: "order-1",
		Price:          amt("100.50"),
		PaidPrice:      amt("100.50"),
		Currency:       odero.TRY,
		Group:          odero.PaymentGroupProduct,
		Items: []odero.Item{
			{Name: "Tea", Price: amt("60.25")},
			{Name: "Cup", Price: amt("40.25")},
		},
	}
}

func newClient(t *testing.T, srv *oderotest.Server, opts ...odero.Option) *odero.Client {
	t.Helper()
	return newClientCB(t, srv, "https://shop.example/odero/callback", opts...)
}

// newClientCB is newClient with Config.CallbackURL set to cb.
func newClientCB(t *testing.T, srv *oderotest.Server, cb string, opts ...odero.Option) *odero.Client {
	t.Helper()
	cfg := srv.Config()
	cfg.CallbackURL = cb
	base := []odero.Option{odero.WithBaseURL(srv.URL), odero.WithHTTPClient(srv.Client()),
		odero.WithRetry(odero.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})}
	c, err := odero.New(cfg, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// The callbackUrl is configuration: New refuses anything but an absolute
// http(s) URL, InitCheckout sends it, and a product checkout without one
// is refused before anything is sent.
func TestCallbackURLIsConfiguredOnce(t *testing.T) {
	srv := oderotest.NewServer(t)
	for _, bad := range []string{"/odero/callback", "ftp://shop.example/cb", "javascript:alert(1)", "shop.example/cb", "https://u:p@shop.example/cb", "https://shop.example/cb#x", odero.NoCallbackURL} {
		cfg := srv.Config()
		cfg.CallbackURL = bad
		_, err := odero.New(cfg, odero.WithBaseURL(srv.URL))
		require.ErrorIs(t, err, odero.ErrInvalidRequest, bad)
	}
	cfg := srv.Config()
	cfg.CallbackURL = ""
	bare, err := odero.New(cfg, odero.WithBaseURL(srv.URL), odero.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	_, err = bare.InitCheckout(context.Background(), validInit())
	require.ErrorIs(t, err, odero.ErrInvalidRequest, "a product checkout needs a callback")
	assert.Empty(t, srv.Requests())

	c := newClientCB(t, srv, "https://shop.example/odero/callback?src=odero")
	_, err = c.InitCheckout(context.Background(), validInit())
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Contains(t, string(reqs[0].Body), `"paymentGroup":"PRODUCT","callbackUrl":"https://shop.example/odero/callback?src=odero","conversationId"`)
}

func TestNewValidatesConfig(t *testing.T) {
	for name, cfg := range map[string]odero.Config{
		"no key":         {SecretKey: "s", Environment: odero.SandboxTR},
		"no secret":      {APIKey: "k", Environment: odero.SandboxTR},
		"no environment": {APIKey: "k", SecretKey: "s"},
		"bad env":        {APIKey: "k", SecretKey: "s", Environment: "sandbox"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := odero.New(cfg)
			require.ErrorIs(t, err, odero.ErrInvalidRequest)
		})
	}
	for _, env := range []odero.Environment{odero.SandboxTR, odero.ProductionTR, odero.SandboxAZ, odero.ProductionAZ} {
		c, err := odero.New(odero.Config{APIKey: "k", SecretKey: "s", Environment: env})
		require.NoError(t, err)
		assert.Equal(t, string(env), c.BaseURL())
	}
}

func TestInitCheckoutAgainstFake(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv)
	co, err := c.InitCheckout(context.Background(), validInit())
	require.NoError(t, err)
	assert.Len(t, co.Token, 36)
	assert.True(t, strings.HasPrefix(co.PageURL, srv.URL+"/checkout/"))
	assert.Equal(t, 1, co.Meta.Attempts)
	assert.Equal(t, 1, srv.Checkouts())
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Contains(t, string(reqs[0].Body), `"price":100.50,"paidPrice":100.50`)
}

func TestIframeURLKeepsQuery(t *testing.T) {
	got, err := odero.IframeURL("https://oos.oderopay.com.tr/checkout?lang=tr&token=abc")
	require.NoError(t, err)
	assert.Equal(t, "https://oos.oderopay.com.tr/checkout?iframe=True&lang=tr&token=abc", got)
	got, err = (&odero.Checkout{PageURL: "https://oos.odero.az/p/abc"}).IframeURL()
	require.NoError(t, err)
	assert.Equal(t, "https://oos.odero.az/p/abc?iframe=True", got)
	_, err = odero.IframeURL("/relative")
	require.ErrorIs(t, err, odero.ErrInvalidRequest)
}

func TestInitCheckoutValidationSendsNothing(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv)
	cases := map[string]func(r *odero.InitCheckoutRequest){
		"price zero":           func(r *odero.InitCheckoutRequest) { r.Price = amt("0") },
		"price negative":       func(r *odero.InitCheckoutRequest) { r.Price = amt("-1") },
		"paidPrice missing":    func(r *odero.InitCheckoutRequest) { r.PaidPrice = odero.Amount{} },
		"walletPrice negative": func(r *odero.InitCheckoutRequest) { w := amt("-1"); r.WalletPrice = &w },
		"currency missing":     func(r *odero.InitCheckoutRequest) { r.Currency = "" },
		"group missing":        func(r *odero.InitCheckoutRequest) { r.Group = "" },
		"items empty":          func(r *odero.InitCheckoutRequest) { r.Items = nil },
		"items sum short":      func(r *odero.InitCheckoutRequest) { r.Items[1].Price = amt("40.24") },
		"items sum long":       func(r *odero.InitCheckoutRequest) { r.Items[1].Price = amt("40.26") },
		"item name blank":      func(r *odero.InitCheckoutRequest) { r.Items[0].Name = " " },
		"item price zero":      func(r *odero.InitCheckoutRequest) { r.Items[0].Price = amt("0") },
		"submerchant half":     func(r *odero.InitCheckoutRequest) { r.Items[0].SubMerchantID = 5 },
		"plan without subs": func(r *odero.InitCheckoutRequest) {
			r.Plan = &odero.Plan{Price: amt("1"), PeriodDays: 30, Description: "m"}
		},
		"subs without plan":      func(r *odero.InitCheckoutRequest) { r.Group = odero.PaymentGroupSubscription },
		"plan period 31":         subs(func(p *odero.Plan) { p.PeriodDays = 31 }),
		"plan price zero":        subs(func(p *odero.Plan) { p.Price = amt("0") }),
		"plan description blank": subs(func(p *odero.Plan) { p.Description = "" }),
		"plan trial negative":    subs(func(p *odero.Plan) { p.TrialDays = -1 }),
		"installment 4":          func(r *odero.InitCheckoutRequest) { r.Installment = 4 },
		"installment 13":         func(r *odero.InitCheckoutRequest) { r.Installment = 13 },
		"expiry negative":        func(r *odero.InitCheckoutRequest) { r.ExpireAfterMinutes = -5 },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			r := validInit()
			mutate(r)
			_, err := c.InitCheckout(context.Background(), r)
			var verr *httpx.ValidationError
			require.ErrorAs(t, err, &verr)
			require.ErrorIs(t, err, odero.ErrInvalidRequest)
			assert.NotEmpty(t, verr.Field)
		})
	}
	_, err := c.InitCheckout(context.Background(), nil)
	require.ErrorIs(t, err, odero.ErrInvalidRequest)
	assert.Empty(t, srv.Requests(), "a bad request must send nothing")

	// The valid variants of the same rules pass.
	for _, n := range odero.Installments {
		r := validInit()
		r.Installment = n
		require.NoError(t, r.Validate())
	}
	r := validInit()
	r.Group = odero.PaymentGroupSubscription
	r.Plan = &odero.Plan{Price: amt("9.99"), PeriodDays: 30, Description: "monthly"}
	require.NoError(t, r.Validate())
}

func subs(mutate func(p *odero.Plan)) func(r *odero.InitCheckoutRequest) {
	return func(r *odero.InitCheckoutRequest) {
		r.Group = odero.PaymentGroupSubscription
		r.Plan = &odero.Plan{Price: amt("9.99"), PeriodDays: 30, Description: "monthly"}
		mutate(r.Plan)
	}
}

func TestEnvelopeErrorsWith200And4xx(t *testing.T) {
	for _, status := range []int{200, 400, 404, 422} {
		srv := oderotest.NewServer(t)
		c := newClient(t, srv)
		srv.Fail("GET", "*", fake.Fault{Kind: fake.Status, Status: status,
			Body: []byte(`{"errors":{"errorCode":"10051","errorDescription":"Yetersiz bakiye","errorGroup":"NOT_SUFFICIENT_FUNDS"}}`)})
		_, err := c.RetrieveCheckout(context.Background(), "d0f0c0a0-0000-4000-8000-000000000001")
		var apiErr *odero.APIError
		require.ErrorAs(t, err, &apiErr, "status %d", status)
		assert.Equal(t, status, apiErr.HTTPStatus)
		assert.Equal(t, "10051", apiErr.Code)
		assert.Equal(t, odero.GroupNotSufficientFunds, apiErr.Group)
		assert.Contains(t, err.Error(), "NOT_SUFFICIENT_FUNDS")
	}
}

func TestNumericErrorCodeAndNonEnvelope5xx(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv, odero.WithoutRetries())
	srv.Fail("GET", "*", fake.Fault{Kind: fake.Status, Status: 200, Body: []byte(`{"errors":{"errorCode":10005,"errorDescription":"x"}}`)})
	_, err := c.RetrieveCheckout(context.Background(), "tok")
	var apiErr *odero.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "10005", apiErr.Code)

	srv.Fail("GET", "*", fake.Fault{Kind: fake.Status, Status: 502, Body: []byte(`<html>bad gateway</html>`)})
	_, err = c.RetrieveCheckout(context.Background(), "tok")
	var st *httpx.StatusError
	require.ErrorAs(t, err, &st)
	assert.Equal(t, 502, st.HTTPStatus)
}

func TestWrongSecretIsUnauthorized(t *testing.T) {
	srv := oderotest.NewServer(t)
	c, err := odero.New(odero.Config{APIKey: oderotest.APIKey, SecretKey: "wrong", CallbackURL: "https://shop.example/cb"}, odero.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.InitCheckout(context.Background(), validInit())
	require.ErrorIs(t, err, odero.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrong")
	assert.Equal(t, 0, srv.Checkouts())
}

func TestInitCheckoutNeverSentTwice(t *testing.T) {
	faults := map[string]fake.Fault{
		"dropped after arrival": {Kind: fake.DropAfter},
		"truncated reply":       {Kind: fake.Truncate},
		"malformed reply":       {Kind: fake.Malformed},
		"503":                   {Kind: fake.Status, Status: 503},
		"500":                   {Kind: fake.Status, Status: 500},
		"timeout":               {Kind: fake.Hang, Delay: 2 * time.Second},
	}
	for name, f := range faults {
		t.Run(name, func(t *testing.T) {
			srv := oderotest.NewServer(t)
			c := newClient(t, srv, odero.WithHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
			srv.Fail("POST", "/payment/v1/checkout-payments/init", f)
			_, err := c.InitCheckout(context.Background(), validInit())
			require.ErrorIs(t, err, odero.ErrOutcomeUnknown)
			msg := err.Error()
			assert.Contains(t, msg, "outcome unknown — a lost checkout init moves no money", "the advice of the checkout init, not of a refund")
			assert.NotContains(t, msg, "refund")
			assert.Equal(t, 1, strings.Count(msg, "odero: "), "provider named once: %s", msg)
			require.ErrorIs(t, err, odero.ErrOutcomeUnknown)
			assert.Equal(t, 1, srv.Count("POST", "/payment/v1/checkout-payments/init"), "sent exactly once")
			if f.Kind != fake.Status {
				assert.Equal(t, 1, srv.Checkouts(), "the gateway processed it exactly once")
			}
		})
	}
}

func TestInitCheckoutRetriesWhenNeverSent(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv)
	srv.Fail("POST", "/payment/v1/checkout-payments/init", fake.Fault{Kind: fake.DropBefore})
	_, err := c.InitCheckout(context.Background(), validInit())
	// A connection dropped before processing still may have carried the
	// request: the SDK cannot know, so it must not retry.
	require.ErrorIs(t, err, odero.ErrOutcomeUnknown)
	assert.Equal(t, 0, srv.Checkouts())
}

func TestRetrieveCheckoutRetriesSafely(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv)
	co, err := c.InitCheckout(context.Background(), validInit())
	require.NoError(t, err)
	_, ok := srv.Complete(co.Token, oderotest.Outcome{Status: odero.PaymentStatusSuccess})
	require.True(t, ok)
	srv.Fail("GET", "*", fake.Fault{Kind: fake.Status, Status: 503}, fake.Fault{Kind: fake.DropAfter})
	p, err := c.RetrieveCheckout(context.Background(), co.Token)
	require.NoError(t, err)
	// 503, dropped reply, answer: three GETs reached the fake. (Go's transport
	// may itself replay a GET on a dead keep-alive connection, which the
	// attempt count does not see.)
	assert.Equal(t, 3, srv.Count("GET", "/payment/v1/checkout-payments/"+co.Token))
	assert.GreaterOrEqual(t, p.Meta.Attempts, 2)
	assert.True(t, p.Paid())
	assert.Equal(t, "order-1", p.ConversationID)
	assert.True(t, p.PaidPrice.Equal(amt("100.50")))
	require.NotNil(t, p.Card)
	assert.Equal(t, "1111", p.Card.LastFourDigits)
	require.Len(t, p.Transactions, 2)
	assert.Equal(t, 2026, p.CreatedDate.Time.Year())
	assert.Equal(t, 123_000_000, p.UpdatedDate.Time.Nanosecond())
}

func TestRetrieveCheckoutRejectsBadToken(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv)
	for _, tok := range []string{"", "../admin", "a b", strings.Repeat("a", 65)} {
		_, err := c.RetrieveCheckout(context.Background(), tok)
		require.ErrorIs(t, err, odero.ErrInvalidRequest, tok)
	}
	assert.Empty(t, srv.Requests())
}

func TestPaymentDecodesUnknownEnumsAndBothShapes(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv, odero.WithoutRetries())
	srv.Fail("GET", "*", fake.Fault{Kind: fake.Status, Status: 200, Body: []byte(`{"data":{
		"id":1,"price":"10.5","paidPrice":10.50,"currency":"GBP","paymentStatus":"SOMETHING_NEW",
		"cardAssociation":"JCB","binNumber":"411111","lastFourDigits":"0005","cardUserKey":"u","createdDate":"2026-01-02T03:04:05+03:00",
		"paymentTransactions":[{"id":2,"name":"x","price":10.5,"paidPrice":10.5,"transactionStatus":"NEW"}]}}`)})
	p, err := c.RetrieveCheckout(context.Background(), "tok")
	require.NoError(t, err)
	assert.Equal(t, odero.Currency("GBP"), p.Currency)
	assert.Equal(t, odero.PaymentStatus("SOMETHING_NEW"), p.Status)
	assert.True(t, p.Price.Equal(amt("10.5")))
	assert.Equal(t, odero.CardAssociation("JCB"), p.CardAssociation)
	assert.False(t, p.CreatedDate.Time.IsZero())
	v, err := c.VerifyCheckout(context.Background(), "tok", odero.Expectation{ConversationID: "c", PaidPrice: amt("10.5"), Currency: "GBP"})
	require.Error(t, err) // the scripted reply was used up; the fake knows no such token
	assert.NotErrorIs(t, err, odero.ErrInvalidRequest)
	assert.Nil(t, v)
}

func TestHostileRepliesAreTyped(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv, odero.WithoutRetries(), odero.WithMaxResponseBytes(1<<16))
	for name, body := range map[string]string{
		"wrong types":  `{"data":{"id":"abc","price":{}}}`,
		"deep":         `{"data":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`,
		"not json":     `<html>`,
		"bad utf8":     "{\"data\":{\"conversationId\":\"\xff\xfe\"}}",
		"too large":    `{"data":{"orderId":"` + strings.Repeat("x", 1<<17) + `"}}`,
		"huge amount":  `{"data":{"price":1e400}}`,
		"errors array": `{"errors":[1,2]}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv.Fail("GET", "*", fake.Fault{Kind: fake.Status, Status: 200, Body: []byte(body)})
			_, err := c.RetrieveCheckout(context.Background(), "tok")
			if name == "bad utf8" {
				// encoding/json replaces invalid UTF-8; tolerated, not fatal.
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, odero.ErrMalformedResponse) || errors.Is(err, odero.ErrResponseTooLarge), "%v", err)
		})
	}
}

func TestConcurrentUseOfOneClient(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			co, err := c.InitCheckout(context.Background(), validInit())
			if err == nil {
				_, err = c.RetrieveCheckout(context.Background(), co.Token)
				if errors.As(err, new(*odero.APIError)) {
					err = nil // unpaid checkouts are answered with an errors envelope
				}
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 100, srv.Checkouts())
}
