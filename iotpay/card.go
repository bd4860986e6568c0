package iotpay

import (
	"context"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// AddCardRequest tokenizes a card on IOTPay's page — v3/cc_addcard. There is
// no notification: confirm with QueryCard.
type AddCardRequest struct {
	// CardID is merchant-assigned and unique (at most 30); one per card.
	CardID string
	// Channel is ChannelCard (default) or ChannelUnionPay.
	Channel string
	// ReturnURL is where the browser goes afterwards (absolute, at most 200; https with Production).
	ReturnURL string
}

// Validate checks the documented rules. It reports every rule broken at
// once: one *ValidationError per rule, joined (errors.As finds the first).
func (r *AddCardRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	ch := r.Channel
	if ch == "" {
		ch = ChannelCard
	}
	return violations(r, checkLen("cardId", r.CardID, 30, true), checkChannel(ch), checkURL("returnUrl", r.ReturnURL, true))
}

// AddCard starts tokenizing a card and returns the SecureID for
// Iotpay(secureId, 'Add', …) or the RedirectURL. It creates something, so it
// is retried only when the request never left.
func (c *Client) AddCard(ctx context.Context, req *AddCardRequest) (_ *Checkout, err error) {
	var ref string
	if req != nil {
		ref = req.CardID
	}
	ctx, sp := c.http.Trace(ctx, "iotpay.AddCard", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if err := c.secureURLs("ReturnURL", "returnUrl", req.ReturnURL); err != nil {
		return nil, err
	}
	ch := req.Channel
	if ch == "" {
		ch = ChannelCard
	}
	p := Params{"cardId": req.CardID, "loginName": c.cfg.LoginName, "channel": ch, "returnUrl": req.ReturnURL}
	var out Checkout
	meta, err := c.call(ctx, "cc_addcard", p, &out, httpx.RetryIfNotSent)
	if err != nil {
		return nil, err
	}
	if err := out.checkRedirect(); err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// Card is a tokenized card as cc_querycard returns it. IOTPay returns the
// CVV; it is held as a Secret and never printed.
type Card struct {
	CardID string `json:"cardId"`
	// CardNum is masked (432567******2266).
	CardNum string `json:"cardNum"`
	// ExpiryDate is MMYY.
	ExpiryDate string `json:"expiryDate"`
	Holder     string `json:"holder"`
	CVV        Secret `json:"cvv"`
	// Meta is the HTTP metadata of the reply.
	Meta Meta `json:"-"`
}

// QueryCard reads a tokenized card. An unknown cardId is an *APIError
// ("cardId is not binding"). Safe to retry.
func (c *Client) QueryCard(ctx context.Context, cardID string) (_ *Card, err error) {
	ctx, sp := c.http.Trace(ctx, "iotpay.QueryCard", cardID)
	defer sp.End(&err)
	if err := checkLen("cardId", cardID, 30, true); err != nil {
		return nil, err
	}
	var out Card
	meta, err := c.call(ctx, "cc_querycard", Params{"cardId": cardID}, &out, httpx.RetrySafe)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// String shows the card's id and masked number, never the CVV.
func (c Card) String() string {
	return "iotpay.Card{cardId: " + c.CardID + ", cardNum: " + c.CardNum + ", cvv: [REDACTED]}"
}
