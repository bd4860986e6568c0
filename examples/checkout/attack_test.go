package main

// Attacks on the shop, each played over HTTP against the running shop and
// the built-in fake providers, each asserting the hole is closed. README's
// checkout section lists them.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/ktwidget"
)

// getWith fetches target with extra header fields and returns the response
// and its body.
func getWith(t *testing.T, hc *http.Client, target string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// A shopper loads KTPay's checkout with a forged Host (and
// X-Forwarded-Host) naming a server of theirs, then pays with the declining
// card. The notification — and the per-order token in its URL — still goes
// to the configured base: the attacker's server hears nothing, the order is
// settled "payment failed" by the real notification, and a forged
// "completed" notification without the token is refused.
func TestAttackForgedHostCannotRedirectKTPayNotification(t *testing.T) {
	var stolen atomic.Int32
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, ktwidget.Ack)
	}))
	defer attacker.Close()

	shop, site, hc := newShop(t)
	visit(t, hc, site.URL)
	id := order(t, hc, site.URL, "kettle", "ktwidget")
	req, err := http.NewRequest(http.MethodGet, site.URL+"/pay/ktwidget/"+id, nil)
	require.NoError(t, err)
	req.Host = attacker.Listener.Addr().String()
	req.Header.Set("X-Forwarded-Host", attacker.Listener.Addr().String())
	req.Header.Set("X-Forwarded-Proto", "http")
	resp, err := hc.Do(req)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the checkout opens: %s", page)
	assert.NotContains(t, string(page), attacker.Listener.Addr().String(), "nothing on the page comes from the Host header")

	kt := shop.fakes.kt
	orders := kt.Orders()
	require.Len(t, orders, 1)
	assert.True(t, strings.HasPrefix(orders[0].CallbackPostURL, site.URL+"/ktwidget/notify?"), "sealed callback_post_url: %s", orders[0].CallbackPostURL)
	for _, u := range []string{orders[0].Order.CallbackSuccessURL, orders[0].Order.CallbackFailedURL, orders[0].Order.CallbackBackURL} {
		assert.True(t, strings.HasPrefix(u, site.URL+"/"), u)
	}

	ord, _ := shop.orders.get(id)
	hash := strings.TrimPrefix(ord.Ref, "ktwidget:")
	resp, err = kt.Client().PostForm(kt.URL+"/payment-card/pay", url.Values{"hash": {hash}, "card": {"4000000000000002"}, "expiry": {"12/30"}, "cvc": {"123"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	ord = shop.orders.waitSettled(context.Background(), id, 5*time.Second)
	require.Equal(t, StatusFailed, ord.Status, "the denied notification reached the shop")
	assert.Zero(t, stolen.Load(), "the attacker's server received nothing")
	assertDone(t, shop, "ktwidget:"+hash+":failed")

	// Without the token the attacker can only guess: refused, still failed.
	forged := `{"merchant_id":1,"order_id":"` + id + `","amount":` + ord.Amount.String() + `,"transaction_hash":"` + hash +
		`","created_at":"2026-01-01T00:00:00+06:00","updated_at":null,"status":{"status":"completed","created_at":"2026-01-01T00:00:00+06:00","updated_at":null,"error":null}}`
	for _, q := range []string{"o=" + id, "o=" + id + "&t=" + strings.Repeat("A", 43), ""} {
		resp, err := http.Post(site.URL+"/ktwidget/notify?"+q, "application/json", strings.NewReader(forged))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, q)
	}
	ord, _ = shop.orders.get(id)
	assert.Equal(t, StatusFailed, ord.Status, "a denied payment cannot become paid")
}

// flexitiFlow plays a shopper to the point where the Flexiti widget posts
// its success event, and returns that event.
func flexitiFlow(t *testing.T, shop *app, hc *http.Client, site string) (id string, event []byte) {
	t.Helper()
	visit(t, hc, site)
	id = order(t, hc, site, "kettle", "flexiti")
	resp, err := hc.PostForm(site+"/flexiti/start/"+id, url.Values{"account": {"20009100"}})
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	m := regexp.MustCompile(`widget_session_id=([0-9A-Za-z-]+)`).FindSubmatch(page)
	require.NotNil(t, m, "the widget frame")
	ev, ok := shop.fakes.flexiti.PassWidget(string(m[1]), flexititest.PIN)
	require.True(t, ok)
	return id, ev
}

func postEvent(hc *http.Client, site, id string, ev []byte) (int, error) {
	resp, err := hc.Post(site+"/flexiti/event/"+id, "application/json", bytes.NewReader(ev))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, nil
}

// The page forwards flx-success three times (a double-fired message, a
// replay by the shopper): one authorization, one capture.
func TestAttackFlexitiSuccessReplayed(t *testing.T) {
	shop, site, hc := newShop(t)
	id, ev := flexitiFlow(t, shop, hc, site.URL)
	for range 3 {
		code, err := postEvent(hc, site.URL, id, ev)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, code)
	}
	ord, _ := shop.orders.get(id)
	assert.Equal(t, StatusPaid, ord.Status)
	assert.Equal(t, 1, shop.fakes.flexiti.Authorizations(), "exactly one authorization")
	assert.Equal(t, 1, shop.fakes.flexiti.Captured(), "exactly one capture")
	assert.NotContains(t, ord.Ref, id, "the reference sent to Flexiti is not the order id")
	assertDone(t, shop, "flexiti:authorization:"+strings.TrimPrefix(ord.Ref, "flexiti:"))
}

