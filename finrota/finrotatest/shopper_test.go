package finrotatest_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
)

func complete(ref string, tok finrota.PrepareToken) *finrota.CompleteRequest {
	return &finrota.CompleteRequest{Amount: finrota.MustParseAmount("2750.00"), PrepareToken: tok,
		ReturnURL: "https://shop.example/finrota/return", ClientReferenceCode: ref, CustomerIP: "203.0.113.7"}
}

func TestPassWidgetThenThreeDAndReturn(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()

	w, err := c.CreateWidgetToken(ctx)
	require.NoError(t, err)
	tok, err := srv.PassWidget(ctx, w, finrota.MustParseAmount("2750.00"), true, finrotatest.TestCard)
	require.NoError(t, err)
	out, err := c.CompletePayment(ctx, complete("fr-1", tok))
	require.NoError(t, err)
	redirect, ok := out.(*finrota.Redirect)
	require.True(t, ok, "use3D sends the shopper to the bank")

	ret, err := srv.PassThreeD(ctx, redirect.URL, "123456")
	require.NoError(t, err)
	assert.Equal(t, "https://shop.example/finrota/return", ret.URL)
	req, err := ret.Request(ctx)
	require.NoError(t, err)
	parsed, err := finrota.ParseReturn(req)
	require.NoError(t, err)
	assert.Equal(t, redirect.OrderID, parsed.OrderID)
	assert.Equal(t, "fr-1", parsed.ClientReferenceCode)
	require.NotNil(t, parsed.Success)
	assert.True(t, *parsed.Success)
	list, err := c.ListPayments(ctx, finrota.PaymentFilter{ClientReferenceCode: "fr-1"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, finrota.TransactionSuccessful, list[0].Status)

	// A used prepare token is refused.
	_, err = c.CompletePayment(ctx, complete("fr-1b", tok))
	var api *finrota.APIError
	assert.ErrorAs(t, err, &api)
}

func TestWrongThreeDCodeFailsTheReturn(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()
	out, err := c.CompletePayment(ctx, complete("fr-2", srv.Prepare(finrota.MustParseAmount("2750.00"), true, finrotatest.TestCard)))
	require.NoError(t, err)
	ret, err := srv.PassThreeD(ctx, out.(*finrota.Redirect).URL, "000000")
	require.NoError(t, err)
	assert.Equal(t, "false", ret.Form.Get("success"))
	assert.NotEmpty(t, ret.Form.Get("error"))
	assert.Equal(t, "failed", srv.Payments()[0].Status)
	list, err := c.ListPayments(ctx, finrota.PaymentFilter{ClientReferenceCode: "fr-2"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, finrota.TransactionFailed, list[0].Status, "listed as failed, never as paid")
	assert.False(t, list[0].Status.Paid())
	// The page is finished: a second code is refused.
	_, err = srv.PassThreeD(ctx, out.(*finrota.Redirect).URL, "123456")
	assert.ErrorContains(t, err, "409")
}

func TestDeclinedCardIsOneCallAway(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.CompletePayment(ctx, complete("fr-3", srv.Prepare(finrota.MustParseAmount("2750.00"), false, finrotatest.DeclinedCard)))
	var pe *finrota.PaymentError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "fr-3", pe.ClientReferenceCode)

	w, err := c.CreateWidgetToken(ctx)
	require.NoError(t, err)
	tok, err := srv.PassWidget(ctx, w, finrota.MustParseAmount("2750.00"), false, finrotatest.DeclinedCard)
	require.NoError(t, err, "a declined card is prepared all the same")
	_, err = c.CompletePayment(ctx, complete("fr-4", tok))
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, []string{"failed", "failed"}, []string{srv.Payments()[0].Status, srv.Payments()[1].Status})
}

func TestMockRunsTheFlowInMemory(t *testing.T) {
	mock := httpmock.NewMockTransport()
	srv := finrotatest.NewMock(t, mock)
	hc := &http.Client{Transport: mock}
	c, err := finrota.New(srv.Config(), finrota.WithHTTPClient(hc))
	require.NoError(t, err)
	returns := 0
	mock.RegisterResponder(http.MethodPost, "https://shop.example/finrota/return", finrotatest.HandlerResponder(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ret, err := finrota.ParseReturn(r)
		if err != nil || ret.Success == nil || !*ret.Success {
			http.Error(w, "bad return", http.StatusBadRequest)
			return
		}
		returns++
		_, _ = io.WriteString(w, "thanks for order "+ret.ClientReferenceCode)
	})))
	ctx := context.Background()

	w, err := c.CreateWidgetToken(ctx)
	require.NoError(t, err)
	tok, err := srv.PassWidget(ctx, w, finrota.MustParseAmount("2750.00"), true, finrotatest.TestCard)
	require.NoError(t, err)
	out, err := c.CompletePayment(ctx, complete("fr-mem", tok))
	require.NoError(t, err)
	redirect := out.(*finrota.Redirect)
	assert.Contains(t, redirect.URL, string(finrota.Sandbox)+"/bank/3d?order=")
	ret, err := srv.PassThreeD(ctx, redirect.URL, "123456")
	require.NoError(t, err)
	for range 2 { // the shopper reloads: the return arrives twice
		resp, err := ret.Send(ctx, hc)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, "thanks for order fr-mem", string(b))
	}
	assert.Equal(t, 2, returns)
	assert.Equal(t, 1, srv.TokenFetches())
}
