package odero_test

import (
	"context"
	"fmt"

	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// RefundOnce keyed by the refund's own conversationId: a job that runs twice
// refunds once, and the repeat returns the same refund.
func ExampleClient_RefundOnce() {
	srv := oderotest.Start()
	defer srv.Close()
	cfg := srv.Config()
	cfg.CallbackURL = "https://shop.example/odero/callback"
	cfg.Claims = odero.NewMemoryStore(0, 0) // replicas share NewSQLStore
	client, _ := odero.New(cfg, odero.WithBaseURL(srv.URL), odero.WithHTTPClient(srv.Client()))
	ctx := context.Background()
	co, _ := client.InitCheckout(ctx, &odero.InitCheckoutRequest{ConversationID: "order-77",
		Price: odero.MustParseAmount("30"), PaidPrice: odero.MustParseAmount("30"), Currency: odero.TRY,
		Group: odero.PaymentGroupProduct, Items: []odero.Item{{Name: "Tea", Price: odero.MustParseAmount("30")}}})
	paymentID, _ := srv.Complete(co.Token, oderotest.Outcome{Status: odero.PaymentStatusSuccess})

	req := &odero.RefundRequest{PaymentID: paymentID, ConversationID: "order-77-refund"}
	first, err := client.RefundOnce(ctx, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	again, _ := client.RefundOnce(ctx, req)
	fmt.Println(first.Status, again.ID == first.ID, srv.Refunds())
	// Output: SUCCESS true 1
}

// RefundTransactionOnce refunds part of one item, once per conversationId.
func ExampleClient_RefundTransactionOnce() {
	srv := oderotest.Start()
	defer srv.Close()
	cfg := srv.Config()
	cfg.CallbackURL = "https://shop.example/odero/callback"
	client, _ := odero.New(cfg, odero.WithBaseURL(srv.URL), odero.WithHTTPClient(srv.Client()))
	ctx := context.Background()
	paymentID := paid(ctx, srv, client)
	p, _ := client.GetPayment(ctx, paymentID)

	req := &odero.RefundTransactionRequest{PaymentTransactionID: p.Transactions[0].ID,
		ConversationID: "order-78-tea", RefundPrice: odero.MustParseAmount("5.50")}
	for range 2 { // the job runs twice
		if _, err := client.RefundTransactionOnce(ctx, req); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println("item refunds:", srv.Refunds())
	// Output: item refunds: 1
}

// Settle after ErrOutcomeUnknown: what OderoPay knows of the refund's
// conversationId.
func ExampleClient_Settle() {
	srv := oderotest.Start()
	defer srv.Close()
	cfg := srv.Config()
	cfg.CallbackURL = "https://shop.example/odero/callback"
	client, _ := odero.New(cfg, odero.WithBaseURL(srv.URL), odero.WithHTTPClient(srv.Client()))
	ctx := context.Background()
	paymentID := paid(ctx, srv, client)
	req := &odero.SettleRequest{ConversationID: "order-79-refund", PaymentID: paymentID}
	before, _ := client.Settle(ctx, req)
	_, _ = client.RefundOnce(ctx, &odero.RefundRequest{PaymentID: paymentID, ConversationID: "order-79-refund"})
	after, err := client.Settle(ctx, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(before.State, "then", after.State, after.Record.Status())
	// Output: not found then done SUCCESS
}

// paid is a checkout the shopper paid (on the fake), by its payment id.
func paid(ctx context.Context, srv *oderotest.Server, client *odero.Client) int64 {
	co, _ := client.InitCheckout(ctx, &odero.InitCheckoutRequest{Price: odero.MustParseAmount("30"),
		PaidPrice: odero.MustParseAmount("30"), Currency: odero.TRY, Group: odero.PaymentGroupProduct,
		Items: []odero.Item{{Name: "Tea", Price: odero.MustParseAmount("30")}}})
	id, _ := srv.Complete(co.Token, oderotest.Outcome{Status: odero.PaymentStatusSuccess})
	return id
}
