package odero_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

func paidCheckout(t *testing.T, srv *oderotest.Server, c *odero.Client) *odero.Payment {
	co, err := c.InitCheckout(context.Background(), validInit())
	require.NoError(t, err)
	_, ok := srv.Complete(co.Token, oderotest.Outcome{Status: odero.PaymentStatusSuccess})
	require.True(t, ok)
	p, err := c.RetrieveCheckout(context.Background(), co.Token)
	require.NoError(t, err)
	return p
}

func TestRefundWholePaymentAndReadBack(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv)
	p := paidCheckout(t, srv, c)
	rf, err := c.Refund(context.Background(), &odero.RefundRequest{PaymentID: p.ID, ConversationID: "refund-1"})
	require.NoError(t, err)
	assert.Equal(t, odero.RefundStatusSuccess, rf.Status)
	assert.True(t, rf.RefundPrice.Equal(amt("100.50")))
	assert.Equal(t, odero.RefundToCard, rf.Destination)
	got, err := c.GetRefund(context.Background(), rf.ID)
	require.NoError(t, err)
	assert.Equal(t, rf.ID, got.ID)
	assert.Equal(t, "2026-11-22T10:05:00", got.CreatedDate.Raw)

	_, err = c.Refund(context.Background(), &odero.RefundRequest{PaymentID: p.ID})
	var apiErr *odero.APIError
	require.ErrorAs(t, err, &apiErr, "a second refund is refused by the gateway")
	assert.Equal(t, 1, srv.Refunds())
}

func TestRefundTransactionPartial(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv)
	p := paidCheckout(t, srv, c)
	tx := p.Transactions[0].ID
	rt, err := c.RefundTransaction(context.Background(), &odero.RefundTransactionRequest{PaymentTransactionID: tx, RefundPrice: amt("10.25")})
	require.NoError(t, err)
	assert.True(t, rt.RefundPrice.Equal(amt("10.25")))
	got, err := c.GetRefundTransaction(context.Background(), rt.ID)
	require.NoError(t, err)
	assert.Equal(t, tx, got.PaymentTransactionID)
	_, err = c.RefundTransaction(context.Background(), &odero.RefundTransactionRequest{PaymentTransactionID: tx, RefundPrice: amt("50.01")})
	require.Error(t, err, "more than is left of the item")
}

func TestRefundValidationAndOutcomeUnknown(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv)
	for _, r := range []*odero.RefundRequest{nil, {}, {PaymentID: -1}, {PaymentID: 1, Destination: "BANK"}} {
		_, err := c.Refund(context.Background(), r)
		require.ErrorIs(t, err, odero.ErrInvalidRequest)
	}
	for _, r := range []*odero.RefundTransactionRequest{nil, {RefundPrice: amt("1")}, {PaymentTransactionID: 1}, {PaymentTransactionID: 1, RefundPrice: amt("-1")}} {
		_, err := c.RefundTransaction(context.Background(), r)
		require.ErrorIs(t, err, odero.ErrInvalidRequest)
	}
	_, err := c.GetRefund(context.Background(), 0)
	require.ErrorIs(t, err, odero.ErrInvalidRequest)
	assert.Empty(t, srv.Requests())

	p := paidCheckout(t, srv, c)
	srv.Fail("POST", "/payment/v1/refunds", fake.Fault{Kind: fake.DropAfter})
	_, err = c.Refund(context.Background(), &odero.RefundRequest{PaymentID: p.ID})
	require.ErrorIs(t, err, odero.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.Refunds(), "refunded exactly once")
	assert.Equal(t, 1, srv.Count("POST", "/payment/v1/refunds"))
}

func TestStoredCards(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv)
	const user = "de050909-39a9-473c-a81a-f186dd55cfef"
	tok := srv.StoreCard(user, "4242")
	srv.StoreCard("00000000-0000-4000-8000-000000000000", "1111")
	list, err := c.SearchCards(context.Background(), &odero.SearchCardsRequest{CardUserKey: user})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	assert.Equal(t, "4242", list.Items[0].LastFourDigits)
	assert.Equal(t, int64(1), list.TotalSize)
	assert.Equal(t, 10, list.Size)
	reqs := srv.Requests()
	assert.Equal(t, "cardUserKey="+user+"&page=0&size=10", reqs[len(reqs)-1].RawQuery)

	meta, err := c.DeleteCard(context.Background(), &odero.DeleteCardRequest{CardUserKey: user, CardToken: tok})
	require.NoError(t, err)
	assert.Equal(t, 204, meta.StatusCode)
	list, err = c.SearchCards(context.Background(), &odero.SearchCardsRequest{CardUserKey: user})
	require.NoError(t, err)
	assert.Empty(t, list.Items)

	_, err = c.DeleteCard(context.Background(), &odero.DeleteCardRequest{CardUserKey: user, CardToken: "short"})
	require.ErrorIs(t, err, odero.ErrInvalidRequest)
	_, err = c.SearchCards(context.Background(), &odero.SearchCardsRequest{Page: -1})
	require.ErrorIs(t, err, odero.ErrInvalidRequest)
}

