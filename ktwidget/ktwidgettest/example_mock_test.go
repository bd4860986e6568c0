package ktwidgettest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

// A whole KTPay payment in memory: the sealed order, the shopper on the
// widget's card page, and the notification to the merchant's handler, all on
// one httpmock transport, with no socket.
func ExampleStartMock() {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	defer httpmock.DeactivateNonDefault(hc)
	defer httpmock.Reset()

	ktpay, err := ktwidgettest.StartMock(httpmock.DefaultTransport) // at ktwidget.Test
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ktpay.Close()
	cfg := ktpay.Config()
	cfg.CallbackBase = "https://shop.example/ktpay/notify" // the shop's configured address
	client, err := ktwidget.New(cfg, ktwidget.WithHTTPClient(hc))
	if err != nil {
		fmt.Println(err)
		return
	}
	orders := recordedOrders{} // the merchant's own order table
	notified := make(chan string, 1)
	httpmock.RegisterResponder(http.MethodPost, "https://shop.example/ktpay/notify", ktwidgettest.HandlerResponder(&ktwidget.NotificationHandler{
		Client: client, Expect: orders.Expect,
		Report: func(_ context.Context, n *ktwidget.Notification) error {
			notified <- n.OrderID + " " + n.Status.Status
			return nil
		},
	}))

	amount := ktwidget.MustParseAmount("2750.00")
	p, err := client.CreatePayment(context.Background(), &ktwidget.Order{OrderID: "order-7", Amount: amount,
		Type: ktwidget.TypeEcom, CallbackSuccessURL: "https://shop.example/orders/7"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	orders["order-7"] = ktwidget.Expectation{TransactionHash: p.TransactionHash, Amount: amount}

	receipt, err := ktpay.PayWidget(context.Background(), p.WidgetURL, ktwidgettest.TestCard)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("receipt:", receipt.Status, "then", receipt.Next)
	select {
	case n := <-notified:
		fmt.Println("notified:", n)
	case <-time.After(5 * time.Second):
		fmt.Println("no notification")
	}
	// Output:
	// receipt: completed then https://shop.example/orders/7
	// notified: order-7 completed
}

// recordedOrders is a merchant's order table, read by the NotificationHandler's Expect.
type recordedOrders map[string]ktwidget.Expectation

func (o recordedOrders) Expect(_ context.Context, n *ktwidget.Notification) (ktwidget.Expectation, error) {
	orderID := n.OrderID
	r, ok := o[orderID]
	if !ok {
		return r, errors.New("unknown order")
	}
	return r, nil
}
