// Package ktwidget is the merchant backend's half of KTPay's payment widget
// (KTWidget, by nplus.tech, Kazakhstan, KZT): it seals the order to KTPay's
// public key exactly as libsodium's crypto_box_seal does, creates the
// transaction server-side, hands the front end the widget URL (and an
// iframe snippet that checks message origins), and turns KTPay's unsigned
// notification into a trustworthy, deduplicated report.
//
// # The flow
//
//	client, _ := ktwidget.New(ktwidget.Config{AppID: appID, PublicKey: appKey, CallbackSecret: secret,
//		Environment: ktwidget.Test, CallbackBase: "https://shop.example/ktpay/notify"}) // from configuration, once
//	p, err := client.CreatePayment(ctx, &ktwidget.Order{OrderID: order.ID, Amount: amount,
//		Type: ktwidget.TypeEcom}, nil) // callback_post_url derived from CallbackBase
//	// record p.TransactionHash and the amount with the order; render client.Snippet(p.WidgetURL, nonce)
//	http.Handle("POST /ktpay/notify", &ktwidget.NotificationHandler{Client: client, Expect: orders.Expect, Report: settle})
//
// The package's Example (flow) runs this flow against ktwidgettest (the
// shopper pays in the widget, KTPay notifies, and delivers again) and
// checks its output.
//
// New refuses a Config without an Environment unless WithBaseURL is given:
// a client never talks to Production by default.
//
// CreatePaymentOnce may be repeated freely by order_id (on every replica
// sharing Config.Claims): KTPay receives one create, and a repeat answers
// the verdict the NotificationHandler recorded (or ErrAwaitingNotification
// until the notification comes). Settle reads that verdict; KTPay has no
// status query, so nothing else can tell.
//
// # Trust
//
// KTPay signs nothing it sends. The notification is trusted because its
// URL carries an HMAC of the order id under the merchant's CallbackSecret
// (the URL travels sealed, so only KTPay learns it) and because its
// transaction_hash and amount must match what the merchant recorded at
// creation. KTPay has no status query: the notification is the only source
// of truth, so CreatePayment is never retried after it may have been sent.
//
// KTPay takes a notification as acknowledged only when the merchant answers
// status 200 with Content-Type application/json and the body
// {"status":"ok"} (Ack); any other answer, the same body as text/plain
// included, is resent on KTPay's schedule (15 s to 60 min). WriteAck writes
// exactly that answer, and NotificationHandler answers with it.
// ktwidgettest's fake refuses the same answers and records why
// (Delivery.Refused).
//
// The callback base must never come from request headers. Whoever learns
// an order's callback_post_url can post a forged notification for it, and
// the URL is only secret while it goes to KTPay alone. A shop that builds it
// from the request's Host (or X-Forwarded-Host) lets a shopper point it at
// a server of theirs: KTPay then delivers the notification, token included,
// to the attacker, who can rewrite "denied" to "completed" and post it to
// the real endpoint. That is why the base is Config.CallbackBase, set once
// from the merchant's configuration and validated by New, and why no call
// takes a per-request base.
//
// # Open questions of the specification, and the defaults taken
//
//   - The notification is unauthenticated: per-order HMAC URL token, the
//     cross-check, idempotent reports.
//   - No status, cancel or refund API exists: none is offered.
//   - The widget URL uses "&show_close_button=<bool>"; Payment.CompatURL
//     keeps the official client's "&show_close_button<bool>".
//   - The error envelope: every documented shape is decoded whatever the
//     HTTP status; PHP's [] is an empty object.
//   - Content-Type text/plain, as the official client sends.
//   - The user block is sent only when given.
//   - Amounts are tenge with at most two places; there is no currency field.
//     The amount is written as JSON.stringify writes a number, without
//     trailing zeros (1500.50 travels as 1500.5, 2750.00 as 2750).
//   - Auth-Identifier is sent on every call, the GETs included.
//   - Key rotation (4220104) is ErrKeyExpired; Client.SetPublicKey swaps keys.
//   - The notification is acknowledged for any status it accepts, and only
//     completed, error and denied are reported.
package ktwidget
