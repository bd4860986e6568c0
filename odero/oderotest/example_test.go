package oderotest_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// OderoPay's main flow with the client NewClient returns: the checkout, the
// shopper on the hosted page, and the browser's callback reaching the
// merchant's handler, which verifies it with a signed query.
func ExampleServer_NewClient() {
	gateway := oderotest.Start()
	defer gateway.Close()
	handler := &odero.CallbackHandler{
		Expect: func(context.Context, *odero.Callback) (odero.Expectation, error) {
			return odero.Expectation{ConversationID: "order-1", PaidPrice: odero.MustParseAmount("25.00"), Currency: odero.TRY}, nil
		},
		Report: func(_ context.Context, v *odero.Verdict) error {
			fmt.Println("verdict:", v.Outcome, v.Payment.PaidPrice)
			return nil
		},
	}
	shop := httptest.NewServer(handler)
	defer shop.Close()

	gateway.CallbackURL = shop.URL + "/odero/callback" // the merchant's configured callbackUrl
	client, err := gateway.NewClient()
	if err != nil {
		fmt.Println(err)
		return
	}
	handler.Client = client

	ctx := context.Background()
	co, err := client.InitCheckout(ctx, &odero.InitCheckoutRequest{
		ConversationID: "order-1", Price: odero.MustParseAmount("25.00"), PaidPrice: odero.MustParseAmount("25.00"),
		Currency: odero.TRY, Group: odero.PaymentGroupProduct,
		Items: []odero.Item{{Name: "Tea", Price: odero.MustParseAmount("25.00")}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := gateway.PayPage(ctx, co.PageURL, oderotest.TestCard)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("payment:", res.Status, "callback answered:", res.Delivery.Status)
	// Output:
	// verdict: paid 25.00
	// payment: SUCCESS callback answered: 200
}
