package iotpay_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

// PurchaseOnce may be repeated freely (a second tab, a re-run job, another
// replica sharing Config.Claims): IOTPay starts one purchase per MchOrderNo,
// and a repeat reports the order IOTPay holds.
func ExampleClient_PurchaseOnce() {
	gateway := iotpaytest.Start()
	defer gateway.Close()
	cfg := gateway.Config()
	cfg.NotifyURL = "https://shop.example/iotpay/notify"
	// Replicas share one store: iotpay.NewSQLStore over the shop's database.
	cfg.Claims = iotpay.NewMemoryStore(0, 0)
	client, _ := iotpay.New(cfg, iotpay.WithBaseURL(gateway.URL), iotpay.WithHTTPClient(gateway.Client()))

	req := &iotpay.PurchaseRequest{MchOrderNo: "order-2001", Amount: iotpay.AmountFromMinor(1999), ReturnURL: "https://shop.example/orders/2001"}
	for range 2 {
		co, err := client.PurchaseOnce(context.Background(), req)
		var busy *iotpay.InProgressError
		switch {
		case errors.As(err, &busy):
			fmt.Println("in progress: retry after", busy.RetryAfter)
		case errors.Is(err, iotpay.ErrReferenceConflict):
			fmt.Println("order-2001 was used for another amount: new order number needed")
		case errors.Is(err, iotpay.ErrOutcomeUnknown):
			fmt.Println("unknown: repeat the call later, it queries before sending")
		case err != nil:
			fmt.Println(err)
		case co.Order != nil:
			fmt.Println("repeat: order", co.Order.MchOrderNo, co.Order.Status.Outcome())
		default:
			fmt.Println("started: secureId of", len(co.SecureID), "characters")
		}
	}
	fmt.Println("purchases sent:", gateway.Count("POST", "/v3/cc_purchase"))
	// Output:
	// started: secureId of 64 characters
	// repeat: order order-2001 pending
	// purchases sent: 1
}

// Settle tells what IOTPay knows of a merchant number: after
// ErrOutcomeUnknown, or to reconcile a batch.
func ExampleClient_Settle() {
	gateway := iotpaytest.Start()
	defer gateway.Close()
	gateway.BindCard("card-7")
	client, _ := gateway.NewClient()
	ctx := context.Background()
	_, _ = client.PurchaseWithTokenOnce(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "order-3001", CardID: "card-7", Amount: iotpay.AmountFromMinor(500)})

	for _, no := range []string{"order-3001", "order-3002"} {
		s, err := client.Settle(ctx, &iotpay.SettleRequest{MchOrderNo: no})
		if err != nil {
			fmt.Println(err)
			continue
		}
		switch s.State {
		case iotpay.SettleDone:
			fmt.Println(no, "done:", s.Record.Status.Outcome(), s.Record.Amount)
		case iotpay.SettlePending:
			fmt.Println(no, "pending: ask again later")
		case iotpay.SettleNotFound:
			fmt.Println(no, "not found: safe to send")
		}
	}
	// Output:
	// order-3001 done: paid 5.00
	// order-3002 not found: safe to send
}
