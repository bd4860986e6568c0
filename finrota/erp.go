package finrota

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/paging"
)

// PaymentRecord is one transaction as Finrota's ERP service lists it.
type PaymentRecord struct {
	// ID is Finrota's transactionId, a GUID.
	ID string `json:"id"`
	// ReferenceNumber is Finrota's reference (NTH15P0000000092), the
	// orderId of the payment call's reply.
	ReferenceNumber string `json:"referenceNumber"`
	// ClientReferenceNumber is the merchant's clientReferenceCode (null,
	// so empty, for a payment made without one).
	ClientReferenceNumber string `json:"clientReferenceNumber"`
	CurrencyType          string `json:"currencyType"`
	TransactionDate       string `json:"transactionDate"`
	Installment           int    `json:"installment"`
	// LastAmount is the current gross amount.
	LastAmount    Amount `json:"lastAmount"`
	LastNetAmount Amount `json:"lastNetAmount"`
	CommRate      Amount `json:"commRate"`
	// Status is transactionStatusId; zero when the listing omits it.
	Status TransactionStatus `json:"transactionStatusId"`
}

// TransactionStatus is Finrota's transactionStatusId of a transaction, as
// its transaction query documents it (VPWS: 1 successful, 2 failed, 3
// pending). The ERP listing's sample is cut short before it; a record
// listed without one (zero) is read as the listing's documented content: a
// completed payment.
type TransactionStatus int

// The documented statuses.
const (
	// TransactionSuccessful: paid.
	TransactionSuccessful TransactionStatus = 1
	// TransactionFailed: declined or failed (a failed or abandoned 3-D
	// Secure step too); nothing was paid.
	TransactionFailed TransactionStatus = 2
	// TransactionPending: under way, e.g. waiting for the shopper's 3-D
	// Secure step at the bank.
	TransactionPending TransactionStatus = 3
)

// Paid reports whether the transaction was paid: TransactionSuccessful, or
// no status at all (a record of the ERP listing, which lists completed
// payments).
func (s TransactionStatus) Paid() bool { return s == TransactionSuccessful || s == 0 }

// Failed reports whether the transaction failed (nothing was paid).
func (s TransactionStatus) Failed() bool { return s == TransactionFailed }

// Pending reports whether the transaction has no final verdict yet: pending,
// or a status Finrota has not documented.
func (s TransactionStatus) Pending() bool { return !s.Paid() && !s.Failed() }

// String names the status: "paid", "failed", "pending" or
// "TransactionStatus(n)".
func (s TransactionStatus) String() string {
	switch {
	case s.Paid():
		return "paid"
	case s.Failed():
		return "failed"
	case s == TransactionPending:
		return "pending"
	}
	return "TransactionStatus(" + strconv.Itoa(int(s)) + ")"
}

// PaymentFilter narrows ListPayments.
type PaymentFilter struct {
	ClientReferenceCode string
	ReferenceCode       string
	Page, PageSize      int
}

// ListPayments lists transactions (GET /erp/payments), the one documented
// way to look a payment up after a 3-D return or an ErrOutcomeUnknown; check
// each record's Status (Paid, Failed, Pending) before fulfilling.
// EXPERIMENTAL: it needs Finrota's ERP licence, and Finrota's page does not
// say whether it lists failed and pending transactions too or only
// completed ones. Safe to retry.
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

// AllPayments walks every page of ListPayments from f.Page (default 1) with
// f.PageSize (default 10): range over it for each record, and stop when you
// have what you need. The first error is yielded and ends the walk. Each
// page is one safe-to-retry read.
func (c *Client) AllPayments(ctx context.Context, f PaymentFilter) iter.Seq2[PaymentRecord, error] {
	size := f.PageSize
	if size == 0 {
		size = 10
	}
	first := max(f.Page, 1)
	return paging.All(ctx, first, func(ctx context.Context, page int) ([]PaymentRecord, bool, error) {
		g := f
		g.Page = page
		recs, err := c.ListPayments(ctx, g)
		return recs, len(recs) >= size, err
	})
}
