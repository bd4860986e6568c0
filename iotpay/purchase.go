package iotpay

import (
	"context"
	"errors"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Currency is the only currency IOTPay's card API accepts.
const Currency = "CAD"

// Channels.
const (
	// ChannelCard is PF_CC: credit and debit cards.
	ChannelCard = "PF_CC"
	// ChannelUnionPay is UPI_EX: UnionPay ExpressPay (UnionPay cards only).
	ChannelUnionPay = "UPI_EX"
)

// PurchaseRequest starts a one-off card payment on IOTPay's page, embedded
// (SecureID) or by redirect (RedirectURL) — v3/cc_purchase.
type PurchaseRequest struct {
	// MchOrderNo is the merchant's unique order number (at most 30).
	MchOrderNo string
	// Amount is in dollars (sent as cents), greater than 0.
	Amount Amount
	// Channel is ChannelCard (default) or ChannelUnionPay.
	Channel string
	// Subject (64) and Body (250) describe the purchase.
	Subject, Body string
	// The notifyUrl is not a field: the Client sends Config.NotifyURL.

	// ReturnURL is where the shopper's browser goes afterwards (absolute, at most 200; https with Production).
	ReturnURL string
	// MchUserID is the merchant's id of the buyer (at most 30), sent when set.
	MchUserID string
}

func (r *PurchaseRequest) channel() string {
	if r.Channel == "" {
		return ChannelCard
	}
	return r.Channel
}

// Validate checks the documented rules. It reports every rule broken at
// once: one *ValidationError per rule, joined (errors.As finds the first).
func (r *PurchaseRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	return violations(r,
		checkLen("mchOrderNo", r.MchOrderNo, 30, true),
		checkAmount("amount", r.Amount),
		checkChannel(r.channel()),
		checkLen("subject", r.Subject, 64, false),
		checkLen("body", r.Body, 250, false),
		checkURL("returnUrl", r.ReturnURL, true),
		checkLen("mchUserId", r.MchUserID, 30, false),
	)
}

// Checkout is what a started purchase or add-card hands to the front end.
type Checkout struct {
	// SecureID (64 characters, valid about an hour) initialises the
	// embedded widget: Iotpay(secureId, 'Pay', …).
	SecureID string `json:"secureId"`
	// RedirectURL is IOTPay's hosted page for the redirect flow.
	RedirectURL string `json:"redirectUrl"`
	Channel     string `json:"channel,omitempty"`
	// Order is set when PurchaseOnce found the purchase at IOTPay instead of
	// starting it (a repeat): the order IOTPay holds for MchOrderNo. IOTPay
	// gives no secureId for an existing order, so SecureID is then empty
	// (the first call's secureId stays valid for about an hour) and
	// RedirectURL is the order's redirectUrl, when IOTPay reports one.
	Order *Order `json:"-"`
	// Meta is the HTTP metadata of the reply.
	Meta Meta `json:"-"`
}

// Purchase starts a payment. No order id comes back: track it by
// MchOrderNo. It is retried only when the request never left; afterwards a
// failure matches ErrOutcomeUnknown: Query by MchOrderNo before anything else.
func (c *Client) Purchase(ctx context.Context, req *PurchaseRequest) (_ *Checkout, err error) {
	var ref string
	if req != nil {
		ref = req.MchOrderNo
	}
	ctx, sp := c.http.Trace(ctx, "iotpay.Purchase", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if err := c.secureURLs("ReturnURL", "returnUrl", req.ReturnURL); err != nil {
		return nil, err
	}
	if c.cfg.NotifyURL == "" {
		return nil, httpx.InvalidField(provider, "NotifyURL", "notifyUrl", "not configured (required for a purchase)")
	}
	p := Params{
		"mchOrderNo": req.MchOrderNo, "amount": cents(req.Amount), "currency": Currency,
		"loginName": c.cfg.LoginName, "subject": req.Subject, "body": req.Body,
		"channel": req.channel(), "notifyUrl": c.cfg.NotifyURL, "returnUrl": req.ReturnURL,
		"mchUserId": req.MchUserID,
	}
	var out Checkout
	meta, err := c.call(ctx, "cc_purchase", p, &out, httpx.RetryIfNotSent)
	if err != nil {
		return nil, err
	}
	if out.SecureID == "" && out.RedirectURL == "" {
		return nil, httpx.OutcomeUnknownAdvice(provider, unknownAdvice["cc_purchase"], &httpx.DecodeError{Provider: provider, Into: "Checkout", Err: errMissing("secureId and redirectUrl")})
	}
	if err := out.checkRedirect(); err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// PurchaseWithTokenRequest charges a saved card, server to server —
// v3/cc_purchasewithtoken.
type PurchaseWithTokenRequest struct {
	MchOrderNo string
	// CardID is the merchant's id of a card added with AddCard.
	CardID string
	// Amount is in dollars (sent as cents), greater than 0.
	Amount        Amount
	Subject, Body string
	// ClientIP is the buyer's IP (at most 50), for tracing.
	ClientIP string
	// The notifyUrl is Config.NotifyURL, sent when set (UnionPay needs it).
	MchUserID string
}

// Validate checks the documented rules. It reports every rule broken at
// once: one *ValidationError per rule, joined (errors.As finds the first).
func (r *PurchaseWithTokenRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	return violations(r,
		checkLen("mchOrderNo", r.MchOrderNo, 30, true),
		checkLen("cardId", r.CardID, 30, true),
		checkAmount("amount", r.Amount),
		checkLen("subject", r.Subject, 64, false),
		checkLen("body", r.Body, 250, false),
		checkLen("clientIp", r.ClientIP, 50, false),
		checkLen("mchUserId", r.MchUserID, 30, false),
	)
}

// PurchaseWithToken charges a saved card and returns the order; check
// Order.Status (2 or 3 is paid). A money call: see Purchase.
func (c *Client) PurchaseWithToken(ctx context.Context, req *PurchaseWithTokenRequest) (_ *Order, err error) {
	var ref string
	if req != nil {
		ref = req.MchOrderNo
	}
	ctx, sp := c.http.Trace(ctx, "iotpay.PurchaseWithToken", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	p := Params{
		"mchOrderNo": req.MchOrderNo, "cardId": req.CardID, "amount": cents(req.Amount), "currency": Currency,
		"loginName": c.cfg.LoginName, "subject": req.Subject, "body": req.Body, "clientIp": req.ClientIP,
		"notifyUrl": c.cfg.NotifyURL, "mchUserId": req.MchUserID,
	}
	return c.order(ctx, "cc_purchasewithtoken", p, httpx.RetryIfNotSent)
}

func (c *Client) order(ctx context.Context, endpoint string, p Params, class httpx.RetryClass) (*Order, error) {
	var out Order
	meta, err := c.call(ctx, endpoint, p, &out, class)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

func checkChannel(ch string) error {
	if ch != ChannelCard && ch != ChannelUnionPay {
		return httpx.Invalid(provider, "channel", "must be PF_CC or UPI_EX")
	}
	return nil
}

// violations reports every error of errs at once: one *ValidationError per
// broken rule, joined, with the Go field of req named beside the wire field.
func violations(req any, errs ...error) error { return httpx.Collect(provider, req, errs...) }

// checkRedirect refuses a redirectUrl a browser must not be sent to
// (javascript:, data:, relative…).
func (co *Checkout) checkRedirect() error {
	if co.RedirectURL != "" && !httpx.WebURL(co.RedirectURL) {
		return &httpx.DecodeError{Provider: provider, Into: "Checkout", Err: errors.New("redirectUrl is not an absolute http(s) URL")}
	}
	return nil
}
