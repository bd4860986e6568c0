package odero

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// NoCallbackURL is the callbackUrl OderoPay's own examples send for
// subscriptions that have no page to return to; InitCheckout sends it for a
// SUBSCRIPTION checkout when Config.CallbackURL is empty.
const NoCallbackURL = "NO_CALLBACK_URL"

// Item is one line of the basket (PaymentItem). The items' prices must add up
// to the checkout's Price.
type Item struct {
	Name  string `json:"name"`
	Price Amount `json:"price"`
	// ExternalID is the merchant's own id for the item.
	ExternalID string `json:"externalId,omitempty"`
	// SubMerchantID and SubMerchantPrice split the item to a marketplace
	// seller; both or neither.
	SubMerchantID    int64   `json:"subMerchantId,omitempty"`
	SubMerchantPrice *Amount `json:"subMerchantPrice,omitempty"`
}

// Plan is the recurring charge of a SUBSCRIPTION checkout.
type Plan struct {
	// Price is charged every period.
	Price Amount `json:"price"`
	// PeriodDays is periodType: 7, 30 or 360.
	PeriodDays int `json:"periodType"`
	// TrialDays is nochargeDayCount (sent even when 0).
	TrialDays   int    `json:"nochargeDayCount"`
	Description string `json:"description"`
}

// InitCheckoutRequest opens a hosted checkout page
// (POST /payment/v1/checkout-payments/init). Fields are marshalled in the
// order of OderoPay's own examples.
type InitCheckoutRequest struct {
	// Price is the basket total; the items must sum to it exactly.
	Price Amount `json:"price"`
	// PaidPrice is what the shopper pays after commission and discount,
	// wallet part included. Required.
	PaidPrice Amount `json:"paidPrice"`
	// WalletPrice is taken from the OderoPay wallet of BuyerID.
	WalletPrice *Amount `json:"walletPrice,omitempty"`
	// BuyerID is OderoPay's id of the buyer, not the merchant's.
	BuyerID int64 `json:"buyerId,omitempty"`
	// CardUserKey lists this user's stored cards on the page.
	CardUserKey string       `json:"cardUserKey,omitempty"`
	Currency    Currency     `json:"currency"`
	Group       PaymentGroup `json:"paymentGroup"`
	// The callbackUrl is not a field: the Client sends Config.CallbackURL.

	// ConversationID is echoed back; use the merchant's order number.
	ConversationID string `json:"conversationId,omitempty"`
	Items          []Item `json:"items"`
	// Plan is required exactly when Group is SUBSCRIPTION.
	Plan *Plan `json:"plan,omitempty"`
	// Installment is offered to the shopper when set: 1, 2, 3, 6, 9 or 12.
	Installment int          `json:"installment,omitempty"`
	Phase       PaymentPhase `json:"paymentPhase,omitempty"`
	// ExpireAfterMinutes limits how long the page can be used.
	ExpireAfterMinutes int `json:"expireAfterMinutes,omitempty"`
}

// Validate checks the documented rules; InitCheckout calls it before
// sending. It reports every rule broken at once: one *ValidationError per
// rule, joined (errors.As finds the first).
func (r *InitCheckoutRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	v := httpx.NewViolations(provider, r)
	positive(v, "price", r.Price)
	positive(v, "paidPrice", r.PaidPrice)
	if r.WalletPrice != nil && r.WalletPrice.Sign() < 0 {
		v.Add("walletPrice", "must not be negative")
	}
	if r.Currency == "" {
		v.Add("currency", "required")
	}
	if r.Group == "" {
		v.Add("paymentGroup", "required")
	}
	if len(r.Items) == 0 {
		v.Add("items", "required: at least one item")
	}
	var sum Amount
	overflow := false
	for i, it := range r.Items {
		field := "items[" + itoa(i) + "]"
		if strings.TrimSpace(it.Name) == "" {
			v.Add(field+".name", "required")
		}
		positive(v, field+".price", it.Price)
		if (it.SubMerchantID != 0) != (it.SubMerchantPrice != nil) {
			v.Add(field+".subMerchantPrice", "subMerchantId and subMerchantPrice go together")
		}
		var err error
		if sum, err = sum.Add(it.Price); err != nil {
			overflow = true
		}
	}
	switch {
	case overflow:
		v.Add("items", "prices overflow")
	case len(r.Items) > 0 && !sum.Equal(r.Price):
		v.Add("items", "prices must sum exactly to price (they sum to "+sum.String()+")")
	}
	if r.Group == PaymentGroupSubscription {
		if r.Plan == nil {
			v.Add("plan", "required when paymentGroup is SUBSCRIPTION")
		} else {
			positive(v, "plan.price", r.Plan.Price)
			if !slices.Contains(SubscriptionPeriods, r.Plan.PeriodDays) {
				v.Add("plan.periodType", "must be 7, 30 or 360")
			}
			if r.Plan.TrialDays < 0 {
				v.Add("plan.nochargeDayCount", "must not be negative")
			}
			if strings.TrimSpace(r.Plan.Description) == "" {
				v.Add("plan.description", "required")
			}
		}
	} else if r.Plan != nil {
		v.Add("plan", "only allowed when paymentGroup is SUBSCRIPTION")
	}
	if r.Installment != 0 && !slices.Contains(Installments, r.Installment) {
		v.Add("installment", "must be 1, 2, 3, 6, 9 or 12")
	}
	if r.ExpireAfterMinutes < 0 {
		v.Add("expireAfterMinutes", "must not be negative")
	}
	return v.Err()
}

