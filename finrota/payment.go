package finrota

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/paywidget/paywidget-go/internal/decimal"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/money"
)

// Amount is an exact amount in lira with kuruş (27.50), a bare JSON number
// on the wire; never a float.
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
//	MinorUnits(places int) (int64, error) // as integer units of 10^-places (kuruş for 2); fails rather than round
//	String() string                       // "10.50", with the scale written
//	Append(b []byte) []byte               // appends String() to b
//	MarshalJSON, UnmarshalJSON            // a bare JSON number; decodes a number or a string
//	MarshalText, UnmarshalText            // the String form
type Amount = decimal.Decimal

// amountPlaces is how many decimal places Finrota's currencies have (kuruş,
// cents).
const amountPlaces = 2

// ParseAmount parses "2750" or "27.50". A malformed literal or one with more
// than two decimal places fails with a *ValidationError matching
// ErrInvalidRequest.
func ParseAmount(s string) (Amount, error) { return money.Parse(provider, amountPlaces, s) }

// MustParseAmount is ParseAmount for constants in programs and tests; it
// panics on a literal ParseAmount refuses.
func MustParseAmount(s string) Amount { return money.MustParse(provider, amountPlaces, s) }

// AmountFromMinor is minor units (kuruş, cents) as an Amount:
// AmountFromMinor(2750) is 27.50.
func AmountFromMinor(minor int64) Amount { return money.FromCents(minor) }

// Currency is an ISO 4217 code; unknown codes are passed through.
type Currency string

// Currencies Finrota's documents show.
const (
	TRY Currency = "TRY"
	USD Currency = "USD"
	EUR Currency = "EUR"
)

// checkAmount adds the rules of an amount to v.
func checkAmount(v *httpx.Violations, a Amount) {
	switch {
	case a.IsZero():
		v.Add("amount", "required")
	case a.Sign() < 0:
		v.Add("amount", "must be greater than 0")
	case a.Places() > 2:
		v.Add("amount", "at most two decimal places (kuruş)")
	}
}

// CompleteRequest completes a prepared payment (POST /b2c/widget/payment).
// Take Amount from your own order record, never from the browser.
type CompleteRequest struct {
	Amount       Amount
	PrepareToken PrepareToken
	// ReturnURL is where the bank sends the shopper after 3-D Secure
	// (absolute http(s); https with Production). Finrota documents nothing in the return that
	// identifies the payment, so the URL itself must (a path per order); it
	// stays a per-request field for that reason. Build it from the shop's
	// configured public address, never from the request's Host or
	// X-Forwarded-* headers, and treat the return only as a cue to ask
	// Finrota (ListPayments), never as an outcome.
	ReturnURL string
	// ClientReferenceCode is your order reference; use a new one per attempt.
	ClientReferenceCode string
	// CustomerIP is the shopper's IP address.
	CustomerIP string
}

// Outcome is what a payment call returns: a *Redirect (3-D Secure: send the
// shopper to its URL; nothing is paid yet) or a *DirectSale (paid). Use a
// type switch; there is no third case.
type Outcome interface {
	// Reference is the merchant's clientReferenceCode and Finrota's order id.
	Reference() (clientReferenceCode, orderID string)
	outcome()
}

// Redirect is a 3-D Secure payment waiting for the shopper: send the
// browser to URL; the bank returns it to your returnUrl.
type Redirect struct {
	URL                 string
	OrderID             string
	ClientReferenceCode string
	Meta                Meta
}

// DirectSale is a paid payment: completed without 3-D Secure, or, answering
// a repeatable call (CompletePaymentOnce, PayOnce), found paid by look-up
// (after 3-D Secure too), with Record set.
type DirectSale struct {
	OrderID             string
	ClientReferenceCode string
	Meta                Meta
	// Record is Finrota's record of the payment when a repeatable call
	// found it by look-up (ListPayments); nil when this call made it.
	Record *PaymentRecord
}

// Reference implements Outcome.
func (r *Redirect) Reference() (string, string) { return r.ClientReferenceCode, r.OrderID }

// Reference implements Outcome.
func (d *DirectSale) Reference() (string, string) { return d.ClientReferenceCode, d.OrderID }

func (*Redirect) outcome()   {}
func (*DirectSale) outcome() {}

// Payment types Finrota answers with.
const (
	PaymentTypeRedirect   = "RedirectUrl"
	PaymentTypeDirectSale = "DirectSale"
)

// Validate checks the documented rules. It reports every rule broken at
// once: one *ValidationError per rule, joined (errors.As finds the first).
func (r *CompleteRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	v := httpx.NewViolations(provider, r)
	if r.PrepareToken == "" {
		v.Add("prepareToken", "required")
	}
	r.validate(v)
	return v.Err()
}

