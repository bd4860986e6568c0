package ktwidgettest_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/nacl/box"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/internal/wire"
	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

// resend posts a create call the SDK made again, its decrypted plaintext
// broken by m (a body mutation) and sealed afresh to the fake's key, with
// the SDK's headers broken by m (a header mutation).
func resend(t *testing.T, srv *ktwidgettest.Server, orig fake.Request, plain []byte, m wire.Mutation) (int, []byte) {
	t.Helper()
	_, h, plain, err := m.Apply(orig.RawQuery, orig.Header, plain)
	require.NoError(t, err)
	var body []byte
	if orig.Method == http.MethodPost {
		sealed, err := box.SealAnonymous(nil, plain, srv.RawPublicKey(), rand.Reader)
		require.NoError(t, err)
		body = base64.StdEncoding.AppendEncode(nil, sealed)
	}
	status, b, err := wire.Send(srv.Client(), orig.Method, srv.URL+orig.Path, h, body)
	require.NoError(t, err)
	return status, b
}

// Every request the fake serves refuses a wrongly typed field and a missing
// required field (or header) with KTPay's error shape; the requests the SDK
// really sent pass (they were made through the client below). The receipt
// (pdf) documents no field and no header, so there is nothing to refuse.
func TestFakeRefusesWhatTheSpecificationForbids(t *testing.T) {
	srv := ktwidgettest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()
	show := false
	p, err := c.CreatePayment(ctx, &ktwidget.Order{OrderID: "o-1", Amount: ktwidget.MustParseAmount("1500.50"), Type: ktwidget.TypeService,
		Service: &ktwidget.Service{ServiceID: 7, ContractValue: "+77001234567"}, Description: "top-up", ShowCloseButton: &show},
		&ktwidget.User{Phone: "+77001234567"})
	require.NoError(t, err)
	_, err = c.AcquirerOptions(ctx, p.TransactionHash)
	require.NoError(t, err)
	orders := srv.Orders()
	require.Len(t, orders, 1)
	plain := orders[0].Raw
	assert.True(t, strings.HasPrefix(orders[0].CallbackPostURL, srv.URL+"/merchant/notify?"), "NewClient configures the fake's stand-in merchant: %s", orders[0].CallbackPostURL)
	assert.Equal(t, `{"order":{"order_id":"o-1","amount":1500.5,"type":"service","service":{"service_id":7,"contract_value":"+77001234567"},"description":"top-up","callback_post_url":"`+orders[0].CallbackPostURL+`","show_close_button":false},"user":{"phone":"+77001234567"}}`,
		string(plain), "the decrypted plaintext as the SDK sealed it")

	sent := map[string]fake.Request{}
	for _, r := range srv.Requests() {
		key := r.Method + " create"
		if strings.HasSuffix(r.Path, "/acquirer-options") {
			key = "GET acquirer-options"
		}
		sent[key] = r
	}
	const create, acquirer = "POST create", "GET acquirer-options"
	cases := []struct {
		name, request string
		m             wire.Mutation
		status, code  int
		msg           string
	}{
		{"amount as a string", create, wire.SetField("order.amount", `"1500.50"`), 422, ktwidget.CodeValidation, "order.amount: must be a JSON number, not a string"},
		{"amount with three places", create, wire.SetField("order.amount", `1500.505`), 422, ktwidget.CodeValidation, "order.amount: more than 2 decimal places"},
		{"order_id as a number", create, wire.SetField("order.order_id", `1`), 422, ktwidget.CodeValidation, "order.order_id: must be a JSON string, not a number"},
		{"service_id as a string", create, wire.SetField("order.service.service_id", `"7"`), 422, ktwidget.CodeValidation, "order.service.service_id: must be a JSON number, not a string"},
		{"show_close_button as a string", create, wire.SetField("order.show_close_button", `"false"`), 422, ktwidget.CodeValidation, "order.show_close_button: must be a JSON boolean, not a string"},
		{"user phone as a number", create, wire.SetField("user.phone", `77001234567`), 422, ktwidget.CodeValidation, "user.phone: must be a JSON string, not a number"},
		{"without order_id", create, wire.DropField("order.order_id"), 422, ktwidget.CodeValidation, "order.order_id: required"},
		{"without amount", create, wire.DropField("order.amount"), 422, ktwidget.CodeValidation, "order.amount: required"},
		{"without contract_value", create, wire.DropField("order.service.contract_value"), 422, ktwidget.CodeValidation, "order.service.contract_value: required"},
		{"without order", create, wire.DropField("order"), 422, ktwidget.CodeValidation, "order: required"},
		{"as JSON", create, wire.SetHeader("Content-Type", "application/json"), 422, ktwidget.CodeBadData, "Bad data format"},
		{"without Auth-Identifier", create, wire.DropHeader("Auth-Identifier"), 401, ktwidget.CodeUnknownApp, "application id"},
		{"acquirer options without Auth-Identifier", acquirer, wire.DropHeader("Auth-Identifier"), 401, ktwidget.CodeUnknownApp, "application id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			orig, ok := sent[tc.request]
			require.True(t, ok, "the SDK sent no %s", tc.request)
			status, body := resend(t, srv, orig, plain, tc.m)
			assert.Equal(t, tc.status, status, string(body))
			var e struct {
				Success *bool `json:"success"`
				Error   struct {
					Code     int               `json:"code"`
					Messages map[string]string `json:"messages"`
				} `json:"error"`
			}
			require.NoError(t, json.Unmarshal(body, &e), string(body))
			require.NotNil(t, e.Success)
			assert.False(t, *e.Success)
			assert.Equal(t, tc.code, e.Error.Code)
			assert.Contains(t, e.Error.Messages["error"], tc.msg)
		})
	}
	assert.Equal(t, 1, srv.Transactions(), "no refused order made a transaction")
}
