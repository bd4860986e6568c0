package finrota_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
)

// PayOnce may be repeated freely (a second tab, a re-run job, another
// replica sharing Config.Claims): Finrota receives one payment per
// clientReferenceCode, and a repeat reports the payment Finrota lists.
func ExampleClient_PayOnce() {
	gateway := finrotatest.Start()
	defer gateway.Close()
	cfg := gateway.Config()
	// Replicas share one store: finrota.NewSQLStore over the shop's database.
	cfg.Claims = finrota.NewMemoryStore(0, 0)
	client, _ := finrota.New(cfg, finrota.WithBaseURL(gateway.URL), finrota.WithHTTPClient(gateway.Client()))

	card := finrotatest.TestCard
	req := &finrota.PayRequest{
		Card: finrota.Card{Number: finrota.Secret(card.Number), HolderName: card.HolderName, CVV: finrota.Secret(card.CVC),
			ExpMonth: card.ExpMonth, ExpYear: card.ExpYear},
		Currency: finrota.TRY, Amount: finrota.MustParseAmount("27.50"), InstallmentToken: "inst-1",
		ReturnURL: "https://shop.example/finrota/return/order-2001", ClientReferenceCode: "order-2001", CustomerIP: "203.0.113.7",
	}
	for range 2 {
		out, err := client.PayOnce(context.Background(), req)
		var busy *finrota.InProgressError
		switch {
		case errors.As(err, &busy):
			fmt.Println("in progress: retry after", busy.RetryAfter)
		case errors.Is(err, finrota.ErrReferenceConflict):
			fmt.Println("order-2001 was used for another payment: new reference needed")
		case errors.Is(err, finrota.ErrOutcomeUnknown):
			fmt.Println("unknown: repeat the call later, it looks up before sending")
		case errors.Is(err, finrota.ErrPaymentFailed):
			fmt.Println("declined")
		case err != nil:
			fmt.Println(err)
		default:
			switch o := out.(type) {
			case *finrota.Redirect:
				fmt.Println("3-D Secure: send the shopper to the bank")
			case *finrota.DirectSale:
				if o.Record != nil {
					fmt.Println("repeat: paid", o.Record.LastAmount, o.Record.CurrencyType)
				} else {
					fmt.Println("paid")
				}
			}
		}
	}
	fmt.Println("payments sent:", gateway.Count("POST", "/b2c/payment"))
	// Output:
	// paid
	// repeat: paid 27.50 TRY
	// payments sent: 1
}

// Settle tells what Finrota knows of a clientReferenceCode: after
// ErrOutcomeUnknown, after a 3-D return, or to reconcile a batch.
func ExampleClient_Settle() {
	gateway := finrotatest.Start()
	defer gateway.Close()
	client, _ := gateway.NewClient()
	ctx := context.Background()
	tok := gateway.Prepare(finrota.MustParseAmount("66.50"), finrotatest.ThreeDSCard)
	_, _ = client.CompletePaymentOnce(ctx, &finrota.CompleteRequest{Amount: finrota.MustParseAmount("66.50"), PrepareToken: tok,
		ReturnURL: "https://shop.example/finrota/return/order-3001", ClientReferenceCode: "order-3001", CustomerIP: "203.0.113.7"})

	for _, ref := range []string{"order-3001", "order-3002"} {
		s, err := client.Settle(ctx, &finrota.SettleRequest{ClientReferenceCode: ref})
		if err != nil {
			fmt.Println(err)
			continue
		}
		switch s.State {
		case finrota.SettleDone:
			fmt.Println(ref, "done:", s.Record.Status, s.Record.LastAmount)
		case finrota.SettlePending:
			fmt.Println(ref, "pending: the shopper is at the bank; ask again later")
		case finrota.SettleNotFound:
			fmt.Println(ref, "not found: safe to send")
		}
	}
	// Output:
	// order-3001 pending: the shopper is at the bank; ask again later
	// order-3002 not found: safe to send
}