// validate adds the rules CompleteRequest shares with PayRequest.
func (r *CompleteRequest) validate(v *httpx.Violations) {
	checkAmount(v, r.Amount)
	switch u, err := url.Parse(r.ReturnURL); {
	case r.ReturnURL == "":
		v.Add("returnUrl", "required")
	case err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		v.Add("returnUrl", "must be an absolute http(s) URL")
	}
	switch {
	case strings.TrimSpace(r.ClientReferenceCode) == "":
		v.Add("clientReferenceCode", "required")
	case len(r.ClientReferenceCode) > 64:
		v.Add("clientReferenceCode", "at most 64 characters")
	}
	switch {
	case r.CustomerIP == "":
		v.AddField("CustomerIP", "customerIpAddress", "required")
	case net.ParseIP(r.CustomerIP) == nil:
		v.AddField("CustomerIP", "customerIpAddress", "must be an IP address")
	}
}

type paymentReply struct {
	PaymentType         string  `json:"paymentType"`
	RedirectTo          string  `json:"redirectTo"`
	OrderID             string  `json:"orderId"`
	ClientReferenceCode string  `json:"clientReferenceCode"`
	Success             *bool   `json:"success"`
	Error               *string `json:"error"`
}

// CompletePayment makes the prepared payment. It moves money: it is retried
// only when the request never left, and afterwards a failure matches
// ErrOutcomeUnknown. A reply with success false or an error is a
// *PaymentError (nothing was paid).
func (c *Client) CompletePayment(ctx context.Context, req *CompleteRequest) (_ Outcome, err error) {
	var ref string
	if req != nil {
		ref = req.ClientReferenceCode
	}
	ctx, sp := c.http.Trace(ctx, "finrota.CompletePayment", ref)
	defer sp.End(&err)
	if err := c.checkComplete(req); err != nil {
		return nil, err
	}
	body, err := httpx.MarshalJSON(map[string]any{
		"amount": req.Amount, "prepareToken": string(req.PrepareToken), "returnUrl": req.ReturnURL,
		"clientReferenceCode": req.ClientReferenceCode, "customerIpAddress": req.CustomerIP,
	})
	if err != nil {
		return nil, err
	}
	return c.pay(ctx, "/b2c/widget/payment", body, req.ClientReferenceCode)
}

// checkComplete is CompletePayment's check before anything is sent.
func (c *Client) checkComplete(req *CompleteRequest) error {
	if err := req.Validate(); err != nil {
		return err
	}
	if err := c.secureReturn(req.ReturnURL); err != nil {
		return err
	}
	if c.isWidgetToken(string(req.PrepareToken)) {
		return httpx.InvalidField(provider, "PrepareToken", "prepareToken", "is a widget token: pass the prepareToken from the widget's onSuccess")
	}
	return nil
}

func (c *Client) pay(ctx context.Context, path string, body []byte, ref string) (Outcome, error) {
	var r paymentReply
	req := &httpx.Request{Method: http.MethodPost, Path: path, Body: body, Retry: httpx.RetryIfNotSent,
		Unknown: "look the payment up by its clientReferenceCode (ListPayments) or in the Finrota panel before retrying; never send it again"}
	meta, err := c.send(ctx, req, &r)
	if err != nil {
		return nil, err
	}
	if r.ClientReferenceCode == "" {
		r.ClientReferenceCode = ref
	}
	if (r.Success != nil && !*r.Success) || (r.Error != nil && *r.Error != "") {
		msg := "declined"
		if r.Error != nil && *r.Error != "" {
			msg = *r.Error
		}
		return nil, &PaymentError{OrderID: r.OrderID, ClientReferenceCode: r.ClientReferenceCode, Message: msg}
	}
	switch r.PaymentType {
	case PaymentTypeRedirect:
		if !httpx.WebURL(r.RedirectTo) {
			return nil, req.OutcomeUnknown(provider, &httpx.DecodeError{Provider: provider, Into: "Redirect", Err: errors.New("redirectTo is not an absolute http(s) URL")})
		}
		return &Redirect{URL: r.RedirectTo, OrderID: r.OrderID, ClientReferenceCode: r.ClientReferenceCode, Meta: meta}, nil
	case PaymentTypeDirectSale:
		if r.Success == nil || !*r.Success {
			return nil, req.OutcomeUnknown(provider, &httpx.DecodeError{Provider: provider, Into: "DirectSale", Err: errors.New("success is not true")})
		}
		return &DirectSale{OrderID: r.OrderID, ClientReferenceCode: r.ClientReferenceCode, Meta: meta}, nil
	}
	return nil, req.OutcomeUnknown(provider, &httpx.DecodeError{Provider: provider, Into: "Outcome", Err: errors.New("unknown paymentType " + truncate(r.PaymentType, 40))})
}

// secureReturn refuses an http return URL with the production environment.
func (c *Client) secureReturn(u string) error {
	v := httpx.NewViolations(provider, nil)
	v.SecureURL("ReturnURL", "returnUrl", u, c.production)
	return v.Err()
}

