package iotpay_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

func newClient(t *testing.T, srv *iotpaytest.Server, opts ...iotpay.Option) *iotpay.Client {
	t.Helper()
	return newClientNotify(t, srv, "https://shop.example/iotpay/notify", opts...)
}

// newClientNotify is newClient with Config.NotifyURL set to notify.
func newClientNotify(t *testing.T, srv *iotpaytest.Server, notify string, opts ...iotpay.Option) *iotpay.Client {
	t.Helper()
	cfg := srv.Config()
	cfg.NotifyURL = notify
	base := []iotpay.Option{iotpay.WithBaseURL(srv.URL), iotpay.WithHTTPClient(srv.Client()),
		iotpay.WithRetry(iotpay.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})}
	c, err := iotpay.New(cfg, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// The notifyUrl is configuration: New refuses anything but an absolute
// http(s) URL of at most 200 characters, Purchase sends it, and a purchase
// without one is refused before anything is sent.
func TestNotifyURLIsConfiguredOnce(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	for _, bad := range []string{"/notify", "ftp://x.example/n", "javascript:alert(1)", "shop.example/n", "https://u:p@shop.example/n",
		"https://shop.example/n#x", "https://shop.example/" + strings.Repeat("n", 190)} {
		cfg := srv.Config()
		cfg.NotifyURL = bad
		_, err := iotpay.New(cfg)
		require.ErrorIs(t, err, iotpay.ErrInvalidRequest, bad)
	}
	cfg := srv.Config()
	cfg.NotifyURL = ""
	bare, err := iotpay.New(cfg, iotpay.WithBaseURL(srv.URL), iotpay.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	_, err = bare.Purchase(context.Background(), purchaseReq("o-n1"))
	require.ErrorIs(t, err, iotpay.ErrInvalidRequest, "a purchase needs a notifyUrl")
	assert.Empty(t, srv.Requests())
	c := newClientNotify(t, srv, "https://shop.example/iotpay/notify?src=iot")
	_, err = c.Purchase(context.Background(), purchaseReq("o-n2"))
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Contains(t, string(reqs[0].Body), `"notifyUrl":"https://shop.example/iotpay/notify?src=iot"`)
}

func purchaseReq(no string) *iotpay.PurchaseRequest {
	return &iotpay.PurchaseRequest{MchOrderNo: no, Amount: iotpay.AmountFromMinor(1500), Subject: "ipad pro",
		ReturnURL: "https://shop.example/return?a=1&b=2"}
}

func TestPurchaseBodyIsWhatIsSigned(t *testing.T) {
	var body map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/v3/cc_purchase", r.URL.Path)
		assert.Equal(t, "application/json;charset=UTF-8", r.Header.Get("Content-Type"))
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		require.NoError(t, dec.Decode(&body))
		_, _ = w.Write([]byte(`{"retCode":"SUCCESS","retMsg":"","retData":{"secureId":"` + strings.Repeat("a", 64) + `","redirectUrl":"https://ccapi.iotpaycloud.com/cc/purchase?key=x"}}`))
	}))
	defer srv.Close()
	c, err := iotpay.New(iotpay.Config{MerchantID: "10000701", Key: "0123456789ABCDEF0123456789ABCDEF", LoginName: "jack123", NotifyURL: "https://example.com/notify"}, iotpay.WithBaseURL(srv.URL))
	require.NoError(t, err)
	co, err := c.Purchase(context.Background(), &iotpay.PurchaseRequest{MchOrderNo: "1234567890abc", Amount: iotpay.AmountFromMinor(1500), Subject: "ipad pro",
		ReturnURL: "https://example.com/return?a=1&b=2"})
	require.NoError(t, err)
	assert.Len(t, co.SecureID, 64)
	// The body is the vector's parameters (empty body left out) plus the
	// vector's sign; amount travels as a JSON number.
	assert.Equal(t, "6D10AA11DE9D40A7A395A4D965B830F5", body["sign"])
	assert.Equal(t, json.Number("1500"), body["amount"])
	_, hasBody := body["body"]
	assert.False(t, hasBody)
	assert.Equal(t, "https://example.com/return?a=1&b=2", body["returnUrl"])
}

func TestNewValidatesConfig(t *testing.T) {
	for name, cfg := range map[string]iotpay.Config{
		"no mchId":       {Key: "k", LoginName: "l"},
		"no key":         {MerchantID: "1", LoginName: "l"},
		"no login":       {MerchantID: "1", Key: "k"},
		"login too long": {MerchantID: "1", Key: "k", LoginName: strings.Repeat("x", 13)},
		"mchId too long": {MerchantID: strings.Repeat("1", 31), Key: "k", LoginName: "l"},
	} {
		_, err := iotpay.New(cfg)
		require.ErrorIs(t, err, iotpay.ErrInvalidRequest, name)
	}
	_, err := iotpay.New(iotpay.Config{MerchantID: "1", Key: "k", LoginName: "l"})
	require.ErrorIs(t, err, iotpay.ErrInvalidRequest, "no Environment and no base URL: never Production by default")
	assert.Contains(t, err.Error(), "iotpay: Environment: required")
	c, err := iotpay.New(iotpay.Config{MerchantID: "1", Key: "k", LoginName: "l", Environment: iotpay.Production})
	require.NoError(t, err)
	assert.Equal(t, string(iotpay.Production), c.BaseURL())
}