func TestCardListTopLevelItemsFallback(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv, odero.WithoutRetries())
	srv.Fail("GET", "*", fake.Fault{Kind: fake.Status, Status: 200, Body: []byte(`{"items":[{"lastFourDigits":"0001"}],"totalSize":1}`)})
	list, err := c.SearchCards(context.Background(), &odero.SearchCardsRequest{})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	assert.Equal(t, "0001", list.Items[0].LastFourDigits)
}

func TestSecretsNeverPrinted(t *testing.T) {
	srv := oderotest.NewServer(t)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, srv, odero.WithLogger(logger))
	cfg := srv.Config()
	printed := fmt.Sprintf("%v %+v %#v %s %v", cfg, cfg, cfg, c, c)
	logger.Info("config", "cfg", cfg)

	var errs []string
	p := paidCheckout(t, srv, c)
	srv.Fail("POST", "*", fake.Fault{Kind: fake.DropAfter})
	_, err := c.Refund(context.Background(), &odero.RefundRequest{PaymentID: p.ID})
	errs = append(errs, err.Error())
	bad, _ := odero.New(odero.Config{APIKey: oderotest.APIKey, SecretKey: "some-other-secret"}, odero.WithBaseURL(srv.URL), odero.WithLogger(logger))
	_, err = bad.RetrieveCheckout(context.Background(), "tok")
	errs = append(errs, err.Error())

	var sigs []string
	for _, r := range srv.Requests() {
		sigs = append(sigs, r.Header.Get("x-signature"))
	}
	all := printed + logs.String() + fmt.Sprint(errs)
	for _, s := range append([]string{oderotest.APIKey, oderotest.SecretKey, "some-other-secret"}, sigs...) {
		assert.NotContains(t, all, s)
	}
	assert.Contains(t, logs.String(), "/payment/v1/checkout-payments/init", "the log does show what was called")
}

// lastRequest is the last request the fake received for path.
func lastRequest(t *testing.T, srv *oderotest.Server, path string) fake.Request {
	t.Helper()
	reqs := srv.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Path == path {
			return reqs[i]
		}
	}
	t.Fatalf("no request to %s", path)
	return fake.Request{}
}

// refundDestinationType is listed without "?" in both refund requests, with
// the default CARD (odero.md §8): the SDK always sends it, CARD unless the
// merchant chose WALLET. The bodies are compared byte for byte.
func TestRefundDestinationTypeIsAlwaysSent(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv)
	ctx := context.Background()
	p := paidCheckout(t, srv, c)
	req := &odero.RefundRequest{PaymentID: p.ID, ConversationID: "refund-1"}
	_, err := c.Refund(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf(`{"paymentId":%d,"conversationId":"refund-1","refundDestinationType":"CARD"}`, p.ID),
		string(lastRequest(t, srv, "/payment/v1/refunds").Body))
	assert.Empty(t, req.Destination, "the caller's request is not changed")

	p2 := paidCheckout(t, srv, c)
	_, err = c.Refund(ctx, &odero.RefundRequest{PaymentID: p2.ID, Destination: odero.RefundToWallet})
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf(`{"paymentId":%d,"refundDestinationType":"WALLET"}`, p2.ID),
		string(lastRequest(t, srv, "/payment/v1/refunds").Body))

	p3 := paidCheckout(t, srv, c)
	tx := p3.Transactions[0].ID
	_, err = c.RefundTransaction(ctx, &odero.RefundTransactionRequest{PaymentTransactionID: tx, RefundPrice: amt("10.25")})
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf(`{"paymentTransactionId":%d,"refundPrice":10.25,"refundDestinationType":"CARD"}`, tx),
		string(lastRequest(t, srv, "/payment/v1/refund-transactions").Body))
	_, err = c.RefundTransaction(ctx, &odero.RefundTransactionRequest{PaymentTransactionID: tx, ConversationID: "r-2", RefundPrice: amt("1"), Destination: odero.RefundToWallet})
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf(`{"paymentTransactionId":%d,"conversationId":"r-2","refundPrice":1,"refundDestinationType":"WALLET"}`, tx),
		string(lastRequest(t, srv, "/payment/v1/refund-transactions").Body))
}
