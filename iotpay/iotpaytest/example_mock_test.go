package iotpaytest_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

// A whole card payment in memory: purchase, the shopper on IOTPay's card page,
// the signed notification to the merchant's notifyUrl, all on one httpmock
// transport, with no socket.
func ExampleStartMock() {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	defer httpmock.DeactivateNonDefault(hc)
	defer httpmock.Reset()

	iot, err := iotpaytest.StartMock(httpmock.DefaultTransport) // at iotpay.Sandbox
	if err != nil {
		fmt.Println(err)
		return
	}
	defer iot.Close()
	cfg := iot.Config()
	cfg.NotifyURL = "https://shop.example/iotpay/notify" // the shop's configured address
	client, err := iotpay.New(cfg, iotpay.WithHTTPClient(hc))
	if err != nil {
		fmt.Println(err)
		return
	}
	notified := make(chan *iotpay.Order, 1)
	httpmock.RegisterResponder(http.MethodPost, "https://shop.example/iotpay/notify", iotpaytest.HandlerResponder(&iotpay.NotificationHandler{
		Client: client,
		Expect: func(_ context.Context, o *iotpay.Order) (iotpay.Expectation, error) {
			return iotpay.Expectation{MchOrderNo: "order-7", Amount: iotpay.MustParseAmount("25.00")}, nil // the shop's record
		},
		Report: func(_ context.Context, o *iotpay.Order) error { notified <- o; return nil },
	}))

	ctx := context.Background()
	co, err := client.Purchase(ctx, &iotpay.PurchaseRequest{MchOrderNo: "order-7", Amount: iotpay.AmountFromMinor(2500),
		ReturnURL: "https://shop.example/iotpay/return"})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := iot.PayPage(ctx, co.RedirectURL, iotpaytest.TestCard)
	if err != nil {
		fmt.Println(err)
		return
	}
	back := res.Return
	ret, _ := iotpay.ParseReturn(&http.Request{URL: back})
	fmt.Println("browser returns to", back.Path, "with", ret.RetCode, ret.Status.Outcome())
	select {
	case o := <-notified:
		fmt.Println("notified:", o.MchOrderNo, o.Amount, o.Status.Outcome())
	case <-time.After(5 * time.Second):
		fmt.Println("no notification")
	}
	// Output:
	// browser returns to /iotpay/return with SUCCESS paid
	// notified: order-7 25.00 paid
}
