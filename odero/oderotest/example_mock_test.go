package oderotest_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/jarcoal/httpmock"

	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// A whole hosted checkout in memory: the merchant's client, the fake gateway,
// the shopper's browser and the merchant's callback endpoint all meet on one
// httpmock transport, with no socket.
func ExampleStartMock() {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	defer httpmock.DeactivateNonDefault(hc)
	defer httpmock.Reset()

	gateway, err := oderotest.StartMock(httpmock.DefaultTransport) // at odero.SandboxTR
	if err != nil {
		fmt.Println(err)
		return
	}
	defer gateway.Close()
	cfg := gateway.Config()
	cfg.CallbackURL = "https://shop.example/odero/callback" // the shop's configured address
	client, err := odero.New(cfg, odero.WithHTTPClient(hc))
	if err != nil {
		fmt.Println(err)
		return
	}
	httpmock.RegisterResponder(http.MethodPost, "https://shop.example/odero/callback", oderotest.HandlerResponder(&odero.CallbackHandler{
		Client: client,
		Expect: func(context.Context, *odero.Callback) (odero.Expectation, error) {
			return odero.Expectation{ConversationID: "order-7", PaidPrice: odero.MustParseAmount("25.00"), Currency: odero.TRY}, nil
		},
		Report: func(_ context.Context, v *odero.Verdict) error {
			fmt.Println("callback verdict:", v.Outcome, v.Payment.PaidPrice)
			return nil
		},
	}))

	ctx := context.Background()
	co, err := client.InitCheckout(ctx, &odero.InitCheckoutRequest{
		ConversationID: "order-7", Price: odero.MustParseAmount("25.00"), PaidPrice: odero.MustParseAmount("25.00"),
		Currency: odero.TRY, Group: odero.PaymentGroupProduct,
		Items: []odero.Item{{Name: "Tea", Price: odero.MustParseAmount("25.00")}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := gateway.PayPage(ctx, co.PageURL, oderotest.TestCard); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("requests to the gateway:", len(gateway.Requests()))
	// Output:
	// callback verdict: paid 25.00
	// requests to the gateway: 4
}
