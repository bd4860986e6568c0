package finrota_test

import (
	"context"
	"fmt"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
)

// The backend's half of the widget flow: a widget token for the page, then
// the prepare token the widget's onSuccess posts back is completed here.
func Example_widgetPayment() {
	gateway := finrotatest.Start() // in production: finrota.New(finrota.Config{APIKey: …, SecretKey: …, Environment: finrota.Production})
	defer gateway.Close()
	client, _ := gateway.NewClient()
	ctx := context.Background()

	w, err := client.CreateWidgetToken(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	snippet, _ := finrota.Widget{Token: w, Amount: finrota.MustParseAmount("2750.00"), CompleteURL: "/finrota/complete",
		CSRFToken: "the-session-csrf-token"}.Snippet()
	fmt.Println(len(snippet) > 0)

	// … the shopper pays in the widget; onSuccess posts the prepare token …
	prepareToken := gateway.Prepare(finrota.MustParseAmount("2750.00"), finrotatest.ThreeDSCard)

	out, err := client.CompletePayment(ctx, &finrota.CompleteRequest{
		Amount:       finrota.MustParseAmount("2750.00"), // from your order record
		PrepareToken: prepareToken, ReturnURL: "https://shop.example/finrota/return",
		ClientReferenceCode: "order-1001-a1", CustomerIP: "203.0.113.7",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	switch o := out.(type) {
	case *finrota.Redirect:
		fmt.Println("3-D Secure: send the shopper to the bank;", o.ClientReferenceCode)
	case *finrota.DirectSale:
		fmt.Println("paid:", o.OrderID)
	}
	// Output:
	// true
	// 3-D Secure: send the shopper to the bank; order-1001-a1
}
