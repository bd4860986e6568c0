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
)

// Amount is an exact amount in lira with kuruş (27.50), a bare JSON number
// on the wire; never a float.
type Amount = decimal.Decimal

// ParseAmount parses "2750" or "27.50".
func ParseAmount(s string) (Amount, error) { return decimal.Parse(s) }

// MustParseAmount is ParseAmount for constants; it panics on a bad literal.
func MustParseAmount(s string) Amount { return decimal.MustParse(s) }

// Currency is an ISO 4217 code; unknown codes are passed through.
type Currency string

// Currencies Finrota's documents show.
const (
	TRY Currency = "TRY"
	USD Currency = "USD"
	EUR Currency = "EUR"
)

func checkAmount(a Amount) error {
	if a.Sign() <= 0 {
		return httpx.Invalid(provider, "amount", "must be greater than 0")
	}
	if a.Places() > 2 {
		return httpx.Invalid(provider, "amount", "at most two decimal places (kuruş)")
	}
	return nil
}

// CompleteRequest completes a prepared payment (POST /b2c/widget/payment).
// Take Amount from your own order record, never from the browser.
type CompleteRequest struct {
	Amount       Amount
	PrepareToken PrepareToken
	// ReturnURL is where the bank sends the shopper after 3-D Secure
	// (absolute http(s)). Finrota documents nothing in the return that
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

// DirectSale is a payment completed without 3-D Secure.
type DirectSale struct {
	OrderID             string
	ClientReferenceCode string
	Meta                Meta
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

// Validate checks the documented rules.
func (r *CompleteRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	if err := checkAmount(r.Amount); err != nil {
		return err
	}
	if r.PrepareToken == "" {
		return httpx.Invalid(provider, "prepareToken", "required")
	}
	if err := checkReturnURL(r.ReturnURL); err != nil {
		return err
	}
	if strings.TrimSpace(r.ClientReferenceCode) == "" || len(r.ClientReferenceCode) > 64 {
		return httpx.Invalid(provider, "clientReferenceCode", "required, at most 64 characters")
	}
	if net.ParseIP(r.CustomerIP) == nil {
		return httpx.Invalid(provider, "customerIpAddress", "must be an IP address")
	}
	return nil
}

func checkReturnURL(s string) error {
	u, err := url.Parse(s)
	if s == "" || err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return httpx.Invalid(provider, "returnUrl", "must be an absolute http(s) URL")
	}
	return nil
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
func (c *Client) CompletePayment(ctx context.Context, req *CompleteRequest) (Outcome, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if c.isWidgetToken(string(req.PrepareToken)) {
		return nil, httpx.Invalid(provider, "prepareToken", "is a widget token: pass the prepareToken from the widget's onSuccess")
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

func (c *Client) pay(ctx context.Context, path string, body []byte, ref string) (Outcome, error) {
	var r paymentReply
	meta, err := c.send(ctx, &httpx.Request{Method: http.MethodPost, Path: path, Body: body, Retry: httpx.RetryIfNotSent}, &r)
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
			return nil, httpx.OutcomeUnknown(&httpx.DecodeError{Provider: provider, Into: "Redirect", Err: errors.New("redirectTo is not an absolute http(s) URL")})
		}
		return &Redirect{URL: r.RedirectTo, OrderID: r.OrderID, ClientReferenceCode: r.ClientReferenceCode, Meta: meta}, nil
	case PaymentTypeDirectSale:
		if r.Success == nil || !*r.Success {
			return nil, httpx.OutcomeUnknown(&httpx.DecodeError{Provider: provider, Into: "DirectSale", Err: errors.New("success is not true")})
		}
		return &DirectSale{OrderID: r.OrderID, ClientReferenceCode: r.ClientReferenceCode, Meta: meta}, nil
	}
	return nil, httpx.OutcomeUnknown(&httpx.DecodeError{Provider: provider, Into: "Outcome", Err: errors.New("unknown paymentType " + truncate(r.PaymentType, 40))})
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

// Pay makes a direct payment. EXPERIMENTAL (see PayRequest). A money call,
// like CompletePayment.
func (c *Client) Pay(ctx context.Context, r *PayRequest) (Outcome, error) {
	if r == nil {
		return nil, httpx.Invalid(provider, "request", "required")
	}
	if err := r.Card.validate(); err != nil {
		return nil, err
	}
	cr := &CompleteRequest{Amount: r.Amount, PrepareToken: "-", ReturnURL: r.ReturnURL, ClientReferenceCode: r.ClientReferenceCode, CustomerIP: r.CustomerIP}
	if err := cr.Validate(); err != nil {
		return nil, err
	}
	if r.InstallmentToken == "" {
		return nil, httpx.Invalid(provider, "installmentToken", "required")
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
func (c *Client) PaymentOptions(ctx context.Context, bin string, amount Amount, currency Currency) ([]CardProgram, error) {
	if len(bin) < 6 || len(bin) > 8 || strings.Trim(bin, "0123456789") != "" {
		return nil, httpx.Invalid(provider, "binNumber", "must be the card's first 6 to 8 digits")
	}
	if err := checkAmount(amount); err != nil {
		return nil, err
	}
	if currency == "" {
		return nil, httpx.Invalid(provider, "currency", "required")
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
