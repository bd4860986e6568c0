package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// get fetches path from the shop and returns the response and its body.
func get(t *testing.T, hc *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := hc.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

var assetRef = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)

// The shop's look comes from its own origin only: a stylesheet and pictures
// under /static/, allowed by every page's policy through 'self', no inline
// style in the shop's own markup, nothing loaded from anywhere else.
func TestShopStylesComeFromItsOwnOrigin(t *testing.T) {
	_, site, hc := newShop(t)
	resp, page := get(t, hc, site.URL+"/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	csp := resp.Header.Get("Content-Security-Policy")
	assert.Regexp(t, `(^|; )style-src 'self'`, csp)
	assert.Regexp(t, `(^|; )img-src 'self'`, csp)
	assert.Contains(t, page, `<link rel="stylesheet" href="/static/shop.css">`)
	assert.NotContains(t, page, "<style", "no inline stylesheet")
	assert.NotRegexp(t, `\sstyle=`, page, "no inline style attributes")
	assert.NotRegexp(t, `(?:href|src)="(?:https?:)?//`, page, "no external assets")

	refs := assetRef.FindAllStringSubmatch(page, -1)
	require.GreaterOrEqual(t, len(refs), 3, "the stylesheet and a picture per product")
	types := map[string]string{".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
	for _, ref := range refs {
		resp, body := get(t, hc, site.URL+ref[1])
		require.Equal(t, http.StatusOK, resp.StatusCode, ref[1])
		assert.Equal(t, types[ref[1][strings.LastIndex(ref[1], "."):]], resp.Header.Get("Content-Type"), ref[1])
		assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), ref[1])
		assert.Equal(t, "default-src 'none'; style-src 'unsafe-inline'", resp.Header.Get("Content-Security-Policy"), ref[1])
		assert.NotRegexp(t, `(?i)@import|url\(\s*['"]?(?:https?:)?//|<script|\shref=`, body, "%s loads nothing else", ref[1])
	}

	for _, path := range []string{"/static/", "/static/nope.css", "/static/static.go", "/static/shop.css/"} {
		resp, _ := get(t, hc, site.URL+path)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
}

// Every checkout page wears the shop's header, the order summary with the
// server's amount, and the footer.
func TestCheckoutPagesShowTheOrderSummary(t *testing.T) {
	shop, site, hc := newShop(t)
	visit(t, hc, site.URL)
	for _, in := range shop.integrations {
		id := order(t, hc, site.URL, "tea", in.id()) // the shopper's own order
		resp, page := get(t, hc, site.URL+"/pay/"+in.id()+"/"+id)
		require.Equal(t, http.StatusOK, resp.StatusCode, in.id())
		assert.Contains(t, page, `<link rel="stylesheet" href="/static/shop.css">`, in.id())
		assert.Contains(t, page, `<header class="site-header">`, in.id())
		assert.Contains(t, page, `<aside class="summary" aria-label="Your order">`, in.id())
		assert.Contains(t, page, `<dd class="total">29.90 `+in.currency()+`</dd>`, in.id())
		assert.Contains(t, page, `<footer class="site-footer">`, in.id())
		assert.True(t, strings.HasSuffix(strings.TrimSpace(page), "</footer></body></html>"), in.id())
		assert.NotContains(t, page, "<style", in.id())
	}
}
