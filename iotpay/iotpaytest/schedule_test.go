package iotpaytest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

// The n-th retry comes at least n intervals after the attempt before it,
// and the fake gives up after NotifyRetries attempts.
func TestNotifyIntervalStretchesTheRetrySchedule(t *testing.T) {
	const interval = 30 * time.Millisecond
	srv := iotpaytest.NewServer(t)
	srv.SetNotifyInterval(interval)
	var mu sync.Mutex
	var at []time.Time
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		at = append(at, time.Now())
		mu.Unlock()
		http.Error(w, "FAIL", http.StatusInternalServerError)
	}))
	defer shop.Close()
	srv.BindCard("c-1")
	cfg := srv.Config()
	cfg.NotifyURL = shop.URL
	c, err := iotpay.New(cfg, iotpay.WithBaseURL(srv.URL), iotpay.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	o, err := c.PurchaseWithToken(context.Background(), &iotpay.PurchaseWithTokenRequest{MchOrderNo: "o-1", CardID: "c-1", Amount: iotpay.AmountFromMinor(100)})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = srv.WaitNotified(ctx, o.PayOrderID) // returns when the notifier gives up
	require.ErrorContains(t, err, "gave up")
	assert.ErrorContains(t, err, "IOTPay wants 200", "why the last delivery was refused")
	ds := srv.Deliveries(o.PayOrderID)
	assert.Len(t, ds, iotpaytest.NotifyRetries)
	for _, d := range ds {
		assert.False(t, d.Acknowledged)
	}
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, at, iotpaytest.NotifyRetries)
	for i := 1; i < len(at); i++ {
		assert.GreaterOrEqual(t, at[i].Sub(at[i-1]), time.Duration(i)*interval, "retry %d", i)
	}
}
