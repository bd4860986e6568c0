package iotpay_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

const key = iotpaytest.Key

func signedJSON(p iotpay.Params, k string) string {
	p["sign"] = iotpay.Sign(p, k)
	b, _ := jsonMarshal(p)
	return string(b)
}

func notification() iotpay.Params {
	return iotpay.Params{"payOrderId": "PC20240101231256043886634219", "mchId": iotpaytest.MerchantID, "mchOrderNo": "o-1",
		"amount": int64(1500), "currency": "CAD", "payType": "pay", "refundable": int64(1500), "status": int64(2),
		"paySuccTime": "2026-11-22 10:00:00", "cardNum": "424242******4242", "cardType": "V"}
}

func testClient(t *testing.T) *iotpay.Client {
	c, err := iotpay.New(iotpay.Config{MerchantID: iotpaytest.MerchantID, Key: key, LoginName: iotpaytest.LoginName, Environment: iotpay.Sandbox})
	require.NoError(t, err)
	return c
}

func TestVerifyNotification(t *testing.T) {
	c := testClient(t)
	o, err := c.VerifyNotification([]byte(signedJSON(notification(), key)))
	require.NoError(t, err)
	assert.Equal(t, iotpay.AmountFromMinor(1500), o.Amount)
	assert.True(t, o.Status.Paid())
	at, ok := o.PaidAt(time.UTC)
	require.True(t, ok)
	assert.Equal(t, 10, at.Hour())

	// An unknown field is covered by the sign.
	p := notification()
	p["newField"] = "added by IOTPay later"
	body := signedJSON(p, key)
	_, err = c.VerifyNotification([]byte(body))
	require.NoError(t, err)
	_, err = c.VerifyNotification([]byte(strings.Replace(body, "added by IOTPay later", "changed", 1)))
	require.ErrorIs(t, err, iotpay.ErrInvalidSignature)

	// Tampered amount, wrong key, missing sign, lower-case key order.
	tampered := strings.Replace(signedJSON(notification(), key), `"amount":1500`, `"amount":15`, 1)
	_, err = c.VerifyNotification([]byte(tampered))
	require.ErrorIs(t, err, iotpay.ErrInvalidSignature)
	_, err = c.VerifyNotification([]byte(signedJSON(notification(), "other")))
	require.ErrorIs(t, err, iotpay.ErrInvalidSignature)
	_, err = c.VerifyNotification([]byte(`{"payOrderId":"x","mchId":"10000701"}`))
	require.ErrorIs(t, err, iotpay.ErrInvalidSignature)

	// Numbers as written, never through float64: a large epoch value keeps
	// its digits.
	p = notification()
	p["ts"] = jsonNumber("1700000000000123")
	_, err = c.VerifyNotification([]byte(signedJSON(p, key)))
	require.NoError(t, err)

	// Another merchant's notification.
	p = notification()
	p["mchId"] = "999"
	_, err = c.VerifyNotification([]byte(signedJSON(p, key)))
	require.ErrorIs(t, err, iotpay.ErrMalformedResponse)

	for _, bad := range []string{``, `[]`, `null`, `{"a":1}{"b":2}`, `{"amount":`} {
		_, err = c.VerifyNotification([]byte(bad))
		require.Error(t, err, bad)
	}
}

// IOTPay's own code sorts keys case-insensitively; both orders verify.
func TestVerifyAcceptsCaseInsensitiveOrder(t *testing.T) {
	c := testClient(t)
	p := notification()
	p["refundAmount"] = int64(100)
	// Sign the case-insensitive canonical string by hand: refundable before
	// refundAmount.
	canon := strings.Replace(iotpay.Canonical(p), "refundAmount=100&refundable=1500", "refundable=1500&refundAmount=100", 1)
	require.NotEqual(t, iotpay.Canonical(p), canon)
	p["sign"] = md5Upper(canon + "&key=" + key)
	b, _ := jsonMarshal(p)
	_, err := c.VerifyNotification(b)
	require.NoError(t, err)
}