// assertDone checks that key is done in the shop's one claim store, the
// store behind both the notification handlers and Flexiti's AuthorizeOnce.
func assertDone(t *testing.T, shop *app, key string) {
	t.Helper()
	c, err := shop.claims.Claim(context.Background(), key, time.Second)
	require.NoError(t, err)
	assert.Equal(t, claims.Done, c.State, key)
}

// Ten concurrent flx-success posts for one order: one authorization, one
// capture.
func TestAttackFlexitiSuccessConcurrent(t *testing.T) {
	shop, site, hc := newShop(t)
	id, ev := flexitiFlow(t, shop, hc, site.URL)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, err := postEvent(hc, site.URL, id, ev)
			assert.NoError(t, err)
			assert.Equal(t, http.StatusOK, code)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, shop.fakes.flexiti.Authorizations(), "exactly one authorization")
	assert.Equal(t, 1, shop.fakes.flexiti.Captured(), "exactly one capture")
	// Whoever lost the race was told to look at the order; the winner paid it.
	ord, _ := shop.orders.get(id)
	assert.Equal(t, StatusPaid, ord.Status)
}

// Anyone with an order id posts a fake "payment failed, call +1-555-…"
// return: it only makes the shop ask Finrota; nothing it carries is shown or
// stored, and other methods are refused.
func TestAttackSpoofedFinrotaReturn(t *testing.T) {
	shop, site, hc := newShop(t)
	visit(t, hc, site.URL)
	id := order(t, hc, site.URL, "tea", "finrota")
	stranger := shopper()
	lure := "payment failed, call +1-555-0100"
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		form := url.Values{"success": {"false"}, "error": {lure}, "message": {lure}, "orderId": {"x"}, "clientReferenceCode": {"x"}}
		var req *http.Request
		if method == http.MethodPost {
			req, _ = http.NewRequest(method, site.URL+"/finrota/return/"+id, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "https://bank.example") // a cross-site form post, as a bank's is
		} else {
			req, _ = http.NewRequest(method, site.URL+"/finrota/return/"+id+"?"+form.Encode(), nil)
		}
		resp, err := stranger.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusSeeOther, resp.StatusCode, method)
		assert.Equal(t, "/orders/"+id, resp.Header.Get("Location"))
	}
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		req, _ := http.NewRequest(method, site.URL+"/finrota/return/"+id, strings.NewReader("error="+url.QueryEscape(lure)))
		resp, err := stranger.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, method)
	}
	ord, _ := shop.orders.get(id)
	assert.Equal(t, StatusNew, ord.Status, "nothing was settled")
	assert.Empty(t, ord.Detail, "nothing was stored")
	_, page := getWith(t, hc, site.URL+"/orders/"+id, nil)
	assert.NotContains(t, page, "555")
	assert.Contains(t, page, string(StatusNew))
}

