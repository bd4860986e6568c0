package iotpaytest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

func post(t *testing.T, srv *iotpaytest.Server, endpoint string, p iotpay.Params) map[string]any {
	b, _ := json.Marshal(map[string]any(p))
	resp, err := srv.Client().Post(srv.URL+"/v3/"+endpoint, "application/json;charset=UTF-8", bytes.NewReader(b))
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

func TestFakeChecksSign(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	p := iotpay.Params{"mchId": iotpaytest.MerchantID, "cardId": "c1"}
	p["sign"] = iotpay.Sign(p, "not-the-key")
	assert.Equal(t, map[string]any{"retCode": "FAIL", "retMsg": "sign error"}, post(t, srv, "cc_querycard", p))
	p["sign"] = iotpay.Sign(p, iotpaytest.Key)
	assert.Equal(t, "cardId is not binding", post(t, srv, "cc_querycard", p)["retMsg"])
	// Changing any signed field after signing is caught.
	p["cardId"] = "c2"
	assert.Equal(t, "sign error", post(t, srv, "cc_querycard", p)["retMsg"])
}

func TestFakeRefusesDuplicateOrder(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	cfg := srv.Config()
	cfg.NotifyURL = "https://s.example/n"
	c, err := iotpay.New(cfg, iotpay.WithBaseURL(srv.URL), iotpay.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	req := &iotpay.PurchaseRequest{MchOrderNo: "dup", Amount: iotpay.AmountFromMinor(100), ReturnURL: "https://s.example/r"}
	_, err = c.Purchase(context.Background(), req)
	require.NoError(t, err)
	_, err = c.Purchase(context.Background(), req)
	var api *iotpay.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "mchOrderNo duplicate", api.Message)
	assert.Equal(t, 1, srv.Orders())
}

func TestFakeWidgetAndAddCard(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	cfg := srv.Config()
	cfg.NotifyURL = "http://127.0.0.1:1/n"
	c, err := iotpay.New(cfg, iotpay.WithBaseURL(srv.URL), iotpay.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	ctx := context.Background()

	resp, err := srv.Client().Get(c.ScriptURL())
	require.NoError(t, err)
	js, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(js), "window.Iotpay = function (secureId, action, options)")
	assert.Contains(t, resp.Header.Get("Content-Type"), "javascript")

	co, err := c.AddCard(ctx, &iotpay.AddCardRequest{CardID: "card-7", ReturnURL: "https://s.example/r"})
	require.NoError(t, err)
	widget := func(body string) map[string]any {
		resp, err := srv.Client().Post(srv.URL+"/cc/widget", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return out
	}
	assert.Equal(t, "SUCCESS", widget(`{"secureId":"` + co.SecureID + `","action":"Add","cardNum":"4111111111111111","expiryDate":"0128","cvv":"999","holder":"A"}`)["retCode"])
	card, err := c.QueryCard(ctx, "card-7")
	require.NoError(t, err)
	assert.Equal(t, "411111******1111", card.CardNum)
	assert.Equal(t, 1, srv.Cards())

	pc, err := c.Purchase(ctx, &iotpay.PurchaseRequest{MchOrderNo: "w-1", Amount: iotpay.AmountFromMinor(500), ReturnURL: "https://s.example/r"})
	require.NoError(t, err)
	out := widget(`{"secureId":"` + pc.SecureID + `","action":"Pay","cardNum":"4000000000000002","expiryDate":"0128","cvv":"1","holder":"A"}`)
	assert.Equal(t, map[string]any{"retCode": "FAIL", "retMsg": "declined"}, out)
	o, ok := srv.OrderByMch("w-1")
	require.True(t, ok)
	assert.Equal(t, iotpay.StatusFailed, o.Status)
	// A used secureId cannot pay again.
	assert.Equal(t, "FAIL", widget(`{"secureId":"` + pc.SecureID + `","action":"Pay","cardNum":"4242424242424242","expiryDate":"0128","cvv":"1","holder":"A"}`)["retCode"])
}

func TestFakeAddCardPageRedirects(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	co, err := c.AddCard(context.Background(), &iotpay.AddCardRequest{CardID: "card-8", ReturnURL: "https://s.example/r?x=1"})
	require.NoError(t, err)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(srv.URL+"/cc/bind", url.Values{"key": {co.SecureID}, "cardNum": {"4242424242424242"}, "expiryDate": {"1230"}, "cvv": {"1"}, "holder": {"A"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "https://s.example/r?x=1&retCode=SUCCESS", resp.Header.Get("Location"))
}
