package finrota

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// PaymentRecord is one transaction as Finrota's ERP service lists it.
type PaymentRecord struct {
	ID                    int64  `json:"id"`
	ReferenceNumber       string `json:"referenceNumber"`
	ClientReferenceNumber string `json:"clientReferenceNumber"`
	CurrencyType          string `json:"currencyType"`
	TransactionDate       string `json:"transactionDate"`
	Installment           int    `json:"installment"`
	LastAmount            Amount `json:"lastAmount"`
	LastNetAmount         Amount `json:"lastNetAmount"`
	CommRate              Amount `json:"commRate"`
}

// PaymentFilter narrows ListPayments.
type PaymentFilter struct {
	ClientReferenceCode string
	ReferenceCode       string
	Page, PageSize      int
}

// ListPayments lists completed transactions (GET /erp/payments), the one
// documented way to look a payment up after a 3-D return or an
// ErrOutcomeUnknown. EXPERIMENTAL: it needs Finrota's ERP licence and lists
// completed payments only. Safe to retry.
func (c *Client) ListPayments(ctx context.Context, f PaymentFilter) (_ []PaymentRecord, err error) {
	ctx, sp := c.http.Trace(ctx, "finrota.ListPayments", "")
	defer sp.End(&err)
	if f.Page < 0 || f.PageSize < 0 || f.PageSize > 1000 {
		return nil, httpx.Invalid(provider, "page", "page and pageSize out of range")
	}
	if f.Page == 0 {
		f.Page = 1
	}
	if f.PageSize == 0 {
		f.PageSize = 10
	}
	q := url.Values{"page": {strconv.Itoa(f.Page)}, "pageSize": {strconv.Itoa(f.PageSize)}}
	if f.ClientReferenceCode != "" {
		q.Set("clientReferenceCode", f.ClientReferenceCode)
	}
	if f.ReferenceCode != "" {
		q.Set("referenceCode", f.ReferenceCode)
	}
	var out struct {
		Data []PaymentRecord `json:"data"`
	}
	if _, err := c.send(ctx, &httpx.Request{Method: http.MethodGet, Path: "/erp/payments", Query: q, Retry: httpx.RetrySafe}, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}