// An order is its session's: another shopper, or nobody, gets 404 for its
// order page and checkout page.
func TestAttackOrderOfAnotherSession(t *testing.T) {
	_, site, owner := newShop(t)
	visit(t, owner, site.URL)
	id := order(t, owner, site.URL, "kettle", "odero")
	resp, _ := getWith(t, owner, site.URL+"/orders/"+id, nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	other := shopper()
	visit(t, other, site.URL)
	for _, c := range []*http.Client{other, {}} {
		for _, p := range []string{"/orders/" + id, "/pay/odero/" + id} {
			resp, body := getWith(t, c, site.URL+p, nil)
			assert.Equal(t, http.StatusNotFound, resp.StatusCode, p)
			assert.NotContains(t, body, id)
		}
	}
	// Forging the cookie with another random value does not help either.
	resp, _ = getWith(t, &http.Client{}, site.URL+"/orders/"+id, http.Header{"Cookie": {"sid=" + strings.Repeat("A", 43)}})
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// The session cookie is Secure when the configured base URL is https, even
// though the request reaching the shop is plain HTTP from a TLS-terminating
// proxy; and only then, whatever X-Forwarded-Proto says.
func TestAttackSessionCookieBehindTLSProxy(t *testing.T) {
	for base, secure := range map[string]bool{"https://shop.example": true, "http://127.0.0.1:8080": false} {
		shop, closeAll, err := build(func(string) string { return "" }, nil, base)
		require.NoError(t, err)
		site := httptest.NewServer(shop.handler())
		for _, proto := range []string{"", "https", "http"} {
			req, _ := http.NewRequest(http.MethodGet, site.URL+"/", nil)
			if proto != "" {
				req.Header.Set("X-Forwarded-Proto", proto)
			}
			resp, err := http.DefaultTransport.RoundTrip(req)
			require.NoError(t, err)
			resp.Body.Close()
			cookies := resp.Cookies()
			require.Len(t, cookies, 1)
			assert.Equal(t, secure, cookies[0].Secure, "%s %s", base, proto)
			assert.True(t, cookies[0].HttpOnly)
			assert.Equal(t, http.SameSiteLaxMode, cookies[0].SameSite)
		}
		site.Close()
		closeAll()
	}
}

// Reloading a checkout page shows the same provider-side payment again
// instead of creating another (KTPay's reload used to answer 502).
func TestAttackReloadDoesNotCreateAnotherPayment(t *testing.T) {
	shop, site, hc := newShop(t)
	visit(t, hc, site.URL)
	ids := map[string]string{}
	for _, p := range []string{"ktwidget", "iotpay", "odero"} {
		ids[p] = order(t, hc, site.URL, "kettle", p)
		for i := range 3 {
			resp, body := getWith(t, hc, site.URL+"/pay/"+p+"/"+ids[p], nil)
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s reload %d: %s", p, i, body)
		}
	}
	assert.Equal(t, 1, shop.fakes.kt.Transactions(), "one KTPay transaction")
	assert.Equal(t, 1, shop.fakes.iotpay.Orders(), "one IOTPay purchase")
	assert.Equal(t, 1, shop.fakes.odero.Checkouts(), "one Odero checkout")
}

// State-changing requests from another origin are refused by
// http.CrossOriginProtection; the shop's own pages and the providers'
// callbacks still get through.
func TestAttackCrossOriginPostsRefused(t *testing.T) {
	shop, site, hc := newShop(t)
	visit(t, hc, site.URL)
	post := func(path string, h http.Header, body string) int {
		req, _ := http.NewRequest(http.MethodPost, site.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := hc.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	form := "product=kettle&provider=odero"
	assert.Equal(t, http.StatusForbidden, post("/orders", http.Header{"Sec-Fetch-Site": {"cross-site"}}, form))
	assert.Equal(t, http.StatusForbidden, post("/orders", http.Header{"Sec-Fetch-Site": {"same-site"}}, form), "a sibling subdomain is another origin")
	assert.Equal(t, http.StatusForbidden, post("/orders", http.Header{"Origin": {"https://evil.example"}}, form))
	assert.Empty(t, shop.orders.byID, "no order was made")
	// No session cookie: refused too.
	req, _ := http.NewRequest(http.MethodPost, site.URL+"/orders", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	// The shop's own page posting: accepted.
	assert.Equal(t, http.StatusSeeOther, post("/orders", http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {site.URL}}, form))
	// The money-moving posts of the checkout pages, forged from another
	// site with the shopper's cookie: refused before any handler runs.
	fin := order(t, hc, site.URL, "tea", "finrota")
	flx := order(t, hc, site.URL, "tea", "flexiti")
	for _, p := range []string{"/finrota/complete/" + fin, "/flexiti/event/" + flx, "/flexiti/start/" + flx, "/iotpay/confirm/" + fin} {
		assert.Equal(t, http.StatusForbidden, post(p, http.Header{"Sec-Fetch-Site": {"cross-site"}}, `{"prepareToken":"x"}`), p)
	}
	// A provider's page posting its callback cross-site reaches the handler
	// (which verifies it with the gateway), not the cross-origin wall.
	code := post("/odero/callback", http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://sandbox-oos.odero.az"}}, "token=unknown")
	assert.NotEqual(t, http.StatusForbidden, code)
}

// A shop configured with a bad base URL does not start.
func TestBaseURLMustBeConfiguredWell(t *testing.T) {
	for _, bad := range []string{"shop.example", "/", "javascript:alert(1)", "ftp://shop.example", "https://u:p@shop.example", "https://shop.example/x", "https://shop.example/?a=1", "https://shop.example/#f"} {
		_, err := publicBase(bad)
		assert.Error(t, err, bad)
	}
	got, err := publicBase("https://shop.example/")
	require.NoError(t, err)
	assert.Equal(t, "https://shop.example", got)
}
