package ktwidgettest_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/nacl/box"

	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

func postBody(t *testing.T, srv *ktwidgettest.Server, app, body string) string {
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/merchant-widget/payment", strings.NewReader(body))
	req.Header.Set("Auth-Identifier", app)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func sealTo(pk *[32]byte, msg string) string {
	c, _ := box.SealAnonymous(nil, []byte(msg), pk, rand.Reader)
	return base64.StdEncoding.EncodeToString(c)
}

func TestFakeRefusals(t *testing.T) {
	srv := ktwidgettest.NewServer(t)
	good := sealTo(srv.RawPublicKey(), `{"order":{"order_id":"o","amount":10,"type":"ecom"}}`)
	assert.Contains(t, postBody(t, srv, "wrong", good), `"code":4010103`)
	assert.Contains(t, postBody(t, srv, ktwidgettest.AppID, "%%%"), `"code":4220101`)
	other, _, _ := box.GenerateKey(rand.Reader)
	assert.Contains(t, postBody(t, srv, ktwidgettest.AppID, sealTo(other, `{"order":{}}`)), `"code":4220101`)
	assert.Contains(t, postBody(t, srv, ktwidgettest.AppID, sealTo(srv.RawPublicKey(), `{"order":{"order_id":"o","amount":10,"type":"gift"}}`)), `"code":4220002`)
	assert.Contains(t, postBody(t, srv, ktwidgettest.AppID, sealTo(srv.RawPublicKey(), `{"order":{"order_id":"o","amount":10,"type":"ecom","callback_post_url":"/n"}}`)), `"code":4220002`)
	assert.Contains(t, postBody(t, srv, ktwidgettest.AppID, sealTo(srv.RawPublicKey(), `{"order":{"order_id":"o","amount":10,"type":"ecom","callback_post_url":"javascript:alert(1)"}}`)), `"code":4220002`)
	assert.Contains(t, postBody(t, srv, ktwidgettest.AppID, good), `"transaction_hash":"`)
	assert.Equal(t, 1, srv.Transactions())
}

func TestFakeWidgetPageDeclines(t *testing.T) {
	srv := ktwidgettest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	no := false
	p, err := c.CreatePayment(context.Background(), &ktwidget.Order{OrderID: "o", Amount: ktwidget.MustParseAmount("10"), Type: ktwidget.TypeEcom,
		ShowCloseButton: &no, CallbackFailedURL: "https://shop.example/failed"}, nil)
	require.NoError(t, err)
	resp, err := srv.Client().Get(p.WidgetURL)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), `id="ktpay-card-form"`)
	assert.NotContains(t, string(page), `id="ktpay-close"`, "show_close_button false hides it")
	resp, err = srv.Client().PostForm(srv.URL+"/payment-card/pay", url.Values{"hash": {p.TransactionHash}, "card": {"4000000000000002"}, "expiry": {"12/30"}, "cvc": {"123"}})
	require.NoError(t, err)
	receipt, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(receipt), `data-status="denied"`)
	assert.Contains(t, string(receipt), `"https://shop.example/failed"`)
	assert.Equal(t, ktwidget.StatusDenied, srv.Status(p.TransactionHash))
}
