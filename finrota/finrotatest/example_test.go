package finrotatest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
)

// Finrota's main flow with the client NewClient returns: the merchant's
// page with the widget, the shopper in the widget, the payment completed by
// the merchant's backend, the bank's 3-D page, and the browser's return,
// which the merchant confirms with a server-side look-up.
func ExampleServer_NewClient() {
	gateway := finrotatest.Start()
	defer gateway.Close()
	client, err := gateway.NewClient()
	if err != nil {
		fmt.Println(err)
		return
	}
	amount := finrota.MustParseAmount("2750.00")
	mux := http.NewServeMux()
	shop := httptest.NewServer(mux)
	defer shop.Close()

	// The checkout page: Finrota's widget with a fresh widget token.
	mux.HandleFunc("GET /checkout", func(w http.ResponseWriter, r *http.Request) {
		tok, err := client.CreateWidgetToken(r.Context())
		if err != nil {
			http.Error(w, "no widget", http.StatusBadGateway)
			return
		}
		html, _ := finrota.Widget{Token: tok, Amount: amount,
			ScriptURL:   gateway.ScriptURL(), // in production: finrota.ScriptURL
			CompleteURL: "/complete", CrossOriginProtected: true}.Snippet()
		_, _ = io.WriteString(w, "<!doctype html><html><body>"+string(html)+"</body></html>")
	})
	// The widget's onSuccess posts the prepare token here; the backend pays.
	mux.Handle("POST /complete", http.NewCrossOriginProtection().Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ PrepareToken string }
		_ = json.NewDecoder(io.LimitReader(r.Body, 4<<10)).Decode(&in)
		out, err := client.CompletePayment(r.Context(), &finrota.CompleteRequest{Amount: amount,
			PrepareToken: finrota.PrepareToken(in.PrepareToken), ReturnURL: shop.URL + "/return",
			ClientReferenceCode: "order-1", CustomerIP: "203.0.113.7"})
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
	// The browser's return from the bank: a hint, confirmed on the server.
	mux.HandleFunc("POST /return", func(w http.ResponseWriter, r *http.Request) {
		ret, err := finrota.ParseReturn(r)
		if err != nil {
			http.Error(w, "bad return", http.StatusBadRequest)
			return
		}
		list, err := client.ListPayments(r.Context(), finrota.PaymentFilter{ClientReferenceCode: ret.ClientReferenceCode})
		if err != nil || len(list) != 1 {
			http.Error(w, "not paid", http.StatusConflict)
			return
		}
		_, _ = io.WriteString(w, "paid "+list[0].ClientReferenceNumber)
	})

	ctx := context.Background()
	res, err := gateway.PayWidget(ctx, shop.URL+"/checkout", finrotatest.ThreeDSCard)
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
	// Output: 200 paid order-1
}
