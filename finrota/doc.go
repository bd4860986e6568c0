// Package finrota is the merchant backend's half of Finrota's B2C payment
// widget (Turkey, formerly Netahsilat): it holds the access token, issues the
// widget token the page needs, renders the widget snippet, completes the
// payment with the prepare token the widget's onSuccess posts back, and reads
// the bank's 3-D Secure return.
//
// # The flow
//
//	client, err := finrota.New(finrota.Config{APIKey: key, SecretKey: secret, Environment: finrota.Sandbox})
//	w, err := client.CreateWidgetToken(ctx) // the only token the page sees (20 min)
//	html, err := finrota.Widget{Token: w, Amount: order.Total, CompleteURL: "/finrota/complete",
//		CrossOriginProtected: true}.Snippet() // CompleteURL's handler sits behind http.CrossOriginProtection (or set CSRFToken)
//	// POST /finrota/complete {prepareToken}: onSuccess means prepared, not paid.
//	out, err := client.CompletePayment(ctx, &finrota.CompleteRequest{Amount: order.Total, // never the page's
//		PrepareToken: finrota.PrepareToken(body.PrepareToken), ReturnURL: "https://shop.example/finrota/return",
//		ClientReferenceCode: order.Ref, CustomerIP: clientIP})
//	switch o := out.(type) {
//	case *finrota.Redirect: // 3-D Secure: send the browser to o.URL; ParseReturn reads its way back
//	case *finrota.DirectSale: // paid
//	}
//
// The package's Example (widgetPayment) runs this flow against finrotatest
// and checks its output.
//
// New refuses a Config without an Environment unless WithBaseURL is given:
// a client never talks to Production by default.
//
// # Tokens
//
// The access token is fetched with the API and secret keys, cached until five
// minutes before its expiry (one fetch for any number of concurrent callers)
// and refreshed once after a 401. It never leaves the Client. A WidgetToken is
// not a PrepareToken: passing one as the other is refused before sending.
//
// # Money calls and errors
//
// CompletePayment and Pay are never retried once they may have reached
// Finrota; a lost answer matches ErrOutcomeUnknown: look the payment up by its
// clientReferenceCode (ListPayments, or Finrota's panel) before anything else.
// A refused payment in a 2xx reply is a *PaymentError (ErrPaymentFailed); any
// other refusal is an *APIError (a reused prepare token is a 400, a reused
// clientReferenceCode a 409 matching ErrConflict); a request that breaks a
// rule is a *ValidationError for each rule, before anything is sent.
//
// # Repeating a payment safely
//
// CompletePaymentOnce and PayOnce may be repeated any number of times, on
// every replica sharing Config.Claims: Finrota receives at most one payment
// per clientReferenceCode, and a repeat answers with Finrota's record of it
// (found by ListPayments), ErrInProgress, or ErrReferenceConflict. Settle
// tells what Finrota knows of a reference. Their docs say what stays
// unknowable.
//
// # The 3-D return is not signed
//
// ParseReturn keeps every value the bank's return carries and says
// Verified: false; do not fulfil on it alone.
//
// # Open questions of the specification, and the defaults taken
//
//   - Amounts are lira with kuruş, bare JSON numbers.
//   - paymentOptions sends the token in both Authorization and
//     Proxy-Authorization, as Finrota's page asks.
//   - /b2c/payment (direct, with card data: PCI DSS scope) and ListPayments
//     are experimental.
//   - Expiry timestamps without an offset are UTC.
//   - The widget's environment defaults to "prod", the only documented value.
//   - No webhook exists; refund, cancel and status are reached with Do.
package finrota
