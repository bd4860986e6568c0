package flexiti

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/paging"
)

// Transaction types of a financed purchase.
const (
	PromotionalPurchase = "promotional_purchase"
	RegularPurchase     = "regular_purchase"
)

// FinancingOption chooses how the purchase is financed; PlanID and Term
// come from CalculateInterest and are required for a promotional purchase.
type FinancingOption struct {
	TransactionType string `json:"transaction_type"`
	PlanID          ID     `json:"plan_id,omitempty"`
	Term            int    `json:"term,omitempty"`
}

// Product is one line of sku_data (shown on the statement, not validated).
type Product struct {
	SKUID         string  `json:"sku_id,omitempty"`
	Category      string  `json:"category,omitempty"`
	Description   string  `json:"description,omitempty"`
	Quantity      int     `json:"quantity,omitempty"`
	UnitPrice     *Amount `json:"unit_price,omitempty"`
	ExtendedPrice *Amount `json:"extended_price,omitempty"`
}

// SKUData describes the basket.
type SKUData struct {
	PurchaseOrder            string    `json:"purchase_order,omitempty"`
	RegisterID               string    `json:"register_id,omitempty"`
	ShippingTotal            *Amount   `json:"shipping_total,omitempty"`
	TransactionDiscountTotal *Amount   `json:"transaction_discount_total,omitempty"`
	TransactionSubtotal      *Amount   `json:"transaction_subtotal,omitempty"`
	TransactionTotal         *Amount   `json:"transaction_total,omitempty"`
	GSTHST                   *Amount   `json:"gst_hst,omitempty"`
	PST                      *Amount   `json:"pst,omitempty"`
	Products                 []Product `json:"products,omitempty"`
}

// AuthorizeRequest finances a purchase (POST /v2.5.1/…/authorization). The
// online flow never sends a verification_code; this type has none.
type AuthorizeRequest struct {
	AccountNumber ID     `json:"account_number"`
	VCCNumber     string `json:"vcc_number,omitempty"`
	// Reference is the merchant's order id (at most 40); FindAuthorization
	// looks an authorization up by it.
	Reference       string          `json:"reference,omitempty"`
	FinancingOption FinancingOption `json:"financing_option"`
	Amount          Amount          `json:"amount"`
	// AutoCapture captures at once (a sale); false makes a pre-authorization.
	AutoCapture bool     `json:"auto_capture"`
	SKUData     *SKUData `json:"sku_data,omitempty"`
}

// Validate checks the documented rules. It reports every rule broken at
// once: one *ValidationError per rule, joined (errors.As finds the first).
func (r *AuthorizeRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	v := httpx.NewViolations(provider, r)
	switch {
	case r.AccountNumber == 0:
		v.Add("account_number", "required")
	case r.AccountNumber < 0 || r.AccountNumber > 99999999999999:
		v.Add("account_number", "at most 14 digits")
	}
	if r.VCCNumber != "" && (len(r.VCCNumber) != 16 || strings.Trim(r.VCCNumber, "0123456789") != "") {
		v.Add("vcc_number", "must be 16 digits")
	}
	if len(r.Reference) > 40 {
		v.Add("reference", "at most 40 characters")
	}
	v.AddErr(checkAmount("amount", r.Amount))
	switch r.FinancingOption.TransactionType {
	case PromotionalPurchase:
		if r.FinancingOption.PlanID <= 0 {
			v.Add("financing_option.plan_id", "required for a promotional purchase")
		}
		if r.FinancingOption.Term <= 0 {
			v.Add("financing_option.term", "required for a promotional purchase")
		}
	case RegularPurchase:
	case "":
		v.Add("financing_option.transaction_type", "required")
	default:
		v.Add("financing_option.transaction_type", "must be promotional_purchase or regular_purchase")
	}
	if r.SKUData != nil && len(r.SKUData.PurchaseOrder) > 10 {
		v.Add("sku_data.purchase_order", "at most 10 characters")
	}
	return v.Err()
}

func checkAmount(field string, a Amount) error {
	if a.Cmp(Amount{}) == 0 {
		return httpx.Invalid(provider, field, "required")
	}
	if !a.IsPositive() {
		return httpx.Invalid(provider, field, "must be greater than 0")
	}
	if a.cents > maxCents {
		return httpx.Invalid(provider, field, ruleRange)
	}
	return nil
}

