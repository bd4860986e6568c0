package main

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// The browser suite drives the shop in headless Chromium. Without a browser
// it skips loudly; with PAYWIDGET_REQUIRE_BROWSER set (as .ci/run does) a
// missing browser fails the run instead.
func browser(t *testing.T) (context.Context, *httptest.Server) {
	t.Helper()
	exe := ""
	for _, name := range []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		msg := "NO BROWSER: install Debian's chromium package to run the checkout browser suite"
		if os.Getenv("PAYWIDGET_REQUIRE_BROWSER") != "" {
			t.Fatal(msg)
		}
		t.Skip("!!! " + msg + " !!!")
	}
	_, site := startShop(t)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	_, err := chromedp.Run(ctx, chromedp.Title())
	require.NoError(t, err, "start chromium")
	return ctx, site
}

// screenshot saves the current page under artifacts/checkout (git-ignored).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	dir := filepath.Join("..", "..", "artifacts", "checkout")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// frame returns the iframe node matching sel, for queries inside it.
func frame(t *testing.T, ctx context.Context, sel string) *chromedp.Node {
	t.Helper()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(sel)))
	require.NoError(t, err)
	require.NotEmpty(t, nodes)
	return nodes[0]
}

// waitInFrame waits until sel is visible inside the iframe frameSel, looking
// the iframe up afresh each time because its document changes as it
// navigates, and returns the iframe to query in.
func waitInFrame(t *testing.T, ctx context.Context, frameSel, sel string) chromedp.QueryOption {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		f := frame(t, ctx, frameSel)
		in := chromedp.FromNode(f)
		short, cancel := context.WithTimeout(ctx, time.Second)
		err := chromedp.Do(short, chromedp.WaitVisible(chromedp.CSS(sel), in))
		cancel()
		if err == nil {
			return in
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared in %s: %v", sel, frameSel, err)
		}
	}
}

// orderStatus waits for the order page and returns the verified status.
func orderStatus(t *testing.T, ctx context.Context) string {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#order-status"))))
	url, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#order-status")))
	require.NoError(t, err)
	require.Contains(t, url, "/orders/")
	return strings.TrimSpace(status)
}

func TestBrowserOdero(t *testing.T) {
	pay := func(t *testing.T, ctx context.Context, site, number, code string) string {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(site+"/"),
			chromedp.Click(chromedp.CSS("#buy-kettle-odero")),
			chromedp.WaitVisible(chromedp.CSS("#odero-frame")),
		))
		in := waitInFrame(t, ctx, "#odero-frame", "#odero-card-form")
		require.NoError(t, chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.CSS(`input[name="cardHolderName"]`), "Test Shopper", in),
			chromedp.SendKeys(chromedp.CSS(`input[name="cardNumber"]`), number, in),
			chromedp.SendKeys(chromedp.CSS(`input[name="expireMonth"]`), "12", in),
			chromedp.SendKeys(chromedp.CSS(`input[name="expireYear"]`), "2030", in),
			chromedp.SendKeys(chromedp.CSS(`input[name="cvc"]`), "123", in),
		))
		screenshot(t, ctx, "odero")
		require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#odero-pay"), in)))
		if code != "" {
			in := waitInFrame(t, ctx, "#odero-frame", "#odero-3ds-form")
			require.NoError(t, chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), code, in),
				chromedp.Click(chromedp.CSS("#odero-3ds-submit"), in),
			))
		}
		return orderStatus(t, ctx)
	}
	ctx, site := browser(t)
	t.Run("paid", func(t *testing.T) {
		require.Equal(t, string(StatusPaid), pay(t, ctx, site.URL, "4111111111111111", ""))
	})
	t.Run("3-D Secure", func(t *testing.T) {
		require.Equal(t, string(StatusPaid), pay(t, ctx, site.URL, "4000000000003220", "123456"))
	})
	t.Run("declined", func(t *testing.T) {
		require.Equal(t, string(StatusFailed), pay(t, ctx, site.URL, "4000000000000002", ""))
	})
	t.Run("shopper leaves", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(site.URL+"/"),
			chromedp.Click(chromedp.CSS("#buy-tea-odero")),
			chromedp.WaitVisible(chromedp.CSS("#odero-frame")),
			chromedp.Click(chromedp.CSS("#cancel")),
		))
		require.Equal(t, string(StatusNew), orderStatus(t, ctx))
	})
}
