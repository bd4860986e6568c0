package flexiti_test

import (
	"context"
	"fmt"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
)

// The purchase flow: a flow session per shopper, the widget, then the
// authorization from the server.
func Example_purchase() {
	fx := flexititest.Start() // in production: flexiti.New(flexiti.Config{ClientID: …, ClientSecret: …, Environment: flexiti.Production})
	defer fx.Close()
	client, _ := fx.NewClient()
	ctx := context.Background()

	flow, _ := client.NewFlow(ctx) // keep flow.State() in the shopper's server-side session
	ws, err := flow.WidgetInit(ctx, &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase,
		CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: flexititest.AccountNumber}})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The page shows ws.RedirectionURL; the widget posts flx-success, which
	// the page forwards to the server.
	raw, _ := fx.PassWidget(ws.WidgetSessionID, flexititest.PIN)
	ev, _ := flexiti.ParseWidgetEvent(raw)
	fmt.Println(flexiti.NextStep(flexiti.FlowPurchase, ev))

	a, err := flow.Authorize(ctx, &flexiti.AuthorizeRequest{
		AccountNumber: *ev.Success.AccountNumber, Reference: "order-1001", AutoCapture: true,
		Amount:          flexiti.MustParseAmount("1499.99"),
		FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Amount, a.CaptureID != nil)
	// Output:
	// authorize
	// 1499.99 true
}