func TestNotificationHandlerReportsOnce(t *testing.T) {
	c := testClient(t)
	var mu sync.Mutex
	var got []*iotpay.Order
	h := &iotpay.NotificationHandler{Client: c, Expect: signedOrder, Report: func(_ context.Context, o *iotpay.Order) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, o)
		return nil
	}}
	post := func(body string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/notify", strings.NewReader(body)))
		return rec.Code, rec.Body.String()
	}
	body := signedJSON(notification(), key)
	for range 3 {
		code, reply := post(body)
		assert.Equal(t, 200, code)
		assert.Equal(t, "SUCCESS", reply)
	}
	assert.Len(t, got, 1, "duplicates acknowledged, reported once")
	// Status 3 (success, acknowledged) is the same fact as 2: paid.
	p := notification()
	p["status"] = int64(3)
	code, reply := post(signedJSON(p, key))
	assert.Equal(t, 200, code)
	assert.Equal(t, "SUCCESS", reply)
	assert.Len(t, got, 1, "statuses 2 and 3 are both paid, reported once")
	// A different fact about the same order is news.
	p["status"] = int64(9)
	code, _ = post(signedJSON(p, key))
	assert.Equal(t, 200, code)
	assert.Len(t, got, 2)

	code, reply = post(strings.Replace(body, "o-1", "o-2", 1))
	assert.Equal(t, 400, code)
	assert.Equal(t, "FAIL", reply)
	code, _ = post(`{"pad":"` + strings.Repeat("x", iotpay.MaxNotifyBytes) + `"}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Len(t, got, 2)
}

func TestNotificationHandlerReportErrorAsksForRetry(t *testing.T) {
	c := testClient(t)
	calls := 0
	h := &iotpay.NotificationHandler{Client: c, Expect: signedOrder, Reply: "success", Report: func(context.Context, *iotpay.Order) error {
		calls++
		if calls == 1 {
			return errors.New("database down")
		}
		return nil
	}}
	body := signedJSON(notification(), key)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/notify", strings.NewReader(body)))
	assert.Equal(t, 500, rec.Code)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/notify", strings.NewReader(body)))
	assert.Equal(t, 200, rec.Code)
	assert.Equal(t, "success", rec.Body.String())
	assert.Equal(t, 2, calls)
}

// The whole redirect flow against the fake: purchase, the shopper pays on
// the card page, the browser returns, the fake notifies until SUCCESS.
func TestRedirectFlowWithNotify(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	c := newClient(t, srv)
	reported := make(chan *iotpay.Order, 4)
	shop := httptest.NewServer(&iotpay.NotificationHandler{Client: c, Expect: signedOrder, Report: func(_ context.Context, o *iotpay.Order) error {
		reported <- o
		return nil
	}})
	defer shop.Close()
	req := purchaseReq("o-10")
	req.ReturnURL = shop.URL + "/return?cart=7"
	co, err := newClientNotify(t, srv, shop.URL+"/notify").Purchase(context.Background(), req)
	require.NoError(t, err)

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page, err := noFollow.Get(co.RedirectURL)
	require.NoError(t, err)
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	assert.Contains(t, string(html), `id="iotpay-card-form"`)
	resp, err := noFollow.PostForm(srv.URL+"/cc/pay", url.Values{"key": {co.SecureID}, "cardNum": {"4242424242424242"}, "expiryDate": {"1230"}, "cvv": {"123"}, "holder": {"T"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	assert.Equal(t, "7", loc.Query().Get("cart"), "the merchant's own query is kept")
	ret, err := iotpay.ParseReturn(httptest.NewRequest(http.MethodGet, loc.String(), nil))
	require.NoError(t, err)
	assert.Equal(t, "SUCCESS", ret.RetCode)
	assert.True(t, ret.Status.Paid())
	assert.Equal(t, "o-10", ret.MchOrderNo)

	select {
	case o := <-reported:
		assert.Equal(t, "o-10", o.MchOrderNo)
		assert.Equal(t, iotpay.AmountFromMinor(1500), o.Amount)
	case <-time.After(5 * time.Second):
		t.Fatal("no notification")
	}
	confirmed, err := c.Confirm(context.Background(), ret.MchOrderNo)
	require.NoError(t, err)
	assert.True(t, confirmed.Status.Paid())
}

func TestNotifyRetriedUntilSuccess(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	var mu sync.Mutex
	answers := 0
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		answers++
		if answers < 3 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "SUCCESS")
	}))
	defer shop.Close()
	srv.BindCard("c-1")
	c := newClientNotify(t, srv, shop.URL)
	o, err := c.PurchaseWithToken(context.Background(), &iotpay.PurchaseWithTokenRequest{MchOrderNo: "o-1", CardID: "c-1", Amount: iotpay.AmountFromMinor(100)})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = srv.WaitNotified(ctx, o.PayOrderID)
	require.NoError(t, err)
	assert.Len(t, srv.Deliveries(o.PayOrderID), 3)
	q, err := c.Query(context.Background(), &iotpay.QueryRequest{PayOrderID: o.PayOrderID})
	require.NoError(t, err)
	assert.Equal(t, iotpay.StatusComplete, q.Status, "acknowledged orders move to 3")
}

func TestParseReturnRejectsGarbage(t *testing.T) {
	for _, q := range []url.Values{{}, {"retCode": {"SUCCESS"}, "status": {"two"}}, {"retCode": {"SUCCESS"}, "mchOrderNo": {strings.Repeat("x", 31)}}} {
		_, err := iotpay.ParseReturn(httptest.NewRequest(http.MethodGet, "/return?"+q.Encode(), nil))
		require.ErrorIs(t, err, iotpay.ErrMalformedResponse)
	}
}

// The order of keys in the body does not matter, a lower-case sign is
// accepted, a zero value is signed, and a null or empty value is not.
func TestVerifyReorderedBody(t *testing.T) {
	c := testClient(t)
	p := notification()
	p["status"] = int64(0) // pending: zero is signed, not dropped
	sign := iotpay.Sign(p, key)
	body := `{"status":0,"sign":"` + strings.ToLower(sign) + `","cardType":"V","cardNum":"424242******4242",` +
		`"paySuccTime":"2026-11-22 10:00:00","refundable":1500,"payType":"pay","currency":"CAD","amount":1500,` +
		`"mchOrderNo":"o-1","mchId":"` + iotpaytest.MerchantID + `","payOrderId":"PC20240101231256043886634219",` +
		`"extra":null,"note":""}`
	o, err := c.VerifyNotification([]byte(body))
	require.NoError(t, err)
	assert.True(t, o.Status.Pending())
	assert.Equal(t, "o-1", o.MchOrderNo)

	// Dropping the zero from the body breaks the sign.
	_, err = c.VerifyNotification([]byte(strings.Replace(body, `"status":0,`, ``, 1)))
	require.ErrorIs(t, err, iotpay.ErrInvalidSignature)
}

// signedOrder is the shop's own record in these tests: every order is
// 15.00, its mchOrderNo as notified.
func signedOrder(_ context.Context, o *iotpay.Order) (iotpay.Expectation, error) {
	if o.MchOrderNo == "" || o.MchOrderNo == "unknown" {
		return iotpay.Expectation{}, errors.New("unknown order")
	}
	return iotpay.Expectation{MchOrderNo: o.MchOrderNo, Amount: iotpay.AmountFromMinor(1500)}, nil
}

// TestNotificationHandlerCrossChecksTheMerchantsRecord: a correctly signed
// notification for an order the shop does not know (404), for another
// amount (409), or checked against an incomplete Expectation (500) is
// refused, never acknowledged and reported to nobody.
func TestNotificationHandlerCrossChecksTheMerchantsRecord(t *testing.T) {
	c := testClient(t)
	reported := 0
	report := func(context.Context, *iotpay.Order) error { reported++; return nil }
	post := func(h *iotpay.NotificationHandler, p iotpay.Params) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/notify", strings.NewReader(signedJSON(p, key))))
		return rec.Code, rec.Body.String()
	}
	h := &iotpay.NotificationHandler{Client: c, Expect: signedOrder, Report: report}

	p := notification()
	p["mchOrderNo"] = "unknown"
	code, reply := post(h, p)
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, "FAIL", reply)

	p = notification()
	p["amount"] = int64(1)
	code, reply = post(h, p)
	assert.Equal(t, http.StatusConflict, code, "signed, but not what the shop sold")
	assert.Equal(t, "FAIL", reply)

	for name, want := range map[string]iotpay.Expectation{
		"no order":  {Amount: iotpay.AmountFromMinor(1500)},
		"no amount": {MchOrderNo: "o-1"},
	} {
		incomplete := &iotpay.NotificationHandler{Client: c, Report: report,
			Expect: func(context.Context, *iotpay.Order) (iotpay.Expectation, error) { return want, nil }}
		code, _ := post(incomplete, notification())
		assert.Equal(t, http.StatusInternalServerError, code, name+": fails closed")
		require.ErrorIs(t, want.Validate(), iotpay.ErrInvalidRequest)
	}
	code, _ = post(&iotpay.NotificationHandler{Client: c, Report: report}, notification())
	assert.Equal(t, http.StatusBadRequest, code, "no Expect: not configured")
	assert.Zero(t, reported)

	code, reply = post(h, notification())
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, iotpay.Ack, reply)
	assert.Equal(t, 1, reported)
}
