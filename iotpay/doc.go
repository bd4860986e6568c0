// Package iotpay is a client for IOTPay's v3 card API (Canada, CAD only):
// cc_purchase (redirect or embedded widget), cc_addcard, cc_querycard,
// cc_purchasewithtoken, cc_void, cc_refund, cc_query, and the signed
// notification IOTPay posts to notifyUrl.
//
// The package's Example (purchase) and Example (savedCardAndRefund) run the
// flows against iotpaytest and check their output. New refuses a Config
// without an Environment unless WithBaseURL is given: a client never talks
// to Production by default.
//
// # Signing
//
// Every request is a flat JSON object whose sign is the uppercase hex MD5 of
// the parameters other than sign whose value is not empty or null (zero is
// kept), sorted by name in byte order, joined as raw k=v pairs with '&', with
// "&key=<merchant key>" appended. Requests are typed structs turned into one
// set of Params from which both the sign and the JSON body are produced, so
// what is signed is what is sent. Amounts are Amount, an exact decimal of
// dollars (ParseAmount("19.99"), AmountFromMinor(1999)) that the SDK sends as
// the integer cents IOTPay wants; never a float.
//
// # Outcomes
//
// retCode FAIL (with HTTP 200) is an *APIError carrying retMsg. retCode
// SUCCESS is not a payment: Order.Status is paid (2, 3), failed (9) or
// pending (0, 1 and anything unknown), and the raw value is kept. Purchase,
// AddCard, PurchaseWithToken, Void and Refund are never resent once they may
// have reached IOTPay: a dropped connection gives ErrOutcomeUnknown, and the
// caller must Query by mchOrderNo before doing anything else. Query and
// QueryCard are retried safely. A Client is safe for concurrent use.
//
// PurchaseOnce, PurchaseWithTokenOnce, VoidOnce and RefundOnce may be
// repeated freely by mchOrderNo or mchRefundNo: IOTPay receives each at most
// once, and a repeat answers with IOTPay's record (cc_query), ErrInProgress
// or ErrReferenceConflict. Settle tells what IOTPay knows of a number.
//
// # Notifications and the browser's return
//
// VerifyNotification checks the sign over every field received (unknown
// ones included), decoding numbers as their literal text; NotificationHandler
// bounds the body, verifies, reports each payOrderId and status once and
// answers "SUCCESS" (configurable) or "FAIL". ParseReturn reads the returnUrl
// query, which IOTPay does not sign: confirm with Confirm/Query or the
// notification before fulfilling.
//
// # Open questions settled (the specification's defaults)
//
//   - Requests are signed in byte order; inbound messages verify in byte
//     order or case-insensitive order (IOTPay's own code sorts both ways).
//   - Zero values are signed; empty strings and nulls are not. No
//     "drop zeros" fallback is attempted.
//   - The notify reply is "SUCCESS" (NotificationHandler.Reply changes it); any
//     status is handled, and failure notifications are not relied on.
//   - Responses are not required to carry a sign.
//   - mchUserId is optional on cc_purchase and sent when set; notifyUrl is
//     optional on void, refund and token purchases.
//   - The add-card path is lower-case cc_addcard.
//   - paySuccTime is kept as IOTPay's naive string, with Order.PaidAt(loc)
//     for the caller's chosen time zone.
//   - Limits validated before sending: mchOrderNo, mchRefundNo, cardId and
//     mchUserId 30 characters; loginName 12; subject 64; body 250; URLs 200
//     and absolute; amount a positive number of cents; currency CAD; channel
//     PF_CC or UPI_EX.
//   - Not provided, as undocumented: direct tokenization, the 3DS/AVS
//     variant, deleting a card (issue a new cardId instead), raw-card
//     cc_directpurchase and wallet payments.
//   - The CVV cc_querycard returns is a Secret: never printed or logged.
//
// iotpaycc.js must be loaded from IOTPay's own host (Client.ScriptURL);
// IOTPay forbids bundling it. See Client.Embed.
package iotpay
