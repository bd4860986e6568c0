package flexititest_test

import (
	"context"
	"fmt"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
)

// Flexiti's main flow with the client NewClient returns: the flow's tokens,
// the widget, the shopper entering the PIN, and the authorization.
func ExampleServer_NewClient() {
	fx := flexititest.Start()
	defer fx.Close()
	client, err := fx.NewClient() // flexiti.WithBaseURL(fx.URL) and the fake's Client
	if err != nil {
		fmt.Println(err)
		return
	}

	ctx := context.Background()
	flow, err := client.NewFlow(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	ws, err := flow.WidgetInit(ctx, &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase,
		CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: flexititest.AccountNumber}})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := fx.PayWidget(ctx, ws.RedirectionURL, flexititest.TestCard)
	if err != nil {
		fmt.Println(err)
		return
	}
	ev, err := flexiti.ParseWidgetEvent(res.Event)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("widget:", ev.Type, "verified", ev.Success.Verified)
	auth, err := flow.Authorize(ctx, &flexiti.AuthorizeRequest{AccountNumber: flexititest.AccountNumber,
		Amount: flexiti.MustParseAmount("49.99"), FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("authorized:", auth.Amount)
	// Output:
	// widget: flx-success verified true
	// authorized: 49.99
}
