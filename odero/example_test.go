package odero_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// The whole hosted-checkout flow against the fake gateway: initialise, send
// the shopper to the page, verify the callback with a signed query.
func Example_checkout() {
	gateway := oderotest.Start() // in production: odero.Config{Environment: odero.ProductionTR, ...}
	defer gateway.Close()
	// The merchant's callback endpoint: look the order up, record the verdict.
	orders := map[string]odero.Expectation{}
	handler := &odero.CallbackHandler{
		Expect: func(_ context.Context, cb *odero.Callback) (odero.Expectation, error) {
			e, ok := orders[cb.Token]
			if !ok {
				return e, errors.New("unknown order")
			}
			return e, nil
		},
		Report: func(_ context.Context, v *odero.Verdict) error {
			fmt.Println("verdict:", v.Outcome, v.Payment.PaidPrice, v.Payment.Currency)
			return nil
		},
	}
	site := httptest.NewServer(handler)
	defer site.Close()

	// The callbackUrl is configuration (in production the shop's public
	// address), never built from a request's Host header.
	cfg := gateway.Config()
	cfg.CallbackURL = site.URL
	client, err := odero.New(cfg, odero.WithBaseURL(gateway.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	handler.Client = client

	ctx := context.Background()
	co, err := client.InitCheckout(ctx, &odero.InitCheckoutRequest{
		ConversationID: "order-1001",
		Price:          odero.MustParseAmount("149.90"),
		PaidPrice:      odero.MustParseAmount("149.90"),
		Currency:       odero.TRY,
		Group:          odero.PaymentGroupProduct,
		Items:          []odero.Item{{Name: "Kettle", Price: odero.MustParseAmount("149.90")}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	orders[co.Token] = odero.Expectation{ConversationID: "order-1001", PaidPrice: odero.MustParseAmount("149.90"), Currency: odero.TRY}
	iframe, _ := co.IframeURL()
	fmt.Println("page opens in an iframe:", iframe == co.PageURL+"?iframe=True")

	// The shopper pays on the hosted page; their browser posts the callback.
	if _, err := gateway.PayPage(ctx, co.PageURL, oderotest.TestCard); err != nil {
		fmt.Println(err)
		return
	}
	// Output:
	// page opens in an iframe: true
	// verdict: paid 149.90 TRY
}

// A money call that may have reached the gateway is never repeated blindly.
func ExampleClient_InitCheckout_outcomeUnknown() {
	gateway := oderotest.Start()
	defer gateway.Close()
	cfg := gateway.Config()
	cfg.CallbackURL = "https://shop.example/cb" // from configuration, never from a request
	client, _ := odero.New(cfg, odero.WithBaseURL(gateway.URL))
	gateway.Fail("POST", "/payment/v1/checkout-payments/init", oderotest.Fault{Kind: oderotest.DropAfter})

	_, err := client.InitCheckout(context.Background(), &odero.InitCheckoutRequest{
		Price: odero.MustParseAmount("10"), PaidPrice: odero.MustParseAmount("10"),
		Currency: odero.TRY, Group: odero.PaymentGroupProduct,
		Items: []odero.Item{{Name: "Tea", Price: odero.MustParseAmount("10")}},
	})
	fmt.Println(errors.Is(err, odero.ErrOutcomeUnknown))
	fmt.Println("checkouts created:", gateway.Checkouts())
	// Output:
	// true
	// checkouts created: 1
}

// Validation happens before anything is sent.
func ExampleInitCheckoutRequest_Validate() {
	err := (&odero.InitCheckoutRequest{
		Price: odero.MustParseAmount("100"), PaidPrice: odero.MustParseAmount("100"),
		Group: odero.PaymentGroupProduct, // no currency
		Items: []odero.Item{{Name: "Tea", Price: odero.MustParseAmount("99.99")}},
	}).Validate()
	fmt.Println(err)
	fmt.Println(errors.Is(err, odero.ErrInvalidRequest))
	var first *odero.ValidationError
	if errors.As(err, &first) {
		fmt.Printf("first: Go field %s, wire field %s\n", first.Field, first.Wire)
	}
	// Output:
	// odero: Currency (currency): required
	// odero: Items (items): prices must sum exactly to price (they sum to 99.99)
	// true
	// first: Go field Currency, wire field currency
}

// The signature of the specification's vector #8.
func ExampleSignature() {
	fmt.Println(odero.Signature(
		"https://sandbox-api-gateway.oderopay.com.tr/payment/v1/checkout-payments/fe4b0c2d-3c48-4553-9429-695d204bd7c1",
		"api-key", "secret-key", "Xa15Fp11T", nil))
	// Output: S2Lv7mdkQ+raG6M0sn762SbPEj9UWrJath36T3GKhHk=
}
