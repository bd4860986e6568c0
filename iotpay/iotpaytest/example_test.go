package iotpaytest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

// IOTPay's main flow with the client NewClient returns: the purchase, the
// shopper on the hosted card page, the browser's return, and the signed
// notification reaching the merchant's handler, which acknowledges it.
func ExampleServer_NewClient() {
	iot := iotpaytest.Start()
	defer iot.Close()
	mux := http.NewServeMux()
	shop := httptest.NewServer(mux)
	defer shop.Close()

	iot.CallbackURL = shop.URL + "/iotpay/notify" // the merchant's configured notifyUrl
	client, err := iot.NewClient()
	if err != nil {
		fmt.Println(err)
		return
	}
	reports := make(chan *iotpay.Order, 1)
	mux.Handle("POST /iotpay/notify", &iotpay.NotificationHandler{Client: client,
		Expect: func(_ context.Context, o *iotpay.Order) (iotpay.Expectation, error) {
			return iotpay.Expectation{MchOrderNo: "order-1", Amount: iotpay.MustParseAmount("25.00")}, nil // the shop's record
		},
		Report: func(_ context.Context, o *iotpay.Order) error { reports <- o; return nil }})

	ctx := context.Background()
	co, err := client.Purchase(ctx, &iotpay.PurchaseRequest{MchOrderNo: "order-1", Amount: iotpay.AmountFromMinor(2500),
		ReturnURL: shop.URL + "/iotpay/return"})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := iot.PayPage(ctx, co.RedirectURL, iotpaytest.TestCard)
	if err != nil {
		fmt.Println(err)
		return
	}
	ret, _ := iotpay.ParseReturn(&http.Request{URL: res.Return})
	fmt.Println("browser returns with", ret.RetCode, ret.Status.Outcome())
	o, _ := iot.OrderByMch("order-1")
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	d, err := iot.WaitNotified(wait, o.PayOrderID)
	if err != nil {
		fmt.Println(err)
		return
	}
	n := <-reports
	fmt.Println("notified:", n.MchOrderNo, n.Amount, n.Status.Outcome())
	fmt.Println("acknowledged:", d.Acknowledged, string(d.Body))
	// Output:
	// browser returns with SUCCESS paid
	// notified: order-1 25.00 paid
	// acknowledged: true SUCCESS
}
