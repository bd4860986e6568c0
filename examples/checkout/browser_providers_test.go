package main

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// buy opens the shop and starts a purchase of product through provider.
func buy(t *testing.T, ctx context.Context, site, product, provider string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(site+"/"),
		chromedp.Click(chromedp.CSS("#buy-"+product+"-"+provider)),
	))
}

func TestBrowserIOTPay(t *testing.T) {
	ctx, site := browser(t)
	pay := func(t *testing.T, number string) string {
		buy(t, ctx, site.URL, "kettle", "iotpay")
		require.NoError(t, chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS("#iotpay-widget-form")),
			chromedp.SendKeys(chromedp.CSS("#iotpay-holder"), "Test Shopper"),
			chromedp.SendKeys(chromedp.CSS("#iotpay-cardNum"), number),
			chromedp.SendKeys(chromedp.CSS("#iotpay-expiryDate"), "1230"),
			chromedp.SendKeys(chromedp.CSS("#iotpay-cvv"), "123"),
		))
		screenshot(t, ctx, "iotpay")
		require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#iotpay-widget-submit"))))
		return orderStatus(t, ctx)
	}
	t.Run("paid", func(t *testing.T) { require.Equal(t, string(StatusPaid), pay(t, "4242424242424242")) })
	t.Run("declined", func(t *testing.T) { require.Equal(t, string(StatusFailed), pay(t, "4000000000000002")) })
	t.Run("shopper leaves", func(t *testing.T) {
		buy(t, ctx, site.URL, "tea", "iotpay")
		require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#iotpay-widget-form")), chromedp.Click(chromedp.CSS("#cancel"))))
		require.Equal(t, string(StatusNew), orderStatus(t, ctx))
	})
}

func TestBrowserKTWidget(t *testing.T) {
	ctx, site := browser(t)
	pay := func(t *testing.T, card string) string {
		buy(t, ctx, site.URL, "kettle", "ktwidget")
		in := waitInFrame(t, ctx, "#iframe_widget", "#ktpay-card-form")
		screenshot(t, ctx, "ktwidget")
		require.NoError(t, chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.CSS(`input[name="card"]`), card, in),
			chromedp.SendKeys(chromedp.CSS(`input[name="expiry"]`), "12/30", in),
			chromedp.SendKeys(chromedp.CSS(`input[name="cvc"]`), "123", in),
			chromedp.Click(chromedp.CSS("#ktpay-pay"), in),
		))
		in = waitInFrame(t, ctx, "#iframe_widget", "#ktpay-continue")
		require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#ktpay-continue"), in)))
		return orderStatus(t, ctx)
	}
	t.Run("paid", func(t *testing.T) { require.Equal(t, string(StatusPaid), pay(t, "4111111111111111")) })
	t.Run("declined", func(t *testing.T) { require.Equal(t, string(StatusFailed), pay(t, "4000000000000002")) })
	t.Run("shopper closes the widget", func(t *testing.T) {
		buy(t, ctx, site.URL, "tea", "ktwidget")
		in := waitInFrame(t, ctx, "#iframe_widget", "#ktpay-close")
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS("#ktpay-close"), in),
			chromedp.WaitNotPresent(chromedp.CSS("#iframe_widget")),
		))
		msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#ktwidget-message")))
		require.NoError(t, err)
		require.Contains(t, msg, "closed")
		require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#cancel"))))
		require.Equal(t, string(StatusNew), orderStatus(t, ctx))
	})
}

func TestBrowserFinrota(t *testing.T) {
	ctx, site := browser(t)
	fill := func(t *testing.T, card string, threeD bool) {
		buy(t, ctx, site.URL, "kettle", "finrota")
		require.NoError(t, chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS("#finrota-widget-form")),
			chromedp.SendKeys(chromedp.CSS("#finrota-cardNumber"), card),
			chromedp.SendKeys(chromedp.CSS("#finrota-cardHolderName"), "Test Test"),
			chromedp.SendKeys(chromedp.CSS("#finrota-expiry"), "12/2030"),
			chromedp.SendKeys(chromedp.CSS("#finrota-cvv"), "000"),
		))
		if threeD {
			require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#finrota-use3D"))))
		}
		screenshot(t, ctx, "finrota")
		// The widget is ready (it has its installment options) before paying.
		require.NoError(t, chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("#finrota-message[data-ready]")), chromedp.Click(chromedp.CSS("#finrota-pay"))))
	}
	t.Run("direct sale", func(t *testing.T) {
		fill(t, "4155650100416111", false)
		require.Equal(t, string(StatusPaid), orderStatus(t, ctx))
	})
	t.Run("3-D Secure", func(t *testing.T) {
		fill(t, "4155650100416111", true)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS("#finrota-3ds-form")),
			chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), "123456"),
			chromedp.Click(chromedp.CSS("#finrota-3ds-submit")),
		))
		require.Equal(t, string(StatusPaid), orderStatus(t, ctx))
	})
	t.Run("declined", func(t *testing.T) {
		fill(t, "4000000000000002", false)
		require.Equal(t, string(StatusFailed), orderStatus(t, ctx))
	})
	t.Run("shopper closes the widget", func(t *testing.T) {
		buy(t, ctx, site.URL, "tea", "finrota")
		require.NoError(t, chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS("#finrota-close")),
			chromedp.Click(chromedp.CSS("#finrota-close")),
			chromedp.WaitNotPresent(chromedp.CSS("#finrota-widget-form")),
			chromedp.Click(chromedp.CSS("#cancel")),
		))
		require.Equal(t, string(StatusNew), orderStatus(t, ctx))
	})
}

func TestBrowserFlexiti(t *testing.T) {
	ctx, site := browser(t)
	start := func(t *testing.T, product string) chromedp.QueryOption {
		buy(t, ctx, site.URL, product, "flexiti")
		require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#flexiti-start")), chromedp.Click(chromedp.CSS("#flexiti-start"))))
		in := waitInFrame(t, ctx, "#flexiti-frame", "#flexiti-pin-form")
		screenshot(t, ctx, "flexiti")
		return in
	}
	t.Run("financed", func(t *testing.T) {
		in := start(t, "kettle")
		require.NoError(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#flexiti-pin"), "2222", in), chromedp.Click(chromedp.CSS("#flexiti-verify"), in)))
		require.Equal(t, string(StatusPaid), orderStatus(t, ctx))
	})
	t.Run("not verified", func(t *testing.T) {
		in := start(t, "kettle")
		require.NoError(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#flexiti-pin"), "0000", in), chromedp.Click(chromedp.CSS("#flexiti-verify"), in)))
		require.Equal(t, string(StatusFailed), orderStatus(t, ctx))
	})
	t.Run("shopper cancels", func(t *testing.T) {
		in := start(t, "tea")
		require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#flexiti-cancel"), in)))
		require.Equal(t, string(StatusNew), orderStatus(t, ctx))
	})
}
