package flexititest_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/jarcoal/httpmock"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
)

// A whole Flexiti purchase in memory: customer token, widget, the shopper's
// PIN and the authorization, all on one httpmock transport, with no socket.
func ExampleStartMock() {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	defer httpmock.DeactivateNonDefault(hc)
	defer httpmock.Reset()

	fx, err := flexititest.StartMock(httpmock.DefaultTransport) // at flexiti.Training
	if err != nil {
		fmt.Println(err)
		return
	}
	defer fx.Close()
	client, err := flexiti.New(fx.Config(), flexiti.WithHTTPClient(hc))
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
	ev, _ := flexiti.ParseWidgetEvent(res.Event)
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
