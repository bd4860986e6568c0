package ktwidget_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

// Create a payment server-side and hand the widget to the page.
func Example_createPayment() {
	ktpay := ktwidgettest.Start()
	defer ktpay.Close()
	// In production: ktwidget.New(ktwidget.Config{AppID: …, PublicKey: …,
	// CallbackSecret: …, Environment: ktwidget.Production, CallbackBase: …}).
	// CallbackBase comes from the
	// shop's configuration, never from a request's Host header.
	cfg := ktpay.Config()
	cfg.CallbackBase = "https://shop.example/ktpay/notify"
	client, _ := ktwidget.New(cfg, ktwidget.WithBaseURL(ktpay.URL), ktwidget.WithHTTPClient(ktpay.Client()))

	// callback_post_url is derived from CallbackBase: this order's
	// notification goes to https://shop.example/ktpay/notify?o=order-1001&t=….
	p, err := client.CreatePayment(context.Background(), &ktwidget.Order{
		OrderID: "order-1001", Amount: ktwidget.MustParseAmount("2750.00"), Type: ktwidget.TypeEcom,
		Description:        "Copper kettle",
		CallbackSuccessURL: "https://shop.example/orders/1001",
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Record p.TransactionHash with the order, then render the widget.
	snippet, _ := client.Snippet(p.WidgetURL, "")
	u, _ := url.Parse(p.WidgetURL)
	fmt.Println(u.Path, u.Query().Get("show_close_button"), len(p.TransactionHash), len(snippet) > 0)
	// Output: /payment-card true 40 true
}

// The notification endpoint: token checked, body cross-checked, final
// statuses reported once, {"status":"ok"} answered.
func ExampleNotificationHandler() {
	ktpay := ktwidgettest.Start()
	defer ktpay.Close()
	client, _ := ktpay.NewClient()
	var orders myOrders // its Expect reads the merchant's database
	http.Handle("POST /ktpay/notify", &ktwidget.NotificationHandler{
		Client: client,
		Expect: orders.Expect,
		Report: func(_ context.Context, n *ktwidget.Notification) error {
			fmt.Println(n.OrderID, n.Status.Status)
			return nil
		},
	})
}

type myOrders struct{}

func (myOrders) Expect(context.Context, *ktwidget.Notification) (ktwidget.Expectation, error) {
	return ktwidget.Expectation{}, fmt.Errorf("look the order up in your database")
}
