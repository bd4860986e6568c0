package iotpaytest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/internal/wire"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

// resend sends a request the SDK made again after m has broken one thing
// in it, signed again (unless resign is false) so that only the break is
// wrong.
func resend(t *testing.T, srv *iotpaytest.Server, orig fake.Request, m wire.Mutation, resign bool) (int, map[string]any) {
	t.Helper()
	_, h, body, err := m.Apply(orig.RawQuery, orig.Header, orig.Body)
	require.NoError(t, err)
	if resign {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var p iotpay.Params
		require.NoError(t, dec.Decode(&p))
		delete(p, "sign")
		p["sign"] = iotpay.Sign(p, iotpaytest.Key)
		body, err = json.Marshal(map[string]any(p))
		require.NoError(t, err)
	}
	status, b, err := wire.Send(srv.Client(), orig.Method, srv.URL+orig.Path, h, body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out), string(b))
	return status, out
}

// Every request the fake serves refuses a wrongly typed field and a missing
// required field with IOTPay's FAIL envelope; the requests the SDK really
// sent pass (they were made through the client below).
func TestFakeRefusesWhatTheSpecificationForbids(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	cfg := srv.Config()
	cfg.NotifyURL = "https://s.example/n"
	c, err := iotpay.New(cfg, iotpay.WithBaseURL(srv.URL), iotpay.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.Purchase(ctx, &iotpay.PurchaseRequest{MchOrderNo: "p-1", Amount: iotpay.AmountFromMinor(1500), Subject: "tea", ReturnURL: "https://s.example/r"})
	require.NoError(t, err)
	_, err = c.AddCard(ctx, &iotpay.AddCardRequest{CardID: "card-new", ReturnURL: "https://s.example/r"})
	require.NoError(t, err)
	srv.BindCard("card-1")
	_, err = c.QueryCard(ctx, "card-1")
	require.NoError(t, err)
	o1, err := c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "t-1", CardID: "card-1", Amount: iotpay.AmountFromMinor(1000), ClientIP: "203.0.113.9"})
	require.NoError(t, err)
	o2, err := c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "t-2", CardID: "card-1", Amount: iotpay.AmountFromMinor(1000)})
	require.NoError(t, err)
	_, err = c.Void(ctx, &iotpay.VoidRequest{MchRefundNo: "v-1", PayOrderID: o1.PayOrderID})
	require.NoError(t, err)
	_, err = c.Refund(ctx, &iotpay.RefundRequest{MchRefundNo: "r-1", PayOrderID: o2.PayOrderID, RefundAmount: iotpay.AmountFromMinor(100)})
	require.NoError(t, err)
	_, err = c.Query(ctx, &iotpay.QueryRequest{MchOrderNo: "p-1"})
	require.NoError(t, err)

	sent := map[string]fake.Request{}
	for _, r := range srv.Requests() {
		if _, seen := sent[r.Path]; !seen {
			sent[r.Path] = r
		}
	}
	cases := []struct {
		name, endpoint string
		m              wire.Mutation
		resign         bool
		msg            string
	}{
		{"purchase amount as a string", "cc_purchase", wire.SetField("amount", `"1500"`), true, "amount: must be a JSON number, not a string"},
		{"purchase amount with cents", "cc_purchase", wire.SetField("amount", `15.00`), true, "amount: must be an integer"},
		{"purchase mchId as a number", "cc_purchase", wire.SetField("mchId", `10000701`), true, "mchId: must be a JSON string, not a number"},
		{"purchase without notifyUrl", "cc_purchase", wire.DropField("notifyUrl"), true, "notifyUrl: required"},
		{"purchase subject of 65", "cc_purchase", wire.SetField("subject", `"`+strings.Repeat("s", 65)+`"`), true, "subject: longer than 64"},
		{"purchase without charset", "cc_purchase", wire.SetHeader("Content-Type", "application/json"), true, "Content-Type: must be application/json; charset=UTF-8"},
		{"purchase form-encoded", "cc_purchase", wire.SetHeader("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8"), true, "Content-Type: must be application/json; charset=UTF-8"},
		{"purchase without sign", "cc_purchase", wire.DropField("sign"), false, "sign error"},
		{"add card cardId as a number", "cc_addcard", wire.SetField("cardId", `7`), true, "cardId: must be a JSON string, not a number"},
		{"add card without returnUrl", "cc_addcard", wire.DropField("returnUrl"), true, "returnUrl: required"},
		{"query card cardId as a number", "cc_querycard", wire.SetField("cardId", `1`), true, "cardId: must be a JSON string, not a number"},
		{"query card without cardId", "cc_querycard", wire.DropField("cardId"), true, "cardId: required"},
		{"token purchase amount as a string", "cc_purchasewithtoken", wire.SetField("amount", `"1000"`), true, "amount: must be a JSON number, not a string"},
		{"token purchase without cardId", "cc_purchasewithtoken", wire.DropField("cardId"), true, "cardId: required"},
		{"void payOrderId as a number", "cc_void", wire.SetField("payOrderId", `1`), true, "payOrderId: must be a JSON string, not a number"},
		{"void without mchRefundNo", "cc_void", wire.DropField("mchRefundNo"), true, "mchRefundNo: required"},
		{"refund refundAmount as a string", "cc_refund", wire.SetField("refundAmount", `"100"`), true, "refundAmount: must be a JSON number, not a string"},
		{"refund without refundAmount", "cc_refund", wire.DropField("refundAmount"), true, "refundAmount: required"},
		{"query mchOrderNo as a number", "cc_query", wire.SetField("mchOrderNo", `1`), true, "mchOrderNo: must be a JSON string, not a number"},
		{"query without mchId", "cc_query", wire.DropField("mchId"), true, "mchId: required"},
	}
	orders, refunds := srv.Orders(), srv.Refunds()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			orig, ok := sent["/v3/"+tc.endpoint]
			require.True(t, ok, "the SDK sent no %s", tc.endpoint)
			status, out := resend(t, srv, orig, tc.m, tc.resign)
			assert.Equal(t, http.StatusOK, status)
			assert.Equal(t, map[string]any{"retCode": "FAIL", "retMsg": tc.msg}, out)
		})
	}
	assert.Equal(t, orders, srv.Orders(), "no refused purchase was made")
	assert.Equal(t, refunds, srv.Refunds(), "no refused refund or void was made")
}
