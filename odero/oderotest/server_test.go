package oderotest_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

const initBody = `{"price":10,"paidPrice":10,"currency":"TRY","paymentGroup":"PRODUCT","callbackUrl":"https://shop.example/cb","items":[{"name":"Tea","price":10}]}`

// signedPost sends body to path signed with secret and rnd, the way the
// gateway expects, and returns status and body.
func signedPost(t *testing.T, srv *oderotest.Server, path, secret, rnd, body string) (int, string) {
	t.Helper()
	u := srv.URL + path
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	require.NoError(t, err)
	parsed, _ := url.Parse(u)
	decoded, _ := odero.DecodeURL(parsed)
	req.Header.Set("x-api-key", oderotest.APIKey)
	req.Header.Set("x-rnd-key", rnd)
	req.Header.Set("x-auth-version", "v1")
	req.Header.Set("x-signature", odero.Signature(decoded, oderotest.APIKey, secret, rnd, []byte(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestFakeVerifiesSignatures(t *testing.T) {
	srv := oderotest.NewServer(t)
	status, body := signedPost(t, srv, "/payment/v1/checkout-payments/init", oderotest.SecretKey, "rnd-1", initBody)
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, `"pageUrl":"`+srv.URL+`/checkout/`)

	status, body = signedPost(t, srv, "/payment/v1/checkout-payments/init", "wrong", "rnd-2", initBody)
	assert.Equal(t, 401, status)
	assert.Contains(t, body, `"errors":{"errorCode":"1"`)

	status, _ = signedPost(t, srv, "/payment/v1/checkout-payments/init", oderotest.SecretKey, "rnd-1", initBody)
	assert.Equal(t, 401, status, "a POST reusing a random key is refused")
	assert.Equal(t, 1, srv.Checkouts())
}

func TestFakeEnforcesInitRules(t *testing.T) {
	srv := oderotest.NewServer(t)
	for name, body := range map[string]string{
		"unknown field": strings.Replace(initBody, `"price":10`, `"prize":10`, 1),
		"sum":           strings.Replace(initBody, `"name":"Tea","price":10`, `"name":"Tea","price":9`, 1),
		"no items":      strings.Replace(initBody, `"items":[{"name":"Tea","price":10}]`, `"items":[]`, 1),
		"no callback":   strings.Replace(initBody, `"callbackUrl":"https://shop.example/cb"`, `"callbackUrl":""`, 1),
		"subscription":  strings.Replace(initBody, `PRODUCT`, `SUBSCRIPTION`, 1),
	} {
		status, resp := signedPost(t, srv, "/payment/v1/checkout-payments/init", oderotest.SecretKey, "rnd-"+name, body)
		assert.Equal(t, 400, status, name)
		assert.Contains(t, resp, `"errorCode":"10000"`, name)
	}
	assert.Equal(t, 0, srv.Checkouts())
}

func TestFakeHostedPageWithoutCallback(t *testing.T) {
	srv := oderotest.NewServer(t)
	cfg := srv.Config()
	cfg.CallbackURL = ""
	c, err := odero.New(cfg, odero.WithBaseURL(srv.URL), odero.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	co, err := c.InitCheckout(context.Background(), &odero.InitCheckoutRequest{
		Price: odero.MustParseAmount("9.99"), PaidPrice: odero.MustParseAmount("9.99"), Currency: odero.AZN,
		Group: odero.PaymentGroupSubscription, // no Config.CallbackURL: NO_CALLBACK_URL
		Items: []odero.Item{{Name: "Plan", Price: odero.MustParseAmount("9.99")}},
		Plan:  &odero.Plan{Price: odero.MustParseAmount("9.99"), PeriodDays: 30, Description: "monthly"},
	})
	require.NoError(t, err)
	card := oderotest.TestCard
	card.Save = true
	res, err := srv.PayPage(context.Background(), co.PageURL, card)
	require.NoError(t, err)
	assert.Nil(t, res.Delivery, "no callback to post")
	st, ok := srv.CheckoutStatus(co.Token)
	assert.True(t, ok)
	assert.Equal(t, odero.PaymentStatusSuccess, st)
	list, err := c.SearchCards(context.Background(), &odero.SearchCardsRequest{})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	assert.Equal(t, "1111", list.Items[0].LastFourDigits)
	for _, r := range srv.Requests() {
		if !strings.HasPrefix(r.Path, "/payment/") {
			continue // the shopper's page, not the merchant's API calls
		}
		assert.NotContains(t, string(r.Body)+r.RawQuery, "4111111111111111"[6:12], "the merchant's API calls never carry the card number")
	}
}

func TestFakeScriptedOutcome(t *testing.T) {
	srv := oderotest.NewServer(t)
	cfg := srv.Config()
	cfg.CallbackURL = "https://shop.example/cb"
	c, err := odero.New(cfg, odero.WithBaseURL(srv.URL), odero.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	co, err := c.InitCheckout(context.Background(), &odero.InitCheckoutRequest{
		Price: odero.MustParseAmount("5"), PaidPrice: odero.MustParseAmount("5"), Currency: odero.TRY,
		Group: odero.PaymentGroupProduct,
		Items: []odero.Item{{Name: "Tea", Price: odero.MustParseAmount("5")}},
	})
	require.NoError(t, err)
	srv.NextPayment(oderotest.Outcome{Status: odero.PaymentStatusFailure, Group: odero.GroupStolenCard, Code: "10043"})
	// The callback target does not exist; only the payment matters here.
	_, _ = srv.PayPage(context.Background(), co.PageURL, oderotest.TestCard)
	p, err := c.RetrieveCheckout(context.Background(), co.Token)
	require.NoError(t, err)
	assert.Equal(t, odero.PaymentStatusFailure, p.Status)
	assert.Equal(t, odero.GroupStolenCard, p.Card.Error.Group)
}