// PayRequest is the direct API payment without the widget (POST
// /b2c/payment). EXPERIMENTAL: the documented request was cut short; its
// fields are those of preparePayment and widget/payment together. Handling
// card numbers brings PCI DSS scope.
type PayRequest struct {
	Card                Card
	Use3D               bool
	Currency            Currency
	Amount              Amount
	InstallmentToken    string
	ReturnURL           string
	ClientReferenceCode string
	CustomerIP          string
}

// Validate checks the rules of the request's fields, every broken one at
// once, as CompleteRequest.Validate does. (Pay also refuses an http
// ReturnURL in production.)
func (r *PayRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	v := httpx.NewViolations(provider, r)
	r.validate(v)
	return v.Err()
}

func (r *PayRequest) validate(v *httpx.Violations) {
	r.Card.validate(v)
	cr := &CompleteRequest{Amount: r.Amount, ReturnURL: r.ReturnURL, ClientReferenceCode: r.ClientReferenceCode, CustomerIP: r.CustomerIP}
	cr.validate(v)
	if r.InstallmentToken == "" {
		v.Add("installmentToken", "required")
	}
}

// checkPay is Pay's check before anything is sent, every broken rule at once.
func (c *Client) checkPay(r *PayRequest) error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	v := httpx.NewViolations(provider, r)
	r.validate(v)
	v.SecureURL("ReturnURL", "returnUrl", r.ReturnURL, c.production)
	return v.Err()
}

// Pay makes a direct payment. EXPERIMENTAL (see PayRequest). A money call,
// like CompletePayment.
func (c *Client) Pay(ctx context.Context, r *PayRequest) (_ Outcome, err error) {
	var ref string
	if r != nil {
		ref = r.ClientReferenceCode
	}
	ctx, sp := c.http.Trace(ctx, "finrota.Pay", ref)
	defer sp.End(&err)
	if err := c.checkPay(r); err != nil {
		return nil, err
	}
	body, err := httpx.MarshalJSON(map[string]any{"card": r.Card.wire(), "use3D": r.Use3D, "currency": r.Currency, "amount": r.Amount,
		"installmentToken": r.InstallmentToken, "returnUrl": r.ReturnURL, "clientReferenceCode": r.ClientReferenceCode, "customerIpAddress": r.CustomerIP})
	if err != nil {
		return nil, err
	}
	return c.pay(ctx, "/b2c/payment", body, r.ClientReferenceCode)
}

// CardProgram is one card program and POS with its installment options.
type CardProgram struct {
	ID           int64         `json:"id"`
	Name         string        `json:"name"`
	PosTitle     string        `json:"postTitle"`
	IsDefaultPos bool          `json:"isDefaultPos"`
	Installments []Installment `json:"installments"`
}

// Installment is one payable combination; Token (the InstallmentToken) is
// required to pay with it.
type Installment struct {
	CurrencyID        string `json:"currencyId"`
	Amount            Amount `json:"amount"`
	Count             int    `json:"installment"`
	InstallmentAmount Amount `json:"installmentAmount"`
	Token             string `json:"token"`
	ProcessAmount     Amount `json:"processAmount"`
	CommRate          Amount `json:"commRate"`
	PosID             int64  `json:"posId"`
	CommApplyTypeID   int    `json:"commApplyTypeId"`
}

// PaymentOptions lists card programs and installments for a card's BIN
// (GET /b2c/paymentOptions; the access token goes in both Authorization and
// Proxy-Authorization, as Finrota's page asks). Safe to retry.
func (c *Client) PaymentOptions(ctx context.Context, bin string, amount Amount, currency Currency) (_ []CardProgram, err error) {
	ctx, sp := c.http.Trace(ctx, "finrota.PaymentOptions", "")
	defer sp.End(&err)
	v := httpx.NewViolations(provider, nil)
	switch {
	case bin == "":
		v.AddField("bin", "binNumber", "required")
	case len(bin) < 6 || len(bin) > 8 || strings.Trim(bin, "0123456789") != "":
		v.AddField("bin", "binNumber", "must be the card's first 6 to 8 digits")
	}
	checkAmount(v, amount)
	if currency == "" {
		v.Add("currency", "required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	q := url.Values{"binNumber": {bin}, "amount": {amount.String()}, "currency": {string(currency)}}
	var raw rawList
	if _, err := c.send(ctx, &httpx.Request{Method: http.MethodGet, Path: "/b2c/paymentOptions", Query: q, Retry: httpx.RetrySafe}, &raw); err != nil {
		return nil, err
	}
	return raw.programs, nil
}

// rawList accepts a bare array or an object wrapping one in data.
type rawList struct{ programs []CardProgram }

func (r *rawList) UnmarshalJSON(b []byte) error {
	if t := strings.TrimSpace(string(b)); strings.HasPrefix(t, "[") {
		return jsonUnmarshal(b, &r.programs)
	}
	var w struct {
		Data []CardProgram `json:"data"`
	}
	if err := jsonUnmarshal(b, &w); err != nil {
		return err
	}
	r.programs = w.Data
	return nil
}
