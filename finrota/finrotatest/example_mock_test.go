package finrotatest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/jarcoal/httpmock"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
)

// A whole 3-D Secure payment in memory: widget token, the shopper in the
// widget and on the bank's page, and the browser's return to the merchant,
// all on one httpmock transport, with no socket.
func ExampleStartMock() {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	defer httpmock.DeactivateNonDefault(hc)
	defer httpmock.Reset()

	gateway, err := finrotatest.StartMock(httpmock.DefaultTransport) // at finrota.Sandbox
	if err != nil {
		fmt.Println(err)
		return
	}
	defer gateway.Close()
	client, err := finrota.New(gateway.Config(), finrota.WithHTTPClient(hc))
	if err != nil {
		fmt.Println(err)
		return
	}
	httpmock.RegisterResponder(http.MethodPost, "https://shop.example/finrota/return", finrotatest.HandlerResponder(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ret, err := finrota.ParseReturn(r)
			if err != nil {
				http.Error(w, "bad return", http.StatusBadRequest)
				return
			}
			// Unverified: confirm with ListPayments before fulfilling.
			list, err := client.ListPayments(r.Context(), finrota.PaymentFilter{ClientReferenceCode: ret.ClientReferenceCode})
			if err != nil || len(list) != 1 {
				http.Error(w, "not paid", http.StatusConflict)
				return
			}
			_, _ = io.WriteString(w, "paid "+list[0].ClientReferenceNumber)
		})))

	ctx := context.Background()
	amount := finrota.MustParseAmount("2750.00")
	widget, err := client.CreateWidgetToken(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	prepared, err := gateway.PassWidget(ctx, widget, amount, true, finrotatest.TestCard)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := client.CompletePayment(ctx, &finrota.CompleteRequest{Amount: amount, PrepareToken: prepared,
		ReturnURL: "https://shop.example/finrota/return", ClientReferenceCode: "order-7", CustomerIP: "203.0.113.7"})
	if err != nil {
		fmt.Println(err)
		return
	}
	ret, err := gateway.PassThreeD(ctx, out.(*finrota.Redirect).URL, "123456")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := ret.Send(ctx, hc)
	if err != nil {
		fmt.Println(err)
		return
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(page))
	// Output: 200 paid order-7
}
