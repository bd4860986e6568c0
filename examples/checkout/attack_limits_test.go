package main

// Attacks on the shop's sessions and resources (issue 21, holes 4-6),
// each played over HTTP.

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/fake"
)

// liveness bounds how long a test waits for something that must happen;
// it is a deadlock detector, not a speed measurement.
const liveness = 20 * time.Second

// Hole 4. A session id the shop never issued (any 43 characters) is not a
// session: it cannot create orders, and the shop issues a fresh id instead.
func TestAttackForgedSessionID(t *testing.T) {
	shop, site, _ := newShop(t)
	forged := strings.Repeat("A", 43)
	name := shop.sessions.cookieName()
	resp, _ := getWith(t, &http.Client{}, site.URL+"/", http.Header{"Cookie": {name + "=" + forged}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var issued string
	for _, c := range resp.Cookies() {
		if c.Name == name {
			issued = c.Value
		}
	}
	assert.NotEmpty(t, issued, "a fresh session is issued")
	assert.NotEqual(t, forged, issued)

	req, _ := http.NewRequest(http.MethodPost, site.URL+"/orders", strings.NewReader("product=kettle&provider=odero"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", name+"="+forged)
	resp, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "an id the shop never issued owns nothing")
	assert.Empty(t, shop.orders.byID)
}

// Hole 4. Session fixation: an attacker takes an id the shop issued and
// plants it in the victim's browser (a sibling subdomain can set a cookie
// without the __Host- prefix). When the victim gains an order, the shop
// issues the victim a fresh id: the planted one sees nothing.
func TestAttackSessionFixation(t *testing.T) {
	_, site, attacker := newShop(t)
	visit(t, attacker, site.URL)
	u, _ := url.Parse(site.URL)
	planted := attacker.Jar.Cookies(u)
	require.Len(t, planted, 1)
	victim := shopper()
	victim.Jar.SetCookies(u, planted)

	id := order(t, victim, site.URL, "kettle", "odero")
	assert.NotEqual(t, planted[0].Value, victim.Jar.Cookies(u)[0].Value, "a fresh id on the change of privilege")
	resp, _ := getWith(t, victim, site.URL+"/orders/"+id, nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the victim keeps the order")
	for _, p := range []string{"/orders/" + id, "/pay/odero/" + id} {
		resp, _ := getWith(t, attacker, site.URL+p, nil)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, "the planted id sees nothing: %s", p)
	}
}

// Hole 4. With an https base the cookie is __Host-: Secure, Path=/, no
// Domain, so no sibling subdomain can set or shadow it.
func TestSessionCookieIsHostPrefixedOnHTTPS(t *testing.T) {
	for base, want := range map[string]string{"https://shop.example": "__Host-sid", "http://127.0.0.1:8080": "sid"} {
		shop, closeAll, err := build(func(string) string { return "" }, nil, base)
		require.NoError(t, err)
		site := httptest.NewServer(shop.handler())
		resp, err := http.Get(site.URL + "/")
		require.NoError(t, err)
		resp.Body.Close()
		raw := resp.Header.Get("Set-Cookie")
		assert.True(t, strings.HasPrefix(raw, want+"="), "%s: %s", base, raw)
		assert.Contains(t, raw, "Path=/")
		assert.NotContains(t, strings.ToLower(raw), "domain=")
		site.Close()
		closeAll()
	}
}

// Hole 5. One session may keep only a few unpaid orders open (429 after
// that); unpaid orders expire, after which they can no longer be paid and
// no longer count.
func TestAttackUnboundedOrders(t *testing.T) {
	shop, site, hc := newShop(t)
	visit(t, hc, site.URL)
	var ids []string
	for {
		resp, err := hc.PostForm(site.URL+"/orders", url.Values{"product": {"tea"}, "provider": {"odero"}})
		require.NoError(t, err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
			break
		}
		ids = append(ids, strings.TrimPrefix(resp.Header.Get("Location"), "/pay/odero/"))
		require.Less(t, len(ids), 100, "no cap on open orders")
	}
	assert.NotEmpty(t, ids)
	assert.Len(t, shop.orders.byID, len(ids), "nothing was kept for the refused order")

	later := time.Now().Add(2 * time.Hour)
	shop.orders.mu.Lock()
	shop.orders.now = func() time.Time { return later }
	shop.orders.mu.Unlock()
	resp, _ := getWith(t, hc, site.URL+"/pay/odero/"+ids[0], nil)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode, "an expired order cannot be paid")
	ord, _ := shop.orders.get(ids[0])
	assert.NotEqual(t, StatusNew, ord.Status)
	assert.Equal(t, 0, shop.fakes.odero.Checkouts(), "no checkout was opened")
	order(t, hc, site.URL, "tea", "odero") // the expired ones no longer count
}

// Hole 5. KTPay's return page waits for the notification only for the
// order's own session: a stranger's request is answered at once and holds
// nothing.
func TestAttackKTPayReturnHoldsNothingForStrangers(t *testing.T) {
	shop, site, hc := newShop(t)
	shop.returnWait = time.Hour
	visit(t, hc, site.URL)
	id := order(t, hc, site.URL, "tea", "ktwidget")
	done := make(chan int, 20)
	stranger := shopper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 20 {
		go func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, site.URL+"/ktwidget/return/"+id, nil)
			resp, err := stranger.Do(req)
			if err != nil {
				done <- 0
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
	}
	deadline := time.After(liveness)
	for range 20 {
		select {
		case code := <-done:
			assert.Equal(t, http.StatusSeeOther, code, "sent on to the order page (404 for a stranger)")
		case <-deadline:
			t.Fatal("a stranger's return request is held waiting for the notification")
		}
	}
}

// Hole 5. A client that sends its headers and then trickles (or never
// sends) the body is cut off by the server's read timeout, and an idle
// keep-alive connection is closed: neither holds a connection forever.
func TestAttackSlowloris(t *testing.T) {
	shop, site := startShop(t)
	l := limits{readHeader: 200 * time.Millisecond, read: 300 * time.Millisecond, write: time.Second, idle: 300 * time.Millisecond}
	srv := httpServer(shop.handler(), l)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	_ = site

	for name, send := range map[string]string{
		"slow body":       "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nproduct=",
		"idle keep-alive": "GET /static/shop.css HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		c, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		_, err = io.WriteString(c, send)
		require.NoError(t, err)
		require.NoError(t, c.SetReadDeadline(time.Now().Add(liveness)))
		_, err = io.Copy(io.Discard, bufio.NewReader(c))
		assert.NoError(t, err, "%s: the server closes the connection", name)
		c.Close()
	}
	assert.NotZero(t, defaultLimits.read)
	assert.NotZero(t, defaultLimits.idle)
	assert.NotZero(t, defaultLimits.write)
}

// Hole 6. One shopper's provider call that hangs at the gateway does not
// stall another shopper's checkout of the same provider: each order is
// locked on its own, never the whole shop across the network. (Every
// checkout page that calls its provider: Flexiti's calls it only on the
// start form, under no shared lock either.)
func TestAttackSlowGatewayStallsNobodyElse(t *testing.T) {
	for _, p := range []struct{ provider, method, path string }{
		{"odero", http.MethodPost, "/payment/v1/checkout-payments/init"},
		{"iotpay", http.MethodPost, "/v3/cc_purchase"},
		{"ktwidget", http.MethodPost, "/api/v1/merchant-widget/payment"},
		{"finrota", http.MethodGet, "/b2c/widget/token"},
	} {
		t.Run(p.provider, func(t *testing.T) {
			shop, site, slow := newShop(t)
			fail := map[string]func(string, string, ...fake.Fault){
				"odero": shop.fakes.odero.Fail, "iotpay": shop.fakes.iotpay.Fail, "ktwidget": shop.fakes.kt.Fail,
				"finrota": shop.fakes.finrota.Fail,
			}[p.provider]
			count := map[string]func(string, string) int{
				"odero": shop.fakes.odero.Count, "iotpay": shop.fakes.iotpay.Count, "ktwidget": shop.fakes.kt.Count,
				"finrota": shop.fakes.finrota.Count,
			}[p.provider]
			visit(t, slow, site.URL)
			first := order(t, slow, site.URL, "kettle", p.provider)
			other := shopper()
			visit(t, other, site.URL)
			second := order(t, other, site.URL, "tea", p.provider)

			fail(p.method, p.path, fake.Fault{Kind: fake.Hang, Delay: time.Hour})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			held := make(chan struct{})
			go func() {
				defer close(held)
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, site.URL+"/pay/"+p.provider+"/"+first, nil)
				if resp, err := slow.Do(req); err == nil {
					resp.Body.Close()
				}
			}()
			// The first shopper's call is at the gateway, held there.
			deadline := time.Now().Add(liveness)
			for count(p.method, p.path) == 0 {
				require.True(t, time.Now().Before(deadline), "the first call never reached the gateway")
				time.Sleep(5 * time.Millisecond)
			}
			got := make(chan int, 1)
			go func() {
				resp, body := getWith(t, other, site.URL+"/pay/"+p.provider+"/"+second, nil)
				if resp.StatusCode != http.StatusOK {
					t.Log(body)
				}
				got <- resp.StatusCode
			}()
			select {
			case code := <-got:
				assert.Equal(t, http.StatusOK, code, "the other shopper's checkout opened")
			case <-time.After(liveness):
				t.Error("the other shopper waits for the first shopper's gateway call")
			}
			select {
			case <-held:
				t.Errorf("the first call was not held at the gateway (%s)", p.provider)
			default:
			}
			cancel()
			<-held
		})
	}
}
