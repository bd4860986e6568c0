package finrotatest_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/internal/wire"
)

// resend sends a request the SDK made again after m has broken one thing.
func resend(t *testing.T, srv *finrotatest.Server, orig fake.Request, m wire.Mutation) (int, []byte) {
	t.Helper()
	q, h, body, err := m.Apply(orig.RawQuery, orig.Header, orig.Body)
	require.NoError(t, err)
	u := srv.URL + orig.Path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	status, b, err := wire.Send(srv.Client(), orig.Method, u, h, body)
	require.NoError(t, err)
	return status, b
}

// Every request the fake serves refuses a wrongly typed field and a missing
// required field (or header) with Finrota's error shape; the requests the
// SDK really sent pass (they were made through the client below).
func TestFakeRefusesWhatTheSpecificationForbids(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()
	amount := finrota.MustParseAmount("27.50")
	w, err := c.CreateWidgetToken(ctx)
	require.NoError(t, err)
	programs, err := c.PaymentOptions(ctx, "415565", amount, finrota.TRY)
	require.NoError(t, err)
	inst := programs[0].Installments[0].Token
	card := finrota.Card{Number: "4155650100416111", HolderName: "Test Test", CVV: "000", ExpMonth: 12, ExpYear: 2030}
	prep, err := c.PreparePayment(ctx, w, &finrota.PrepareRequest{Card: card, Currency: finrota.TRY, Amount: amount, InstallmentToken: inst})
	require.NoError(t, err)
	_, err = c.CompletePayment(ctx, &finrota.CompleteRequest{Amount: amount, PrepareToken: prep, ReturnURL: "https://shop.example/return",
		ClientReferenceCode: "r-1", CustomerIP: "203.0.113.9"})
	require.NoError(t, err)
	_, err = c.Pay(ctx, &finrota.PayRequest{Card: card, Currency: finrota.TRY, Amount: amount, InstallmentToken: inst,
		ReturnURL: "https://shop.example/return", ClientReferenceCode: "r-2", CustomerIP: "203.0.113.9"})
	require.NoError(t, err)
	_, err = c.ListPayments(ctx, finrota.PaymentFilter{ClientReferenceCode: "r-1"})
	require.NoError(t, err)

	sent := map[string]fake.Request{}
	for _, r := range srv.Requests() {
		if _, seen := sent[r.Method+" "+r.Path]; !seen {
			sent[r.Method+" "+r.Path] = r
		}
	}
	const (
		connect  = "POST /auth/api/token/connect"
		widget   = "GET /b2c/widget/token"
		options  = "GET /b2c/paymentOptions"
		prepare  = "POST /b2c/widget/preparePayment"
		complete = "POST /b2c/widget/payment"
		direct   = "POST /b2c/payment"
		erp      = "GET /erp/payments"
	)
	cases := []struct {
		name, request string
		m             wire.Mutation
		status        int
		msg           string
	}{
		{"token apiKey as a number", connect, wire.SetField("apiKey", `1`), 422, "apiKey: must be a JSON string, not a number"},
		{"token without secretKey", connect, wire.DropField("secretKey"), 422, "secretKey: required"},
		{"token as a form", connect, wire.SetHeader("Content-Type", "application/x-www-form-urlencoded"), 422, "Content-Type: must be application/json"},
		{"widget token without Authorization", widget, wire.DropHeader("Authorization"), 401, "token missing"},
		{"options amount not a number", options, wire.SetQuery("amount", "27,50"), 422, "amount: must be a number"},
		{"options without currency", options, wire.DropQuery("currency"), 422, "currency: required"},
		{"options without Proxy-Authorization", options, wire.DropHeader("Proxy-Authorization"), 422, "header Proxy-Authorization: required"},
		{"prepare expMonth as a string", prepare, wire.SetField("card.expMonth", `"12"`), 422, "card.expMonth: must be a JSON number, not a string"},
		{"prepare amount as a string", prepare, wire.SetField("amount", `"27.50"`), 422, "amount: must be a JSON number, not a string"},
		{"prepare use3D as a string", prepare, wire.SetField("use3D", `"false"`), 422, "use3D: must be a JSON boolean, not a string"},
		{"prepare without installmentToken", prepare, wire.DropField("installmentToken"), 422, "installmentToken: required"},
		{"complete amount as a string", complete, wire.SetField("amount", `"27.50"`), 422, "amount: must be a JSON number, not a string"},
		{"complete amount with 3 places", complete, wire.SetField("amount", `27.505`), 422, "amount: more than 2 decimal places"},
		{"complete without customerIpAddress", complete, wire.DropField("customerIpAddress"), 422, "customerIpAddress: required"},
		{"pay cvv as a number", direct, wire.SetField("card.cvv", `0`), 422, "card.cvv: must be a JSON string, not a number"},
		{"pay without returnUrl", direct, wire.DropField("returnUrl"), 422, "returnUrl: required"},
		{"erp pageSize not a number", erp, wire.SetQuery("pageSize", "ten"), 422, "pageSize: must be a number"},
		{"erp without Authorization", erp, wire.DropHeader("Authorization"), 401, "token missing"},
	}
	payments := srv.PaymentCount()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			orig, ok := sent[tc.request]
			require.True(t, ok, "the SDK sent no %s", tc.request)
			status, body := resend(t, srv, orig, tc.m)
			assert.Equal(t, tc.status, status, string(body))
			var e struct {
				StatusCode int    `json:"statusCode"`
				Error      string `json:"error"`
				Message    string `json:"message"`
			}
			require.NoError(t, json.Unmarshal(body, &e), string(body))
			assert.Equal(t, tc.status, e.StatusCode)
			assert.Contains(t, e.Message, tc.msg)
			if tc.status == 422 {
				assert.Equal(t, "ValidationError", e.Error)
			}
		})
	}
	assert.Equal(t, payments, srv.PaymentCount(), "no refused payment was made")
}