// Authorization is an authorization as Flexiti answers it. The
// specification could not see every field: the known ones are typed and
// Raw keeps the whole reply.
type Authorization struct {
	AuthorizationID ID     `json:"authorization_id"`
	CaptureID       *ID    `json:"capture_id,omitempty"`
	AccountNumber   ID     `json:"account_number,omitempty"`
	Amount          Amount `json:"amount"`
	Reference       string `json:"reference,omitempty"`
	Status          string `json:"authorization_status,omitempty"`
	// Raw is the reply as sent; it prints as its size only.
	Raw  RawBody `json:"-"`
	Meta Meta    `json:"-"`
}

func (a *Authorization) UnmarshalJSON(b []byte) error {
	type plain Authorization
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*a = Authorization(p)
	a.Raw = append(RawBody(nil), b...)
	return nil
}

// Authorize finances the purchase of the shopper who passed the widget in
// this flow. It moves money: retried only when the request never left; on
// ErrOutcomeUnknown call FindAuthorization with the same reference first.
// It sends one authorization per call: a checkout should call
// AuthorizeOnce, which makes the authorization idempotent by reference.
func (f *Flow) Authorize(ctx context.Context, r *AuthorizeRequest) (_ *Authorization, err error) {
	var ref string
	if r != nil {
		ref = r.Reference
	}
	ctx, sp := f.c.http.Trace(ctx, "flexiti.Flow.Authorize", ref)
	defer sp.End(&err)
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var out Authorization
	meta, err := f.call(ctx, epAuthorize, nil, r, &out, httpx.RetryIfNotSent)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// CaptureRequest captures (part of) a pre-authorization.
type CaptureRequest struct {
	Amount    Amount   `json:"amount"`
	Reference string   `json:"reference,omitempty"`
	SKUData   *SKUData `json:"sku_data,omitempty"`
}

// Capture is a capture as Flexiti answers it (Raw keeps the whole reply).
type Capture struct {
	CaptureID       ID      `json:"capture_id"`
	AuthorizationID ID      `json:"authorization_id,omitempty"`
	Amount          Amount  `json:"amount"`
	Reference       string  `json:"reference,omitempty"`
	Date            string  `json:"date,omitempty"`
	Raw             RawBody `json:"-"` // the reply as sent; prints as its size only
	Meta            Meta    `json:"-"`
}

func (c *Capture) UnmarshalJSON(b []byte) error {
	type plain Capture
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*c = Capture(p)
	c.Raw = append(RawBody(nil), b...)
	return nil
}

func checkID(field string, id ID) error {
	if id <= 0 {
		return httpx.Invalid(provider, field, "required")
	}
	return nil
}

// Capture captures a pre-authorization (merchant scope). A money call.
func (c *Client) Capture(ctx context.Context, authorizationID ID, r *CaptureRequest) (_ *Capture, err error) {
	var ref string
	if r != nil {
		ref = r.Reference
	}
	ctx, sp := c.http.Trace(ctx, "flexiti.Capture", ref)
	defer sp.End(&err)
	if r == nil {
		return nil, httpx.Invalid(provider, "request", "required")
	}
	if err := allErrs(r, checkID("authorizationId", authorizationID), checkAmount("amount", r.Amount), checkRef(r.Reference)); err != nil {
		return nil, err
	}
	var out Capture
	meta, err := c.backOffice(ctx, http.MethodPost, epCapture, []string{authorizationID.String()}, nil, r, &out, httpx.RetryIfNotSent)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// ReleaseRequest voids (part of) a pre-authorization; a zero Amount
// releases all of it.
type ReleaseRequest struct {
	Amount    *Amount `json:"amount,omitempty"`
	Reference string  `json:"reference,omitempty"`
}

// Release voids a pre-authorization (merchant scope). A money call.
func (c *Client) Release(ctx context.Context, authorizationID ID, r *ReleaseRequest) (_ json.RawMessage, err error) {
	var ref string
	if r != nil {
		ref = r.Reference
	}
	ctx, sp := c.http.Trace(ctx, "flexiti.Release", ref)
	defer sp.End(&err)
	if r == nil {
		r = &ReleaseRequest{}
	}
	if err := allErrs(r, checkID("authorizationId", authorizationID), checkRef(r.Reference)); err != nil {
		return nil, err
	}
	if r.Amount != nil {
		if err := checkAmount("amount", *r.Amount); err != nil {
			return nil, err
		}
	}
	var out json.RawMessage
	_, err = c.backOffice(ctx, http.MethodPost, epRelease, []string{authorizationID.String()}, nil, r, &out, httpx.RetryIfNotSent)
	return out, err
}

// ReturnRequest returns (part of) a capture. Flexiti refuses returns on
// captures older than 100 days (ErrReturnDateExceeded): use Refund then.
type ReturnRequest struct {
	Reference  string  `json:"reference,omitempty"`
	VCCNumber  string  `json:"vcc_number,omitempty"`
	FullReturn bool    `json:"full_return"`
	Amount     *Amount `json:"amount,omitempty"`
}

// Return is a return as Flexiti answers it.
type Return struct {
	ReturnID                     ID      `json:"return_id"`
	Reference                    string  `json:"reference,omitempty"`
	CaptureID                    ID      `json:"capture_id"`
	Date                         string  `json:"date,omitempty"`
	Amount                       Amount  `json:"amount"`
	RemainingCaptureAmount       *Amount `json:"remaining_capture_amount,omitempty"`
	RemainingAuthorizationAmount *Amount `json:"remaining_authorization_amount,omitempty"`
	Raw                          RawBody `json:"-"` // the reply as sent; prints as its size only
}

// Return returns against a capture (merchant scope). A money call.
func (c *Client) Return(ctx context.Context, authorizationID, captureID ID, r *ReturnRequest) (_ *Return, err error) {
	var ref string
	if r != nil {
		ref = r.Reference
	}
	ctx, sp := c.http.Trace(ctx, "flexiti.Return", ref)
	defer sp.End(&err)
	if r == nil {
		return nil, httpx.Invalid(provider, "request", "required")
	}
	var both, amount error
	if r.FullReturn == (r.Amount != nil) {
		both = httpx.InvalidField(provider, "Amount", "amount", "exactly one of full_return and amount")
	}
	if r.Amount != nil {
		amount = checkAmount("amount", *r.Amount)
	}
	if err := allErrs(r, checkID("authorizationId", authorizationID), checkID("captureId", captureID), checkRef(r.Reference), both, amount); err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if _, err := c.backOffice(ctx, http.MethodPost, epReturn, []string{authorizationID.String(), captureID.String()}, nil, r, &raw, httpx.RetryIfNotSent); err != nil {
		return nil, err
	}
	var out Return
	if err := httpx.DecodeJSON(provider, raw, &out); err != nil {
		return nil, httpx.OutcomeUnknownAdvice(provider, unknownAdvice[epReturn], err)
	}
	out.Raw = RawBody(raw)
	return &out, nil
}

// RefundRequest refunds to an account (regular purchases, or returns after
// 100 days).
type RefundRequest struct {
	Amount    Amount `json:"amount"`
	Reference string `json:"reference,omitempty"`
	VCCNumber string `json:"vcc_number,omitempty"`
}

// Refund refunds to an account (merchant scope). A money call.
func (c *Client) Refund(ctx context.Context, accountNumber ID, r *RefundRequest) (_ json.RawMessage, err error) {
	var ref string
	if r != nil {
		ref = r.Reference
	}
	ctx, sp := c.http.Trace(ctx, "flexiti.Refund", ref)
	defer sp.End(&err)
	if r == nil {
		return nil, httpx.Invalid(provider, "request", "required")
	}
	if err := allErrs(r, checkID("account_number", accountNumber), checkAmount("amount", r.Amount), checkRef(r.Reference)); err != nil {
		return nil, err
	}
	var out json.RawMessage
	_, err = c.backOffice(ctx, http.MethodPost, epRefund, []string{accountNumber.String()}, nil, r, &out, httpx.RetryIfNotSent)
	return out, err
}

// GetAuthorization reads one authorization (merchant scope). Safe to retry.
func (c *Client) GetAuthorization(ctx context.Context, id ID) (_ *Authorization, err error) {
	ctx, sp := c.http.Trace(ctx, "flexiti.GetAuthorization", "")
	defer sp.End(&err)
	if err := checkID("authorizationId", id); err != nil {
		return nil, err
	}
	var out Authorization
	meta, err := c.backOffice(ctx, http.MethodGet, epGetAuthorization, []string{id.String()}, nil, nil, &out, httpx.RetrySafe)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// AuthorizationFilter narrows ListAuthorizations. Dates are YYYY-MM-DD.
type AuthorizationFilter struct {
	AccountNumber       ID
	TransactionType     string
	AuthorizationStatus string
	CreatedFrom         string
	CreatedTo           string
	Page                int
	PageSize            int
}

// AuthorizationStatusOpened is the one status value Flexiti documents.
const AuthorizationStatusOpened = "opened"

// ListAuthorizations lists authorizations (merchant scope). Safe to retry.
func (c *Client) ListAuthorizations(ctx context.Context, f AuthorizationFilter) (_ []Authorization, err error) {
	ctx, sp := c.http.Trace(ctx, "flexiti.ListAuthorizations", "")
	defer sp.End(&err)
	q := url.Values{}
	if f.AccountNumber > 0 {
		q.Set("account_number", f.AccountNumber.String())
	}
	for k, v := range map[string]string{"transaction_type": f.TransactionType, "authorization_status": f.AuthorizationStatus,
		"creation_date_from": f.CreatedFrom, "creation_date_to": f.CreatedTo} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	if f.PageSize <= 0 || f.PageSize > 100 {
		f.PageSize = 100
	}
	q.Set("page_number", strconv.Itoa(f.Page))
	q.Set("page_size", strconv.Itoa(f.PageSize))
	var raw json.RawMessage
	if _, err := c.backOffice(ctx, http.MethodGet, epListAuthorizations, nil, q, nil, &raw, httpx.RetrySafe); err != nil {
		return nil, err
	}
	return decodeList[Authorization](raw, "authorizations")
}

// AllAuthorizations walks every page of ListAuthorizations from f.Page
// (default 1) with f.PageSize (default and at most 100): range over it for
// each authorization, and stop when you have what you need. The first error
// is yielded and ends the walk. Each page is one safe-to-retry read.
func (c *Client) AllAuthorizations(ctx context.Context, f AuthorizationFilter) iter.Seq2[Authorization, error] {
	size := f.PageSize
	if size <= 0 || size > 100 {
		size = 100
	}
	first := max(f.Page, 1)
	return paging.All(ctx, first, func(ctx context.Context, page int) ([]Authorization, bool, error) {
		g := f
		g.Page = page
		list, err := c.ListAuthorizations(ctx, g)
		return list, len(list) >= size, err
	})
}

// FindAuthorization looks an account's authorizations up by the merchant's
// reference: the way to settle an ErrOutcomeUnknown from Authorize. It
// returns nil when there is none.
func (c *Client) FindAuthorization(ctx context.Context, accountNumber ID, reference string) (_ *Authorization, err error) {
	ctx, sp := c.http.Trace(ctx, "flexiti.FindAuthorization", reference)
	defer sp.End(&err)
	if reference == "" {
		return nil, httpx.Invalid(provider, "reference", "required")
	}
	for page := 1; page <= 50; page++ {
		list, err := c.ListAuthorizations(ctx, AuthorizationFilter{AccountNumber: accountNumber, Page: page, PageSize: 100})
		if err != nil {
			return nil, err
		}
		for i := range list {
			if list[i].Reference == reference {
				return &list[i], nil
			}
		}
		if len(list) < 100 {
			return nil, nil
		}
	}
	return nil, nil
}

// Captures lists captures (merchant scope). Safe to retry.
func (c *Client) Captures(ctx context.Context, q url.Values) (_ []Capture, err error) {
	ctx, sp := c.http.Trace(ctx, "flexiti.Captures", "")
	defer sp.End(&err)
	var raw json.RawMessage
	if _, err := c.backOffice(ctx, http.MethodGet, epCaptures, nil, q, nil, &raw, httpx.RetrySafe); err != nil {
		return nil, err
	}
	return decodeList[Capture](raw, "captures")
}

// decodeList accepts a bare array or an object holding it under key, data
// or items.
func decodeList[T any](raw json.RawMessage, key string) ([]T, error) {
	var list []T
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var obj map[string]json.RawMessage
	if err := httpx.DecodeJSON(provider, raw, &obj); err != nil {
		return nil, err
	}
	for _, k := range []string{key, "data", "items"} {
		if v, ok := obj[k]; ok {
			if err := httpx.DecodeJSON(provider, v, &list); err != nil {
				return nil, err
			}
			return list, nil
		}
	}
	return nil, nil
}

func checkRef(ref string) error {
	if len(ref) > 40 {
		return httpx.Invalid(provider, "reference", "at most 40 characters")
	}
	return nil
}

// allErrs reports every rule broken at once (one *ValidationError each,
// joined; errors.As finds the first).
// req, when not nil, gives the Go names of its wire fields.
func allErrs(req any, errs ...error) error { return httpx.Collect(provider, req, errs...) }