func TestValidationSendsNothing(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	c := newClient(t, srv)
	ctx := context.Background()
	long := func(n int) string { return strings.Repeat("x", n) }
	purchase := func(f func(r *iotpay.PurchaseRequest)) error {
		r := purchaseReq("o-1")
		f(r)
		_, err := c.Purchase(ctx, r)
		return err
	}
	cases := map[string]error{
		"mchOrderNo missing": purchase(func(r *iotpay.PurchaseRequest) { r.MchOrderNo = "" }),
		"mchOrderNo 31":      purchase(func(r *iotpay.PurchaseRequest) { r.MchOrderNo = long(31) }),
		"amount 0":           purchase(func(r *iotpay.PurchaseRequest) { r.Amount = iotpay.Amount{} }),
		"amount negative":    purchase(func(r *iotpay.PurchaseRequest) { r.Amount = iotpay.AmountFromMinor(-5) }),
		"channel":            purchase(func(r *iotpay.PurchaseRequest) { r.Channel = "WX_NATIVE" }),
		"subject 65":         purchase(func(r *iotpay.PurchaseRequest) { r.Subject = long(65) }),
		"body 251":           purchase(func(r *iotpay.PurchaseRequest) { r.Body = long(251) }),
		"returnUrl relative": purchase(func(r *iotpay.PurchaseRequest) { r.ReturnURL = "/return" }),
		"returnUrl 201":      purchase(func(r *iotpay.PurchaseRequest) { r.ReturnURL = "https://x.example/" + long(190) }),
		"mchUserId 31":       purchase(func(r *iotpay.PurchaseRequest) { r.MchUserID = long(31) }),
		"nil purchase":       func() error { _, err := c.Purchase(ctx, nil); return err }(),
		"cardId 31": func() error {
			_, err := c.AddCard(ctx, &iotpay.AddCardRequest{CardID: long(31), ReturnURL: "https://x.example/r"})
			return err
		}(),
		"addcard returnUrl": func() error { _, err := c.AddCard(ctx, &iotpay.AddCardRequest{CardID: "c1"}); return err }(),
		"querycard empty":   func() error { _, err := c.QueryCard(ctx, ""); return err }(),
		"token cardId": func() error {
			_, err := c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "o", Amount: iotpay.AmountFromMinor(1)})
			return err
		}(),
		"token clientIp 51": func() error {
			_, err := c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "o", CardID: "c", Amount: iotpay.AmountFromMinor(1), ClientIP: long(51)})
			return err
		}(),
		"void mchRefundNo": func() error { _, err := c.Void(ctx, &iotpay.VoidRequest{PayOrderID: "PC1"}); return err }(),
		"refund amount 0": func() error {
			_, err := c.Refund(ctx, &iotpay.RefundRequest{MchRefundNo: "r", PayOrderID: "PC1"})
			return err
		}(),
		"refund mchRefundNo 31": func() error {
			_, err := c.Refund(ctx, &iotpay.RefundRequest{MchRefundNo: long(31), PayOrderID: "PC1", RefundAmount: iotpay.AmountFromMinor(1)})
			return err
		}(),
		"void mchRefundNo 31": func() error {
			_, err := c.Void(ctx, &iotpay.VoidRequest{MchRefundNo: long(31), PayOrderID: "PC1"})
			return err
		}(),
		"subject 65 runes": purchase(func(r *iotpay.PurchaseRequest) { r.Subject = strings.Repeat("é", 65) }),
		"returnUrl ftp":    purchase(func(r *iotpay.PurchaseRequest) { r.ReturnURL = "ftp://x.example/n" }),
		"refund payOrderId": func() error {
			_, err := c.Refund(ctx, &iotpay.RefundRequest{MchRefundNo: "r", RefundAmount: iotpay.AmountFromMinor(1)})
			return err
		}(),
		"query neither": func() error { _, err := c.Query(ctx, &iotpay.QueryRequest{}); return err }(),
		"query both": func() error {
			_, err := c.Query(ctx, &iotpay.QueryRequest{PayOrderID: "a", MchOrderNo: "b"})
			return err
		}(),
	}
	for name, err := range cases {
		var ve *httpx.ValidationError
		assert.ErrorAs(t, err, &ve, name)
		assert.ErrorIs(t, err, iotpay.ErrInvalidRequest, name)
	}
	assert.Empty(t, srv.Requests())

	// The limits are inclusive and count characters, not bytes.
	ok := purchaseReq("o-" + long(28))
	ok.Subject, ok.Body, ok.MchUserID = strings.Repeat("é", 64), long(250), long(30)
	require.NoError(t, ok.Validate())
}

