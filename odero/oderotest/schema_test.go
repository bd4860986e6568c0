package oderotest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/internal/wire"
	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// resend sends a request the SDK made again, with a fresh random key and
// signature, after m has broken one thing in it.
func resend(t *testing.T, srv *oderotest.Server, orig fake.Request, m wire.Mutation, n int) (int, string) {
	t.Helper()
	q, h, body, err := m.Apply(orig.RawQuery, orig.Header, orig.Body)
	require.NoError(t, err)
	u := srv.URL + orig.Path
	if len(q) > 0 {
		u += "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
	}
	parsed, err := url.Parse(u)
	require.NoError(t, err)
	decoded, _ := odero.DecodeURL(parsed)
	rnd := fmt.Sprintf("schema-test-%d", n)
	h.Set("x-rnd-key", rnd)
	if h.Get("x-signature") != "" {
		h.Set("x-signature", odero.Signature(decoded, oderotest.APIKey, oderotest.SecretKey, rnd, body))
	}
	status, b, err := wire.Send(srv.Client(), orig.Method, u, h, body)
	require.NoError(t, err)
	return status, string(b)
}

// Every request the fake serves refuses a wrongly typed field and a missing
// required field (or header) with OderoPay's error envelope; the requests
// the SDK really sent pass (they were made through the client below).
func TestFakeRefusesWhatTheSpecificationForbids(t *testing.T) {
	srv := oderotest.NewServer(t)
	cfg := srv.Config()
	cfg.CallbackURL = "https://shop.example/cb"
	c, err := odero.New(cfg, odero.WithBaseURL(srv.URL), odero.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	ctx := context.Background()
	co, err := c.InitCheckout(ctx, &odero.InitCheckoutRequest{
		Price: odero.MustParseAmount("10"), PaidPrice: odero.MustParseAmount("10"), Currency: odero.TRY,
		Group: odero.PaymentGroupProduct, ConversationID: "o-1",
		Items: []odero.Item{{Name: "Tea", Price: odero.MustParseAmount("10")}},
	})
	require.NoError(t, err)
	_, ok := srv.Complete(co.Token, oderotest.Outcome{Status: odero.PaymentStatusSuccess})
	require.True(t, ok)
	p, err := c.RetrieveCheckout(ctx, co.Token)
	require.NoError(t, err)
	rt, err := c.RefundTransaction(ctx, &odero.RefundTransactionRequest{PaymentTransactionID: p.Transactions[0].ID, RefundPrice: odero.MustParseAmount("1")})
	require.NoError(t, err)
	_, err = c.GetRefundTransaction(ctx, rt.ID)
	require.NoError(t, err)
	rf, err := c.Refund(ctx, &odero.RefundRequest{PaymentID: p.ID})
	require.NoError(t, err)
	_, err = c.GetRefund(ctx, rf.ID)
	require.NoError(t, err)
	user := "a1b2c3d4-0000-4000-8000-000000000001"
	tok := srv.StoreCard(user, "4242")
	_, err = c.SearchCards(ctx, &odero.SearchCardsRequest{CardUserKey: user})
	require.NoError(t, err)
	_, err = c.DeleteCard(ctx, &odero.DeleteCardRequest{CardUserKey: user, CardToken: tok})
	require.NoError(t, err)

	sent := map[string]fake.Request{}
	for _, r := range srv.Requests() {
		key := r.Method + " " + r.Path
		switch {
		case strings.HasPrefix(r.Path, "/payment/v1/checkout-payments/") && r.Method == http.MethodGet:
			key = "GET checkout"
		case strings.HasPrefix(r.Path, "/payment/v1/refunds/"):
			key = "GET refund"
		case strings.HasPrefix(r.Path, "/payment/v1/refund-transactions/"):
			key = "GET refund-transaction"
		}
		sent[key] = r
	}
	cases := []struct {
		name, request string
		mut           wire.Mutation
		status        int
		want          string
	}{
		{"init price as a string", "POST /payment/v1/checkout-payments/init", wire.SetField("price", `"10"`), 400, "price: must be a JSON number"},
		{"init item price as a string", "POST /payment/v1/checkout-payments/init", wire.SetField("items.0.price", `"10"`), 400, "items[0].price: must be a JSON number"},
		{"init without currency", "POST /payment/v1/checkout-payments/init", wire.DropField("currency"), 400, "currency: required"},
		{"init as text/plain", "POST /payment/v1/checkout-payments/init", wire.SetHeader("Content-Type", "text/plain"), 400, "Content-Type: must be application/json"},
		{"retrieve without Accept", "GET checkout", wire.DropHeader("Accept"), 400, "Accept: must list application/json"},
		{"retrieve without x-auth-version", "GET checkout", wire.DropHeader("x-auth-version"), 401, "authentication failed"},
		{"refund paymentId as a string", "POST /payment/v1/refunds", wire.SetField("paymentId", `"1"`), 400, "paymentId: must be a JSON number"},
		{"refund without refundDestinationType", "POST /payment/v1/refunds", wire.DropField("refundDestinationType"), 400, "refundDestinationType: required"},
		{"refund read without Accept", "GET refund", wire.DropHeader("Accept"), 400, "Accept: must list application/json"},
		{"item refund price as a string", "POST /payment/v1/refund-transactions", wire.SetField("refundPrice", `"1"`), 400, "refundPrice: must be a JSON number"},
		{"item refund destination as a number", "POST /payment/v1/refund-transactions", wire.SetField("refundDestinationType", `1`), 400, "refundDestinationType: must be a JSON string"},
		{"item refund without refundDestinationType", "POST /payment/v1/refund-transactions", wire.DropField("refundDestinationType"), 400, "refundDestinationType: required"},
		{"item refund without paymentTransactionId", "POST /payment/v1/refund-transactions", wire.DropField("paymentTransactionId"), 400, "paymentTransactionId: required"},
		{"item refund read without Accept", "GET refund-transaction", wire.DropHeader("Accept"), 400, "Accept: must list application/json"},
		{"card search page not a number", "GET /payment/v1/cards", wire.SetQuery("page", "first"), 400, "page: must be a number"},
		{"card search without x-api-key", "GET /payment/v1/cards", wire.DropHeader("x-api-key"), 401, "authentication failed"},
		{"card delete key too long", "DELETE /payment/v1/cards", wire.SetQuery("cardUserKey", user+"-x"), 400, "cardUserKey: longer than 36"},
		{"card delete without cardToken", "DELETE /payment/v1/cards", wire.DropQuery("cardToken"), 400, "cardToken: required"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			orig, ok := sent[tc.request]
			require.True(t, ok, "the SDK sent no %s", tc.request)
			status, body := resend(t, srv, orig, tc.mut, i)
			assert.Equal(t, tc.status, status, body)
			var env struct {
				Errors struct{ ErrorCode, ErrorDescription string }
			}
			require.NoError(t, json.Unmarshal([]byte(body), &env), body)
			assert.Contains(t, env.Errors.ErrorDescription, tc.want)
			if tc.status == 400 {
				assert.Equal(t, "10000", env.Errors.ErrorCode)
			}
		})
	}
	assert.Equal(t, 1, srv.Checkouts(), "no refused init created a checkout")
	assert.Equal(t, 2, srv.Refunds(), "no refused refund was made")
}
