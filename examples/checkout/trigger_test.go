package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/examples/internal/fakeserver"
)

// TestTriggerSettlesAnOrderAtTheShop runs the fakes command as a person
// would, points the shop's IOTPay at it (as with a real sandbox: base URL
// and credentials from the environment), starts a purchase as a shopper,
// and fires IOTPay's paid notification at the shop with the trigger: the
// shop acknowledges it and the order is paid. A repeat of the trigger, two
// at once, is acknowledged and changes nothing.
func TestTriggerSettlesAnOrderAtTheShop(t *testing.T) {
	ctx, interrupt := context.WithCancel(context.Background())
	var out, errs bytes.Buffer
	listing := &lockedBuffer{}
	done := make(chan int, 1)
	go func() { done <- fakeserver.Run(ctx, []string{"-json"}, listing, &lockedBuffer{}) }()
	t.Cleanup(func() {
		interrupt()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("the fakes command did not stop")
		}
	})
	var l fakeserver.Listing
	require.Eventually(t, func() bool { return json.Unmarshal([]byte(listing.String()), &l) == nil }, 10*time.Second, 10*time.Millisecond)
	var gw fakeserver.Provider
	for _, p := range l.Providers {
		if p.Name == "iotpay" {
			gw = p
		}
	}
	require.NotEmpty(t, gw.BaseURL)

	env := map[string]string{"IOTPAY_BASE_URL": gw.BaseURL, "IOTPAY_MCH_ID": gw.Credentials["MerchantID"],
		"IOTPAY_KEY": gw.Credentials["Key"], "IOTPAY_LOGIN_NAME": gw.Credentials["LoginName"]}
	site := httptest.NewUnstartedServer(nil)
	shop, closeAll, err := build(func(k string) string { return env[k] }, nil, "http://"+site.Listener.Addr().String())
	require.NoError(t, err)
	t.Cleanup(closeAll)
	site.Config.Handler = shop.handler()
	site.Start()
	t.Cleanup(site.Close)

	hc := shopper()
	visit(t, hc, site.URL)
	id := order(t, hc, site.URL, "kettle", "iotpay")
	resp, _ := getWith(t, hc, site.URL+"/pay/iotpay/"+id, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	// The purchase reached the command's fake: its mchOrderNo is the order
	// the trigger names.
	req, err := http.Get(l.Admin + "/iotpay/requests")
	require.NoError(t, err)
	var listed struct {
		Requests []struct {
			Path string `json:"path"`
			Body string `json:"body"`
		} `json:"requests"`
	}
	require.NoError(t, json.NewDecoder(req.Body).Decode(&listed))
	req.Body.Close()
	var mchOrderNo string
	for _, r := range listed.Requests {
		if r.Path == "/v3/cc_purchase" {
			var b struct {
				MchOrderNo string `json:"mchOrderNo"`
			}
			require.NoError(t, json.Unmarshal([]byte(r.Body), &b))
			mchOrderNo = b.MchOrderNo
		}
	}
	require.NotEmpty(t, mchOrderNo, "no cc_purchase at the fakes command")
	ord, _ := shop.orders.get(id)
	require.NotEqual(t, StatusPaid, ord.Status)

	code := fakeserver.Run(context.Background(), []string{"trigger", "-admin", l.Admin, "-provider", "iotpay",
		"-order", mchOrderNo, "-outcome", "paid"}, &out, &errs)
	require.Equal(t, 0, code, "%s %s", out.String(), errs.String())
	assert.Contains(t, out.String(), `answered 200 "SUCCESS"`)
	assert.Contains(t, out.String(), "sent     POST "+site.URL+"/iotpay/notify")
	ord, _ = shop.orders.get(id)
	assert.Equal(t, StatusPaid, ord.Status, "the notification settled the order")

	out.Reset()
	code = fakeserver.Run(context.Background(), []string{"trigger", "-admin", l.Admin, "-provider", "iotpay",
		"-order", mchOrderNo, "-times", "2", "-concurrent"}, &out, &errs)
	require.Equal(t, 0, code, "%s %s", out.String(), errs.String())
	assert.Equal(t, 2, strings.Count(out.String(), "acknowledged as iotpay expects"))
	ord, _ = shop.orders.get(id)
	assert.Equal(t, StatusPaid, ord.Status)
}

// lockedBuffer is a command's output, read while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
