package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startShop starts the shop on a loopback listener whose address is its
// configured base URL, as -base-url would set it.
func startShop(t *testing.T) (*app, *httptest.Server) {
	t.Helper()
	site := httptest.NewUnstartedServer(nil)
	shop, closeAll, err := build(func(string) string { return "" }, nil, "http://"+site.Listener.Addr().String())
	require.NoError(t, err)
	t.Cleanup(closeAll)
	site.Config.Handler = shop.handler()
	site.Start()
	t.Cleanup(site.Close)
	return shop, site
}

func newShop(t *testing.T) (*app, *httptest.Server, *http.Client) {
	shop, site := startShop(t)
	return shop, site, shopper()
}

// shopper is a browser-like client: its own cookie jar, no redirects
// followed.
func shopper() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// visit opens the shop's front page (which starts the session) and checks
// the headers every page carries.
func visit(t *testing.T, hc *http.Client, site string) {
	resp, err := hc.Get(site + "/")
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
}

// order makes an order of product through provider as the shopper hc and
// returns its id.
func order(t *testing.T, hc *http.Client, site, product, provider string) string {
	t.Helper()
	resp, err := hc.PostForm(site+"/orders", url.Values{"product": {product}, "provider": {provider}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/pay/"+provider+"/"), loc)
	return strings.TrimPrefix(loc, "/pay/"+provider+"/")
}

func TestOrderAmountComesFromTheCatalogue(t *testing.T) {
	shop, site, hc := newShop(t)
	visit(t, hc, site.URL)
	resp, err := hc.PostForm(site.URL+"/orders", url.Values{"product": {"kettle"}, "provider": {"odero"}, "amount": {"0.01"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/pay/odero/"))
	ord, ok := shop.orders.get(strings.TrimPrefix(loc, "/pay/odero/"))
	require.True(t, ok)
	assert.Equal(t, "149.90", ord.Amount.String())

	// The checkout page frames only the gateway's origin.
	resp, err = hc.Get(site.URL + loc)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	assert.Regexp(t, `frame-src 'self' http://127\.0\.0\.1:\d+;`, csp)
	assert.Contains(t, string(body), "iframe=True")
	ord, _ = shop.orders.get(ord.ID)
	assert.True(t, strings.HasPrefix(ord.Ref, "odero:"))

	// Unknown products and providers are refused.
	resp, err = hc.PostForm(site.URL+"/orders", url.Values{"product": {"yacht"}, "provider": {"odero"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestForgedOderoCallbackDoesNotPayTheOrder(t *testing.T) {
	shop, site, hc := newShop(t)
	visit(t, hc, site.URL)
	id := order(t, hc, site.URL, "tea", "odero")
	resp, err := hc.Get(site.URL + "/pay/odero/" + id)
	require.NoError(t, err)
	resp.Body.Close()
	ord, _ := shop.orders.get(id)
	token := strings.TrimPrefix(ord.Ref, "odero:")
	// The browser claims the payment is done; the gateway says otherwise.
	resp, err = hc.PostForm(site.URL+"/odero/callback", url.Values{"token": {token}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	ord, _ = shop.orders.get(ord.ID)
	assert.Equal(t, StatusNew, ord.Status)
}
