package ktwidget_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"

	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

// recorded is the merchant's order table: what CreatePayment returned.
type recorded struct {
	mu sync.Mutex
	m  map[string]ktwidget.Expectation
}

func (r *recorded) Expect(_ context.Context, n *ktwidget.Notification) (ktwidget.Expectation, error) {
	orderID := n.OrderID
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.m[orderID]
	if !ok {
		return rec, errors.New("unknown order")
	}
	return rec, nil
}

// The whole flow of the package comment: the callback URL with its token,
// the payment created server-side, the shopper paying in the widget, and
// the notification checked and reported once, even when KTPay delivers it
// again.
func Example_flow() {
	ktpay := ktwidgettest.Start()
	defer ktpay.Close()

	orders := &recorded{m: map[string]ktwidget.Expectation{}}
	reports := make(chan *ktwidget.Notification, 2)
	handler := &ktwidget.NotificationHandler{Expect: orders.Expect,
		Report: func(_ context.Context, n *ktwidget.Notification) error { reports <- n; return nil }}
	shop := httptest.NewServer(handler)
	defer shop.Close()

	// In production: ktwidget.New(ktwidget.Config{…, Environment:
	// ktwidget.Production, CallbackBase: …}); the callback base is the
	// shop's configured address, never a request's Host header.
	cfg := ktpay.Config()
	cfg.CallbackBase = shop.URL + "/ktpay/notify"
	client, _ := ktwidget.New(cfg, ktwidget.WithBaseURL(ktpay.URL), ktwidget.WithHTTPClient(ktpay.Client()))
	handler.Client = client

	ctx := context.Background()
	amount := ktwidget.MustParseAmount("2750.00")
	p, err := client.CreatePayment(ctx, &ktwidget.Order{OrderID: "order-1001", Amount: amount,
		Type: ktwidget.TypeEcom}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	orders.mu.Lock()
	orders.m["order-1001"] = ktwidget.Expectation{TransactionHash: p.TransactionHash, Amount: amount}
	orders.mu.Unlock()

	// The page shows client.Snippet(p.WidgetURL, nonce); the shopper pays.
	receipt, err := ktpay.PayWidget(ctx, p.WidgetURL, ktwidgettest.TestCard)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("widget:", receipt.Status)
	n := <-reports
	fmt.Println("reported:", n.OrderID, n.Status.Status, n.Amount)

	again, _ := ktpay.Redeliver(ctx, p.TransactionHash)
	fmt.Println("redelivery acknowledged:", again.Acknowledged, "reported again:", len(reports) > 0)
	// Output:
	// widget: completed
	// reported: order-1001 completed 2750
	// redelivery acknowledged: true reported again: false
}
