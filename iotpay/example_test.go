package iotpay_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

// The embedded purchase: cc_purchase on the server, the widget in the page,
// the signed notification settles the order.
func Example_purchase() {
	gateway := iotpaytest.Start()
	defer gateway.Close()
	paid := make(chan *iotpay.Order, 1)
	handler := &iotpay.NotificationHandler{
		Expect: func(_ context.Context, o *iotpay.Order) (iotpay.Expectation, error) {
			// Your own record of the order: the handler refuses a
			// notification for another order or amount.
			return iotpay.Expectation{MchOrderNo: "order-1001", Amount: iotpay.MustParseAmount("19.99")}, nil
		},
		Report: func(_ context.Context, o *iotpay.Order) error {
			paid <- o // a verified order matching your record: fulfil it
			return nil
		}}
	notify := httptest.NewServer(handler)
	defer notify.Close()
	// In production: iotpay.New(iotpay.Config{MerchantID: …, Key: …,
	// LoginName: …, Environment: iotpay.Production, NotifyURL: …}); the notifyUrl comes from the shop's
	// configuration, never from a request's Host header.
	cfg := gateway.Config()
	cfg.NotifyURL = notify.URL
	client, _ := iotpay.New(cfg, iotpay.WithBaseURL(gateway.URL), iotpay.WithHTTPClient(gateway.Client()))
	handler.Client = client

	co, err := client.Purchase(context.Background(), &iotpay.PurchaseRequest{
		MchOrderNo: "order-1001", Amount: iotpay.MustParseAmount("19.99"), Subject: "Copper kettle",
		ReturnURL: "https://shop.example/orders/1001",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	snippet, _ := client.Embed(iotpay.Embed{SecureID: co.SecureID, Callback: "onIotpay"})
	fmt.Println(strings.Contains(string(snippet), "/cc/iotpaycc.js"))

	// The shopper pays in the widget (here: its card form, posted directly).
	form := url.Values{"key": {co.SecureID}, "cardNum": {"4242424242424242"}, "expiryDate": {"1230"}, "cvv": {"123"}, "holder": {"A Shopper"}}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, _ := noFollow.PostForm(gateway.URL+"/cc/pay", form)
	resp.Body.Close()

	o := <-paid
	fmt.Println(o.MchOrderNo, o.Amount, o.Status.Outcome())
	// Output:
	// true
	// order-1001 19.99 paid
}

// Signing follows IOTPay's documented rules; this is the specification's
// cc_query vector.
func ExampleSign() {
	fmt.Println(iotpay.Sign(iotpay.Params{"mchId": "10000701", "payOrderId": "PC20240101231256043886634219"},
		"0123456789ABCDEF0123456789ABCDEF"))
	// Output: E64091B56FF1FF143B5C976C07CB6D4C
}

// Pay with a saved card (cardId bound earlier through cc_addcard), then
// refund part of it.
func Example_savedCardAndRefund() {
	gateway := iotpaytest.Start()
	defer gateway.Close()
	gateway.BindCard("customer-7-visa") // the shopper added this card in the widget's 'Add' mode
	client, _ := gateway.NewClient()
	ctx := context.Background()

	o, err := client.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "order-2001", CardID: "customer-7-visa", Amount: iotpay.AmountFromMinor(4500)})
	if err != nil {
		fmt.Println(err) // on ErrOutcomeUnknown: Query by MchOrderNo before anything else
		return
	}
	fmt.Println(o.Status.Outcome(), o.Amount)

	r, err := client.Refund(ctx, &iotpay.RefundRequest{MchRefundNo: "refund-2001-1", PayOrderID: o.PayOrderID, RefundAmount: iotpay.AmountFromMinor(1500)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.PayType, r.Status.Outcome())

	after, _ := client.Query(ctx, &iotpay.QueryRequest{MchOrderNo: "order-2001"})
	fmt.Println(after.Refundable)
	// Output:
	// paid 45.00
	// refund paid
	// 30.00
}
