package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newShop(t *testing.T) (*app, *httptest.Server, *http.Client) {
	shop, closeAll, err := build(func(string) string { return "" }, nil)
	require.NoError(t, err)
	t.Cleanup(closeAll)
	site := httptest.NewServer(shop.handler())
	t.Cleanup(site.Close)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return shop, site, hc
}

func csrfToken(t *testing.T, hc *http.Client, site string) string {
	resp, err := hc.Get(site + "/")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(b))
	require.NotNil(t, m)
	return m[1]
}

func TestOrderNeedsCSRFToken(t *testing.T) {
	shop, site, hc := newShop(t)
	tok := csrfToken(t, hc, site.URL)
	for name, form := range map[string]url.Values{
		"no token":    {"product": {"kettle"}, "provider": {"odero"}},
		"wrong token": {"product": {"kettle"}, "provider": {"odero"}, "csrf": {tok + "x"}},
	} {
		resp, err := hc.PostForm(site.URL+"/orders", form)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, name)
	}
	// Another shopper's token does not work with this session.
	other := &http.Client{}
	resp, err := other.PostForm(site.URL+"/orders", url.Values{"product": {"kettle"}, "provider": {"odero"}, "csrf": {tok}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Empty(t, shop.orders.byID)
}

func TestOrderAmountComesFromTheCatalogue(t *testing.T) {
	shop, site, hc := newShop(t)
	tok := csrfToken(t, hc, site.URL)
	resp, err := hc.PostForm(site.URL+"/orders", url.Values{"product": {"kettle"}, "provider": {"odero"}, "csrf": {tok}, "amount": {"0.01"}})
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
	resp, err = hc.PostForm(site.URL+"/orders", url.Values{"product": {"yacht"}, "provider": {"odero"}, "csrf": {tok}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestForgedOderoCallbackDoesNotPayTheOrder(t *testing.T) {
	shop, site, hc := newShop(t)
	tok := csrfToken(t, hc, site.URL)
	resp, err := hc.PostForm(site.URL+"/orders", url.Values{"product": {"tea"}, "provider": {"odero"}, "csrf": {tok}})
	require.NoError(t, err)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	resp, err = hc.Get(site.URL + loc)
	require.NoError(t, err)
	resp.Body.Close()
	ord, _ := shop.orders.get(strings.TrimPrefix(loc, "/pay/odero/"))
	token := strings.TrimPrefix(ord.Ref, "odero:")
	// The browser claims the payment is done; the gateway says otherwise.
	resp, err = hc.PostForm(site.URL+"/odero/callback", url.Values{"token": {token}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	ord, _ = shop.orders.get(ord.ID)
	assert.Equal(t, StatusNew, ord.Status)
}
