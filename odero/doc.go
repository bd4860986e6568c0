// Package odero is the merchant backend's half of OderoPay's hosted checkout
// (the Turkish and Azerbaijani OderoPay, formerly TokenPay): it initialises a
// checkout, hands the shopper's browser the hosted page (in an iframe or as a
// redirect), turns the browser's callback into a verified payment verdict by a
// signed server-to-server query, and refunds payments and manages stored
// cards.
//
// # The flow
//
//	client, err := odero.New(odero.Config{APIKey: key, SecretKey: secret, Environment: odero.SandboxTR,
//		CallbackURL: "https://shop.example/odero/callback"}) // from configuration, never a request's Host
//	co, err := client.InitCheckout(ctx, &odero.InitCheckoutRequest{ConversationID: order.ID,
//		Price: total, PaidPrice: total, Currency: odero.TRY, Group: odero.PaymentGroupProduct, Items: items})
//	// send the browser to co.PageURL (or co.IframeURL() in an iframe);
//	// it form-POSTs the checkout token to Config.CallbackURL:
//	http.Handle("POST /odero/callback", &odero.CallbackHandler{Client: client,
//		Expect: expectFor, // the conversationId, paidPrice and currency you recorded for the token
//		Report: settle})   // called once per verified verdict
//
// The package's Example (checkout) runs this flow against oderotest and
// checks its output.
//
// New refuses a Config without an Environment unless WithBaseURL is given:
// a client never talks to a production host by default.
//
// # Signing
//
// Every request carries x-api-key, x-rnd-key (16 alphanumerics drawn from
// crypto/rand for every attempt, never reused), x-auth-version and
// x-signature: standard Base64 of SHA-256 over the percent-decoded full URL,
// the API key, the secret key, the random key and the exact body bytes sent.
// The body is marshalled once and the signed bytes are the bytes sent.
// Redirects are never followed.
//
// # The callback is a hint
//
// OderoPay does not sign the checkout callback, so nothing in it is trusted:
// VerifyCheckout fetches the checkout by its token with a signed request and
// compares status, conversationId, paidPrice and currency with what the
// merchant expected before it reports a payment as paid.
//
// # Money calls
//
// InitCheckout, Refund and RefundTransaction move money or create something:
// they are retried only when the request provably never left. Any later
// failure matches ErrOutcomeUnknown: query the checkout or the refund before
// doing anything else, never simply send it again.
//
// RefundOnce and RefundTransactionOnce may be repeated freely by the
// refund's own ConversationID (on every replica sharing Config.Claims):
// OderoPay receives each at most once, and a repeat answers with OderoPay's
// record (the payment's refunds, the search of item refunds), ErrInProgress
// or ErrReferenceConflict. Settle tells what OderoPay knows of a refund's
// conversationId.
//
// # Open questions of the specification, and the defaults taken
//
//   - Callback authenticity: none is documented; the callback is only a
//     trigger and the result always comes from a signed query.
//   - x-auth-version: the official clients send "1", "v1" and "V1"; the
//     default is "v1", configurable with Config.AuthVersion.
//   - x-rnd-key: 16 random alphanumerics per attempt.
//   - Hosts: the four documented hosts (TR/AZ, sandbox/production), each
//     overridable with WithBaseURL.
//   - Retrieve-checkout shape: one Payment struct holding the union of the
//     flat and the detailed shape, every field optional.
//   - Lists: decoded from data; a top-level items is the fallback.
//   - Date-times: zone-less local times in several layouts (fractional
//     seconds and an offset accepted); the raw text is kept.
//   - installment at init and tokenExpireDate in its reply: optional.
//   - Callback fields multiPayment, paymentIdList and subscriptionId: parsed
//     as optional; paymentIdList as a JSON array or comma-separated ids.
//   - No lang or merchantId header is sent; subscription management and
//     webhooks are out of scope.
//   - Error codes: ErrorCode and ErrorGroup are strings; the documented
//     payment groups have constants.
package odero
