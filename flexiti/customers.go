package flexiti

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Application is the answer to Apply; a decline or a pending decision comes
// back as an error (ErrApplicationDeclined, ErrApplicationPending).
type Application struct {
	AccountNumber ID      `json:"account_number,omitempty"`
	CreditLimit   *Amount `json:"credit_limit,omitempty"`
	// Raw is the reply as sent; it prints as its size only.
	Raw RawBody `json:"-"`
}

// ApplyRequest is the body of /apply: the widget's personal information
// again, with the flow's widget session id.
type ApplyRequest struct {
	WidgetInitRequest
	WidgetSessionID string `json:"widget_session_id"`
}

// Apply submits the credit application after the apply flow's flx-success
// (mandatory). It creates an account: retried only when never sent.
func (f *Flow) Apply(ctx context.Context, r *WidgetInitRequest) (_ *Application, err error) {
	ctx, sp := f.c.http.Trace(ctx, "flexiti.Flow.Apply", "")
	defer sp.End(&err)
	if r == nil || r.Flow != FlowApply {
		return nil, httpx.InvalidField(provider, "Flow", "flow", "Apply needs the apply flow's request")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if f.session == "" {
		return nil, httpx.Invalid(provider, "widget_session_id", "call WidgetInit first")
	}
	var raw json.RawMessage
	if _, err := f.call(ctx, epApply, nil, &ApplyRequest{WidgetInitRequest: *r, WidgetSessionID: f.session}, &raw, httpx.RetryIfNotSent); err != nil {
		return nil, err
	}
	var out Application
	if err := httpx.DecodeJSON(provider, raw, &out); err != nil {
		return nil, httpx.OutcomeUnknownAdvice(provider, unknownAdvice[epApply], err)
	}
	out.Raw = RawBody(raw)
	return &out, nil
}

// InterestOptions are the financing choices for an amount.
type InterestOptions struct {
	AccountNumber   ID     `json:"account_number"`
	AccountType     string `json:"account_type"`
	Amount          Amount `json:"amount"`
	RegularPurchase *struct {
		TermAmount *Amount `json:"term_amount"`
		AIR        *Amount `json:"air"`
	} `json:"regular_purchase,omitempty"`
	PromotionalPurchase *struct {
		PlanID ID `json:"plan_id"`
		Terms  []struct {
			Term       int     `json:"term"`
			TermAmount *Amount `json:"term_amount"`
			APR        *Amount `json:"apr"`
		} `json:"terms"`
	} `json:"promotional_purchase,omitempty"`
}

// CalculateInterest returns the plans and terms for amount (the source of
// plan_id and term for a promotional Authorize). Safe to retry.
func (c *Client) CalculateInterest(ctx context.Context, accountNumber ID, amount Amount) (_ *InterestOptions, err error) {
	ctx, sp := c.http.Trace(ctx, "flexiti.CalculateInterest", "")
	defer sp.End(&err)
	if err := allErrs(nil, checkID("account_number", accountNumber), checkAmount("amount", amount)); err != nil {
		return nil, err
	}
	var out InterestOptions
	_, err = c.backOffice(ctx, http.MethodPost, epCalculateInterest, []string{accountNumber.String()}, nil, map[string]Amount{"amount": amount}, &out, httpx.RetrySafe)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Customer is one account as customer search and lookup return it.
type Customer struct {
	CustomerID              string  `json:"customer_id"`
	AccountNumber           ID      `json:"account_number"`
	AccountStatus           string  `json:"account_status"`
	AccountStatusReasonCode string  `json:"account_status_reason_code"`
	CustomerAccountType     string  `json:"customer_account_type"`
	FirstName               string  `json:"first_name"`
	LastName                string  `json:"last_name"`
	CardEndingIn            string  `json:"card_ending_in"`
	CreditLimit             *Amount `json:"credit_limit"`
	AvailableCredit         *Amount `json:"available_credit"`
	PreferredLanguage       string  `json:"preferred_language"`
}

// CanPurchase reports account status N (normal), the only one that can buy.
func (c *Customer) CanPurchase() bool { return c.AccountStatus == "N" }

// CustomersSearch finds accounts by name, birth date and (optionally)
// postal code. Safe to retry.
func (c *Client) CustomersSearch(ctx context.Context, p PersonalInformation) (_ []Customer, err error) {
	ctx, sp := c.http.Trace(ctx, "flexiti.CustomersSearch", "")
	defer sp.End(&err)
	pc := p.PostalCode
	if pc == "" {
		p.PostalCode = "A1A1A1" // postal code is optional here
	}
	v := httpx.NewViolations(provider, &p)
	p.validate(v, "")
	if err := v.Err(); err != nil {
		return nil, err
	}
	q := url.Values{"first_name": {p.FirstName}, "last_name": {p.LastName}, "dob": {p.DOB}}
	if pc != "" {
		q.Set("postal_code", pc)
	}
	var raw json.RawMessage
	if _, err := c.backOffice(ctx, http.MethodGet, epCustomersSearch, nil, q, nil, &raw, httpx.RetrySafe); err != nil {
		return nil, err
	}
	return decodeList[Customer](raw, "customers")
}

// CustomersLookup finds an account by one of vcc_number, account_number or
// customer_id (key) with its value. Safe to retry.
func (c *Client) CustomersLookup(ctx context.Context, key, value string) (_ []Customer, err error) {
	ctx, sp := c.http.Trace(ctx, "flexiti.CustomersLookup", "")
	defer sp.End(&err)
	if (key != "vcc_number" && key != "account_number" && key != "customer_id") || value == "" {
		return nil, httpx.Invalid(provider, "lookup", "one of vcc_number, account_number or customer_id, with a value")
	}
	var raw json.RawMessage
	if _, err := c.backOffice(ctx, http.MethodGet, epCustomersLookup, nil, url.Values{key: {value}}, nil, &raw, httpx.RetrySafe); err != nil {
		return nil, err
	}
	var one Customer
	if err := json.Unmarshal(raw, &one); err == nil && one.AccountNumber != 0 {
		return []Customer{one}, nil
	}
	return decodeList[Customer](raw, "customers")
}

// MerchantsLogin is Flexiti's old "login as merchant".
//
// Deprecated: Flexiti deprecated it in release 20.3; it is not needed to
// authenticate. Use CalculateInterest for plans and terms.
func (f *Flow) MerchantsLogin(ctx context.Context) (_ json.RawMessage, err error) {
	ctx, sp := f.c.http.Trace(ctx, "flexiti.Flow.MerchantsLogin", "")
	defer sp.End(&err)
	var out json.RawMessage
	_, err = f.call(ctx, epMerchantsLogin, nil, map[string]string{}, &out, httpx.RetrySafe)
	return out, err
}
