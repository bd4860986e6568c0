package ktwidget

import (
	"net/url"
	"strings"

	"github.com/paywidget/paywidget-go/internal/decimal"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/money"
)

// Amount is an exact amount in tenge (KZT, the only currency) with at most
// two decimal places; it travels as a bare JSON number.
//
// Make one with ParseAmount or MustParseAmount ("100.50"); the zero value is
// 0. Its methods (all exact, none passes through a float):
//
//	Add(e Amount) (Amount, error)         // a + e; fails on overflow
//	Cmp(e Amount) int                     // -1, 0 or +1 as a <, ==, > e
//	Equal(e Amount) bool                  // same number (10.5 equals 10.50)
//	Sign() int                            // -1, 0 or +1
//	IsZero() bool                         // a == 0
//	Places() int                          // significant places after the point (10.50 has 1)
//	Scale() int                           // places as written (10.50 has 2)
//	Coef() int64                          // a = Coef × 10^-Scale (10.50 is 1050, 2)
//	Rescale(scale int) (Amount, error)    // written with exactly scale places; fails rather than round
//	MinorUnits(places int) (int64, error) // as integer units of 10^-places (tiyn for 2); fails rather than round
//	String() string                       // "10.50", with the scale written
//	Append(b []byte) []byte               // appends String() to b
//	MarshalJSON, UnmarshalJSON            // a bare JSON number; decodes a number or a string
//	MarshalText, UnmarshalText            // the String form
type Amount = decimal.Decimal

// ParseAmount parses "1500" or "1500.50". A malformed literal or one with
// more than two decimal places fails with a *ValidationError matching
// ErrInvalidRequest.
func ParseAmount(s string) (Amount, error) { return money.Parse(provider, amountPlaces, s) }

// MustParseAmount is ParseAmount for constants; it panics on a bad literal.
func MustParseAmount(s string) Amount { return money.MustParse(provider, amountPlaces, s) }

// AmountFromMinor is tiyn (hundredths of a tenge) as an Amount:
// AmountFromMinor(275000) is 2750.00.
func AmountFromMinor(minor int64) Amount { return money.FromCents(minor) }

// amountPlaces is how many decimal places a tenge amount has.
const amountPlaces = 2

// OrderType says what is sold.
type OrderType string

// Order types.
const (
	// TypeEcom is the merchant's own goods.
	TypeEcom OrderType = "ecom"
	// TypeService is a KTPay service (mobile top-up, utilities…); Service is
	// then required.
	TypeService OrderType = "service"
)

// Service names the KTPay service of a TypeService order.
type Service struct {
	ServiceID     int64  `json:"service_id"`
	ContractValue string `json:"contract_value"`
}

// Order is the transaction as KTPay receives it, sealed. Field order and
// names follow the official client; empty optionals are omitted.
type Order struct {
	// OrderID is the merchant's unique id for the transaction.
	OrderID string `json:"order_id"`
	// Amount is in tenge, at most two decimal places.
	Amount      Amount    `json:"amount"`
	Type        OrderType `json:"type"`
	Service     *Service  `json:"service,omitempty"`
	Description string    `json:"description,omitempty"`

	// Where the widget sends the shopper (back, success, failure): absolute
	// http(s) URLs, https with Production. The
	// server notification URL, callback_post_url, is not a field: the
	// Client derives it from Config.CallbackBase (see Client.CallbackURL).
	CallbackBackURL    string `json:"callback_back_url,omitempty"`
	CallbackSuccessURL string `json:"callback_success_url,omitempty"`
	CallbackFailedURL  string `json:"callback_failed_url,omitempty"`
	// The force variants redirect at once, skipping the widget's own pages.
	CallbackForceBackURL    string `json:"callback_force_back_url,omitempty"`
	CallbackForceSuccessURL string `json:"callback_force_success_url,omitempty"`
	CallbackForceFailedURL  string `json:"callback_force_failed_url,omitempty"`
	// ShowCloseButton shows the widget's close button (KTPay's default: true).
	ShowCloseButton *bool `json:"show_close_button,omitempty"`
}

// User is the optional buyer block (documented in 2019 material only; sent
// only when set).
type User struct {
	MerchantUserID string `json:"merchant_user_id,omitempty"`
	Phone          string `json:"phone,omitempty"`
	Email          string `json:"email,omitempty"`
}

// Validate checks the documented rules; sealing calls it first. It reports
// every rule broken at once: one *ValidationError per rule, joined
// (errors.As finds the first).
func (o *Order) Validate() error {
	if o == nil {
		return httpx.Invalid(provider, "order", "required")
	}
	v := httpx.NewViolations(provider, o)
	switch {
	case strings.TrimSpace(o.OrderID) == "":
		v.Add("order_id", "required")
	case len(o.OrderID) > 128:
		v.Add("order_id", "at most 128 characters")
	}
	switch {
	case o.Amount.IsZero():
		v.Add("amount", "required")
	case o.Amount.Sign() < 0:
		v.Add("amount", "must be greater than 0")
	case o.Amount.Places() > 2:
		v.Add("amount", "at most two decimal places")
	}
	switch o.Type {
	case TypeEcom:
		if o.Service != nil {
			v.Add("service", "only for type service")
		}
	case TypeService:
		if o.Service == nil {
			v.Add("service", "required for type service")
			break
		}
		if o.Service.ServiceID <= 0 {
			v.Add("service.service_id", "required")
		}
		if strings.TrimSpace(o.Service.ContractValue) == "" {
			v.Add("service.contract_value", "required")
		}
	case "":
		v.Add("type", "required")
	default:
		v.Add("type", "must be ecom or service")
	}
	for _, c := range []struct{ name, u string }{
		{"callback_back_url", o.CallbackBackURL}, {"callback_success_url", o.CallbackSuccessURL},
		{"callback_failed_url", o.CallbackFailedURL},
		{"callback_force_back_url", o.CallbackForceBackURL}, {"callback_force_success_url", o.CallbackForceSuccessURL},
		{"callback_force_failed_url", o.CallbackForceFailedURL},
	} {
		if c.u == "" {
			continue
		}
		p, err := url.Parse(c.u)
		if err != nil || !p.IsAbs() || p.Host == "" || (p.Scheme != "https" && p.Scheme != "http") {
			v.Add(c.name, "must be an absolute http(s) URL")
		}
	}
	return v.Err()
}

// wireOrder is Order as the official client writes it, with
// callback_post_url in its place between the redirect URLs and the force
// variants.
type wireOrder struct {
	OrderID                 string    `json:"order_id"`
	Amount                  Amount    `json:"amount"`
	Type                    OrderType `json:"type"`
	Service                 *Service  `json:"service,omitempty"`
	Description             string    `json:"description,omitempty"`
	CallbackBackURL         string    `json:"callback_back_url,omitempty"`
	CallbackSuccessURL      string    `json:"callback_success_url,omitempty"`
	CallbackFailedURL       string    `json:"callback_failed_url,omitempty"`
	CallbackPostURL         string    `json:"callback_post_url,omitempty"`
	CallbackForceBackURL    string    `json:"callback_force_back_url,omitempty"`
	CallbackForceSuccessURL string    `json:"callback_force_success_url,omitempty"`
	CallbackForceFailedURL  string    `json:"callback_force_failed_url,omitempty"`
	ShowCloseButton         *bool     `json:"show_close_button,omitempty"`
}
