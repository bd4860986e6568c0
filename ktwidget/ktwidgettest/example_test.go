package ktwidgettest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

// orderBook is the merchant's record of created payments.
type orderBook map[string]ktwidget.Expectation

func (b orderBook) Expect(_ context.Context, n *ktwidget.Notification) (ktwidget.Expectation, error) {
	orderID := n.OrderID
	r, ok := b[orderID]
	if !ok {
		return r, fmt.Errorf("unknown order %s", orderID)
	}
	return r, nil
}

// KTPay's main flow with the client NewClient returns: the sealed payment,
// the shopper paying in the widget, and the notification reaching the
// merchant's handler, which acknowledges it.
func ExampleServer_NewClient() {
	ktpay := ktwidgettest.Start()
	defer ktpay.Close()
	mux := http.NewServeMux()
	shop := httptest.NewServer(mux)
	defer shop.Close()

	ktpay.CallbackURL = shop.URL + "/ktpay/notify" // the merchant's configured address
	client, err := ktpay.NewClient()
	if err != nil {
		fmt.Println(err)
		return
	}
	book := orderBook{}
	reports := make(chan string, 1)
	mux.Handle("POST /ktpay/notify", &ktwidget.NotificationHandler{Client: client, Expect: book.Expect,
		Report: func(_ context.Context, n *ktwidget.Notification) error {
			reports <- n.OrderID + " " + n.Status.Status
			return nil
		}})

	ctx := context.Background()
	amount := ktwidget.MustParseAmount("2750.00")
	p, err := client.CreatePayment(ctx, &ktwidget.Order{OrderID: "order-1", Amount: amount, Type: ktwidget.TypeEcom}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	book["order-1"] = ktwidget.Expectation{TransactionHash: p.TransactionHash, Amount: amount}

	res, err := ktpay.PayWidget(ctx, p.WidgetURL, ktwidgettest.TestCard)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("widget:", res.Status)
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	d, err := ktpay.WaitNotified(wait, p.TransactionHash)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("notified:", <-reports)
	fmt.Println("acknowledged:", d.Acknowledged, string(d.Body))
	// Output:
	// widget: completed
	// notified: order-1 completed
	// acknowledged: true {"status":"ok"}
}
