package iotpay_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/conformance"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

// PurchaseOnce is one span with its send (Purchase) nested (a new number is
// sent without a look-up: IOTPay refuses a duplicate); a repeat looks up
// and sends nothing; a lost answer shows the send as outcome unknown inside
// a Once call that settles it by a look-up; Settle is one span too.
func TestPurchaseOnceTracedAsNestedSpans(t *testing.T) {
	srv := iotpaytest.NewServer(t)
	rec := &conformance.Recorder{}
	cfg := srv.Config()
	cfg.NotifyURL = "https://shop.example/iotpay/notify"
	c, err := iotpay.New(cfg, iotpay.WithBaseURL(srv.URL), iotpay.WithHTTPClient(srv.Client()), iotpay.WithTracer(rec),
		iotpay.WithRetry(iotpay.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}))
	require.NoError(t, err)
	req := &iotpay.PurchaseRequest{MchOrderNo: "ord-t1", Amount: iotpay.AmountFromMinor(1500), ReturnURL: "https://shop.example/return"}
	ctx := context.Background()

	_, err = c.PurchaseOnce(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"iotpay.PurchaseOnce",
		"iotpay.PurchaseOnce > iotpay.Purchase",
	}, rec.Tree())
	spans := rec.Spans()
	assert.Equal(t, "ord-t1", spans[0].Start.Reference)
	assert.Empty(t, spans[0].Ends[0].Class)
	assert.Equal(t, 0, spans[0].Ends[0].Attempts)

	rec.Reset()
	_, err = c.PurchaseOnce(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, []string{"iotpay.PurchaseOnce", "iotpay.PurchaseOnce > iotpay.Query"}, rec.Tree(), "a repeat sends nothing")

	rec.Reset()
	srv.Fail("POST", "/v3/cc_purchase", iotpaytest.Fault{Kind: iotpaytest.DropAfter})
	_, err = c.PurchaseOnce(ctx, &iotpay.PurchaseRequest{MchOrderNo: "ord-t2", Amount: iotpay.AmountFromMinor(1500), ReturnURL: "https://shop.example/return"})
	require.NoError(t, err, "the second look-up finds the order the lost answer created")
	assert.Equal(t, []string{
		"iotpay.PurchaseOnce",
		"iotpay.PurchaseOnce > iotpay.Purchase [outcome_unknown]",
		"iotpay.PurchaseOnce > iotpay.Query",
	}, rec.Tree())
	assert.Empty(t, rec.Spans()[0].Ends[0].Class)

	rec.Reset()
	_, err = c.Settle(ctx, &iotpay.SettleRequest{MchOrderNo: "ord-t1"})
	require.NoError(t, err)
	assert.Equal(t, []string{"iotpay.Settle", "iotpay.Settle > iotpay.Query"}, rec.Tree())
}