// positive adds "required" for a zero amount and "must be greater than 0"
// for a negative one.
func positive(v *httpx.Violations, wire string, a Amount) {
	switch a.Sign() {
	case 0:
		v.Add(wire, "required")
	case -1:
		v.Add(wire, "must be greater than 0")
	}
}

// initWire is InitCheckoutRequest as it travels, with callbackUrl in its
// place after paymentGroup, as in OderoPay's own examples.
type initWire struct {
	Price              Amount       `json:"price"`
	PaidPrice          Amount       `json:"paidPrice"`
	WalletPrice        *Amount      `json:"walletPrice,omitempty"`
	BuyerID            int64        `json:"buyerId,omitempty"`
	CardUserKey        string       `json:"cardUserKey,omitempty"`
	Currency           Currency     `json:"currency"`
	Group              PaymentGroup `json:"paymentGroup"`
	CallbackURL        string       `json:"callbackUrl"`
	ConversationID     string       `json:"conversationId,omitempty"`
	Items              []Item       `json:"items"`
	Plan               *Plan        `json:"plan,omitempty"`
	Installment        int          `json:"installment,omitempty"`
	Phase              PaymentPhase `json:"paymentPhase,omitempty"`
	ExpireAfterMinutes int          `json:"expireAfterMinutes,omitempty"`
}

// wire adds the client's configured callbackUrl to r.
func (c *Client) wire(r *InitCheckoutRequest) (*initWire, error) {
	cb := c.callback
	if cb == "" {
		if r.Group != PaymentGroupSubscription {
			return nil, httpx.InvalidField(provider, "CallbackURL", "callbackUrl", "not configured (required unless paymentGroup is SUBSCRIPTION)")
		}
		cb = NoCallbackURL
	}
	return &initWire{Price: r.Price, PaidPrice: r.PaidPrice, WalletPrice: r.WalletPrice, BuyerID: r.BuyerID, CardUserKey: r.CardUserKey,
		Currency: r.Currency, Group: r.Group, CallbackURL: cb, ConversationID: r.ConversationID, Items: r.Items, Plan: r.Plan,
		Installment: r.Installment, Phase: r.Phase, ExpireAfterMinutes: r.ExpireAfterMinutes}, nil
}

// Checkout is an initialised hosted checkout.
type Checkout struct {
	// Token identifies the checkout (a UUID); the callback carries it.
	Token string `json:"token"`
	// PageURL is the hosted page to send the shopper to.
	PageURL string `json:"pageUrl"`
	// TokenExpireDate is when the page stops working, if the gateway says.
	TokenExpireDate DateTime `json:"tokenExpireDate,omitzero"`
	// Meta is the HTTP metadata of the reply.
	Meta Meta `json:"-"`
}

// IframeURL returns PageURL with iframe=True added, keeping any query it
// already has, for rendering the page inside an iframe.
func (c *Checkout) IframeURL() (string, error) { return IframeURL(c.PageURL) }

// IframeURL adds iframe=True to a hosted page URL without losing its query.
// Only an absolute http(s) URL is accepted: javascript:, data: and the like
// are an error, never a frame source.
func IframeURL(pageURL string) (string, error) {
	u, err := url.Parse(pageURL)
	if err != nil || !httpx.WebURL(pageURL) {
		return "", httpx.Invalid(provider, "pageUrl", "must be an absolute http(s) URL")
	}
	q := u.Query()
	q.Set("iframe", "True")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// InitCheckout opens a hosted checkout page. It creates something at the
// gateway, so it is retried only when the request never left; after that a
// failure matches ErrOutcomeUnknown.
func (c *Client) InitCheckout(ctx context.Context, req *InitCheckoutRequest) (_ *Checkout, err error) {
	var ref string
	if req != nil {
		ref = req.ConversationID
	}
	ctx, sp := c.http.Trace(ctx, "odero.InitCheckout", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	body, err := c.wire(req)
	if err != nil {
		return nil, err
	}
	var out Checkout
	meta, err := c.call(ctx, http.MethodPost, pathInitCheckout, nil, body, &out, httpx.RetryIfNotSent)
	if err != nil {
		return nil, err
	}
	if out.Token == "" || out.PageURL == "" {
		return nil, httpx.OutcomeUnknownAdvice(provider, unknownAdvice[pathInitCheckout], &httpx.DecodeError{Provider: provider, Into: "Checkout", Err: errMissing("token and pageUrl")})
	}
	if !httpx.WebURL(out.PageURL) {
		return nil, &httpx.DecodeError{Provider: provider, Into: "Checkout", Err: errors.New("pageUrl is not an absolute http(s) URL")}
	}
	out.Meta = meta
	return &out, nil
}

// RetrieveCheckout fetches the payment of a checkout by its token
// (GET /payment/v1/checkout-payments/{token}). It is signed, so its answer is
// authentic, and it is safe to retry.
func (c *Client) RetrieveCheckout(ctx context.Context, token string) (_ *Payment, err error) {
	ctx, sp := c.http.Trace(ctx, "odero.RetrieveCheckout", "")
	defer sp.End(&err)
	if err := validateToken("token", token); err != nil {
		return nil, err
	}
	var out Payment
	meta, err := c.call(ctx, http.MethodGet, "/payment/v1/checkout-payments/"+url.PathEscape(token), nil, nil, &out, httpx.RetrySafe)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// validateToken accepts the UUID-like identifiers OderoPay issues.
func validateToken(field, s string) error {
	if s == "" {
		return httpx.Invalid(provider, field, "required")
	}
	if len(s) > 64 {
		return httpx.Invalid(provider, field, "longer than 64 characters")
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return httpx.Invalid(provider, field, "may hold only letters, digits, '-' and '_'")
		}
	}
	return nil
}
