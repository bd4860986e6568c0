package finrotatest_test

import (
	"context"
	"encoding/json"
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

	// The shop's checkout page with the widget, and its backend that
	// completes the prepared payment.
	shop := http.NewServeMux()
	shop.HandleFunc("GET /checkout", func(w http.ResponseWriter, r *http.Request) {
		tok, err := client.CreateWidgetToken(r.Context())
		if err != nil {
			http.Error(w, "no widget", http.StatusBadGateway)
			return
		}
		html, _ := finrota.Widget{Token: tok, Amount: finrota.MustParseAmount("2750.00"),
			ScriptURL:   gateway.ScriptURL(), // in production: finrota.ScriptURL
			CompleteURL: "/complete", CrossOriginProtected: true}.Snippet()
		_, _ = io.WriteString(w, "<!doctype html><html><body>"+string(html)+"</body></html>")
	})
	shop.Handle("POST /complete", http.NewCrossOriginProtection().Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ PrepareToken string }
		_ = json.NewDecoder(io.LimitReader(r.Body, 4<<10)).Decode(&in)
		out, err := client.CompletePayment(r.Context(), &finrota.CompleteRequest{Amount: finrota.MustParseAmount("2750.00"),
			PrepareToken: finrota.PrepareToken(in.PrepareToken), ReturnURL: "https://shop.example/finrota/return",
			ClientReferenceCode: "order-7", CustomerIP: "203.0.113.7"})
		if err != nil {
			http.Error(w, "not paid", http.StatusPaymentRequired)
			return
		}
		next := "/thanks"
		if redirect, ok := out.(*finrota.Redirect); ok {
			next = redirect.URL // 3-D Secure: the bank's page
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"redirect": next})
	})))
	httpmock.RegisterResponder(http.MethodGet, "https://shop.example/checkout", finrotatest.HandlerResponder(shop))
	httpmock.RegisterResponder(http.MethodPost, "https://shop.example/complete", finrotatest.HandlerResponder(shop))

	ctx := context.Background()
	res, err := gateway.PayWidget(ctx, "https://shop.example/checkout", finrotatest.ThreeDSCard)
	if err != nil {
		fmt.Println(err)
		return
	}
	ds, err := gateway.PassThreeDS(ctx, res.Next, finrotatest.ThreeDSCard)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds.Delivery.Status, string(ds.Delivery.Body))
	// Output: 200 paid order-7
}
