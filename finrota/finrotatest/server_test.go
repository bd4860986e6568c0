package finrotatest_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
)

func TestFakeTokenRules(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	w, err := c.CreateWidgetToken(context.Background())
	require.NoError(t, err)
	// The widget token cannot call merchant endpoints…
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/b2c/widget/token", nil)
	req.Header.Set("Authorization", "Bearer "+w.Value())
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	// …and the access token cannot prepare a payment.
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/b2c/widget/preparePayment", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer not-a-widget-token")
	resp, err = srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func TestFakeThreeDSecureReturn(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	out, err := c.CompletePayment(context.Background(), &finrota.CompleteRequest{Amount: finrota.MustParseAmount("10"), PrepareToken: srv.Prepare(finrota.MustParseAmount("10.00"), finrotatest.ThreeDSCard),
		ReturnURL: "https://shop.example/return", ClientReferenceCode: "r-1", CustomerIP: "::1"})
	require.NoError(t, err)
	redirect := out.(*finrota.Redirect)
	resp, err := srv.Client().Get(redirect.URL)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), `id="finrota-3ds-form"`)
	resp, err = srv.Client().PostForm(srv.URL+"/bank/3d", url.Values{"order": {redirect.OrderID}, "code": {"123456"}})
	require.NoError(t, err)
	ret, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(ret), `action="https://shop.example/return"`)
	assert.Contains(t, string(ret), `name="success" value="true"`)
	list, err := c.ListPayments(context.Background(), finrota.PaymentFilter{ClientReferenceCode: "r-1"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, redirect.OrderID, list[0].ReferenceNumber)
}

func TestFakeServesWidgetScript(t *testing.T) {
	srv := finrotatest.NewServer(t)
	resp, err := srv.Client().Get(srv.URL + "/static/finrota-widget/v1.0.0/index.umd.js")
	require.NoError(t, err)
	js, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(js), "window.FinrotaPay = {")
	assert.Contains(t, string(js), "onSuccess({prepareToken: res.j.prepareToken})")
}

// A payment keeps the currency it was made in, and the listing reports it:
// the merchant can see a payment made in another currency than the order's.
func TestFakeListsThePaymentsCurrency(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()
	card := finrota.Card{Number: finrota.Secret(finrotatest.TestCard.Number), HolderName: "Test Shopper", CVV: "123", ExpMonth: 12, ExpYear: 2030}
	for ref, cur := range map[string]finrota.Currency{"ref-usd": finrota.USD, "ref-try": finrota.TRY} {
		_, err := c.Pay(ctx, &finrota.PayRequest{Card: card, Currency: cur, Amount: finrota.MustParseAmount("10.00"), InstallmentToken: "inst-1",
			ReturnURL: "https://shop.example/return", ClientReferenceCode: ref, CustomerIP: "192.0.2.1"})
		require.NoError(t, err)
		list, err := c.ListPayments(ctx, finrota.PaymentFilter{ClientReferenceCode: ref})
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, string(cur), list[0].CurrencyType, ref)
	}
}
