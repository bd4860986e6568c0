// Package flexiti is a client for Flexiti's POS API v2.5/v2.5.1 and its
// widget (Canadian consumer financing, CAD only): OAuth2 tokens, a flow
// session per checkout, widget init and events, apply, and the
// authorize/capture/release/return/refund calls with their look-ups.
//
// # The flow
//
//	client, err := flexiti.New(flexiti.Config{ClientID: id, ClientSecret: secret, Environment: flexiti.MerchantIntegration})
//	flow, err := client.NewFlow(ctx) // keep flow.State() in the shopper's server-side session
//	ws, err := flow.WidgetInit(ctx, &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase,
//		CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: acct}}) // the page shows ws.RedirectionURL
//	ev, err := flexiti.ParseWidgetEvent(forwarded) // flx-success from the page: a hint, not proof
//	if flexiti.NextStep(flexiti.FlowPurchase, ev) == flexiti.StepAuthorize {
//		auth, err := flow.AuthorizeOnce(ctx, &flexiti.AuthorizeRequest{AccountNumber: *ev.Success.AccountNumber,
//			Reference: order.ID, Amount: flexiti.MustParseAmount("1499.99"),
//			FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}})
//		// a replayed or concurrent event: the same authorization, or ErrInProgress
//	}
//
// The package's Example (purchase) runs this flow against flexititest and
// checks its output.
//
// New refuses a Config without an Environment unless WithBaseURL is given:
// a client never talks to Production by default.
//
// # Tokens and flows
//
// Tokens come from POST /oauth/token (form-encoded), are refreshed 60 s
// before they expire with the refresh grant, fall back to client credentials
// when a refresh is refused, and are refreshed once after a 401. Back-office
// calls share one merchant-scope token; each Flow owns one customer-scope
// token and one x-reference-id, because Flexiti ties the widget flow to the
// token it started with. A flow's token is never shared between shoppers.
//
// # Money calls and errors
//
// Authorize, Capture, Release, Return and Refund are never retried after
// they may have been sent; a lost answer matches ErrOutcomeUnknown: reconcile
// with FindAuthorization (by your reference) or GetAuthorization first.
// AuthorizeOnce does that for an authorization: idempotent by the
// merchant's reference, serialised across requests and replicas through
// Config.Claims (the claims store that also makes notifications
// exactly-once), it looks the reference up before it authorizes, so a
// widget event that arrives twice, or twice at once, finances the purchase
// once.
// Flexiti's refusals are an *APIError (409 carries the business errors, with
// sentinels such as ErrCreditExceeded); a request that breaks a rule is a
// *ValidationError for each rule, before anything is sent.
//
// # Open questions of the specification, and the defaults taken
//
//   - JSON everywhere but the token call; x-reference-id is a 32-hex UUID
//     per flow; no x-idempotency-key is sent.
//   - Every transaction endpoint on v2.5.1 (one table in endpoints.go).
//   - Unseen response fields are kept in Raw.
//   - Amounts are CAD dollars with two decimals; there is no currency field.
//   - No webhooks exist: state is read back with GetAuthorization and
//     ListAuthorizations.
package flexiti
