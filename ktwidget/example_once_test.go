package ktwidget_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

// CreatePaymentOnce on a job queue that may run the job twice: KTPay gets
// one create per order_id; a repeat before the notification answers
// ErrAwaitingNotification, and after it the verdict the NotificationHandler
// recorded.
func ExampleClient_CreatePaymentOnce() {
	ktpay := ktwidgettest.Start()
	defer ktpay.Close()
	store := ktwidget.NewMemoryStore(0, 0) // replicas share NewSQLStore
	orders := &recorded{m: map[string]ktwidget.Expectation{}}
	reported := make(chan struct{}, 1)
	handler := &ktwidget.NotificationHandler{Expect: orders.Expect, Store: store,
		Report: func(context.Context, *ktwidget.Notification) error { reported <- struct{}{}; return nil }}
	shop := httptest.NewServer(handler)
	defer shop.Close()

	cfg := ktpay.Config()
	cfg.CallbackBase = shop.URL + "/ktpay/notify"
	cfg.Claims = store
	client, _ := ktwidget.New(cfg, ktwidget.WithBaseURL(ktpay.URL), ktwidget.WithHTTPClient(ktpay.Client()))
	handler.Client = client

	ctx := context.Background()
	order := &ktwidget.Order{OrderID: "order-2001", Amount: ktwidget.MustParseAmount("990.00"), Type: ktwidget.TypeEcom}
	p, err := client.CreatePaymentOnce(ctx, order, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	orders.mu.Lock()
	orders.m[order.OrderID] = ktwidget.Expectation{TransactionHash: p.TransactionHash, Amount: order.Amount}
	orders.mu.Unlock()

	_, err = client.CreatePaymentOnce(ctx, order, nil) // the job runs again
	fmt.Println("repeat before the notification:", errors.Is(err, ktwidget.ErrAwaitingNotification))

	_, _ = ktpay.PayWidget(ctx, p.WidgetURL, ktwidgettest.TestCard)
	<-reported
	// Acknowledged once the verdict is recorded.
	if _, err := ktpay.WaitNotified(ctx, p.TransactionHash); err != nil {
		fmt.Println(err)
		return
	}
	again, err := client.CreatePaymentOnce(ctx, order, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("repeat after it:", again.Status, again.TransactionHash == p.TransactionHash)
	fmt.Println("creates sent:", ktpay.Count("POST", "/api/v1/merchant-widget/payment"))
	// Output:
	// repeat before the notification: true
	// repeat after it: completed true
	// creates sent: 1
}

// Settle after ErrOutcomeUnknown or a crash: KTPay has no status query, so
// Settle reads the verdict the NotificationHandler recorded, and says
// SettleUnknowable until there is one.
func ExampleClient_Settle() {
	ktpay := ktwidgettest.Start()
	defer ktpay.Close()
	client, _ := ktpay.NewClient()
	s, err := client.Settle(context.Background(), &ktwidget.SettleRequest{OrderID: "order-2002"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.State)
	// Output:
	// unknowable
}