func TestFailIsTypedAPIError(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	c := newClient(t, srv)
	_, err := c.QueryCard(context.Background(), "never-added")
	var api *iotpay.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "FAIL", api.Code)
	assert.Equal(t, "cardId is not binding", api.Message)
	assert.Equal(t, 200, api.HTTPStatus)

	bad, err := iotpay.New(iotpay.Config{MerchantID: iotpaytest.MerchantID, Key: "wrong-key", LoginName: iotpaytest.LoginName, NotifyURL: "https://shop.example/n"}, iotpay.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = bad.Purchase(context.Background(), purchaseReq("o-2"))
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "sign error", api.Message)
	assert.NotErrorIs(t, err, iotpay.ErrOutcomeUnknown, "a FAIL answer is a clear refusal")
	assert.Equal(t, 0, srv.Orders())
}

func TestMoneyCallsNeverSentTwice(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	c := newClient(t, srv)
	ctx := context.Background()
	srv.Fail("POST", "/v3/cc_purchase", iotpaytest.Fault{Kind: iotpaytest.DropAfter})
	_, err := c.Purchase(ctx, purchaseReq("o-3"))
	require.ErrorIs(t, err, iotpay.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.Count("POST", "/v3/cc_purchase"))
	assert.Equal(t, 1, srv.Orders(), "exactly one order at IOTPay")
	o, err := c.Query(ctx, &iotpay.QueryRequest{MchOrderNo: "o-3"})
	require.NoError(t, err, "the documented way out: query by mchOrderNo")
	assert.True(t, o.Status.Pending())

	srv.BindCard("card-1")
	paid, err := c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "o-4", CardID: "card-1", Amount: iotpay.AmountFromMinor(2500)})
	require.NoError(t, err)
	require.True(t, paid.Status.Paid())
	srv.Fail("POST", "/v3/cc_refund", iotpaytest.Fault{Kind: iotpaytest.DropAfter})
	_, err = c.Refund(ctx, &iotpay.RefundRequest{MchRefundNo: "r-1", PayOrderID: paid.PayOrderID, RefundAmount: iotpay.AmountFromMinor(1000)})
	require.ErrorIs(t, err, iotpay.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.Refunds())
	after, err := c.Query(ctx, &iotpay.QueryRequest{PayOrderID: paid.PayOrderID})
	require.NoError(t, err)
	assert.Equal(t, iotpay.AmountFromMinor(1500), after.Refundable)

	srv.Fail("POST", "/v3/cc_purchasewithtoken", iotpaytest.Fault{Kind: iotpaytest.Malformed})
	_, err = c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "o-5", CardID: "card-1", Amount: iotpay.AmountFromMinor(100)})
	require.ErrorIs(t, err, iotpay.ErrOutcomeUnknown)
	require.ErrorIs(t, err, iotpay.ErrMalformedResponse)
}

func TestTokenPurchaseRefundVoid(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	c := newClient(t, srv)
	ctx := context.Background()
	srv.BindCard("card-9")
	card, err := c.QueryCard(ctx, "card-9")
	require.NoError(t, err)
	assert.Equal(t, "424242******4242", card.CardNum)
	assert.Equal(t, "123", card.CVV.Reveal())
	assert.NotContains(t, card.String(), "123")
	assert.Contains(t, card.String(), "424242******4242")
	shown := *card
	shown.Meta, shown.ExpiryDate = iotpay.Meta{}, "" // durations and the expiry could hold "123" by chance
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, sprintf(format, shown), "123", format)
		assert.Contains(t, sprintf(format, shown), "REDACTED", format)
	}

	o, err := c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "o-1", CardID: "card-9", Amount: iotpay.AmountFromMinor(4000)})
	require.NoError(t, err)
	assert.Equal(t, iotpay.StatusSuccess, o.Status)
	v, err := c.Void(ctx, &iotpay.VoidRequest{MchRefundNo: "v-1", PayOrderID: o.PayOrderID})
	require.NoError(t, err)
	assert.Equal(t, "refund", v.PayType)
	assert.Equal(t, o.PayOrderID, v.OriginalOrderID)
	_, err = c.Refund(ctx, &iotpay.RefundRequest{MchRefundNo: "r-1", PayOrderID: o.PayOrderID, RefundAmount: iotpay.AmountFromMinor(1)})
	var api *iotpay.APIError
	require.ErrorAs(t, err, &api, "a voided order cannot be refunded")

	srv.NextPayment(iotpay.StatusFailed)
	d, err := c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "o-2", CardID: "card-9", Amount: iotpay.AmountFromMinor(4000)})
	require.NoError(t, err, "a declined payment is an order with status 9, not an error")
	assert.True(t, d.Status.Failed())
	assert.Equal(t, "failed", d.Status.Outcome())
}

func TestStatusMapping(t *testing.T) {
	for st, want := range map[iotpay.Status]string{0: "pending", 1: "pending", 2: "paid", 3: "paid", 9: "failed", 4: "pending", 77: "pending"} {
		assert.Equal(t, want, st.Outcome(), "status %d", st)
	}
}
