package odero

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/paging"
)

// RefundRequest refunds a whole payment (POST /payment/v1/refunds). The
// platform decides between a cancel and a refund and says which in
// Refund.Type.
type RefundRequest struct {
	PaymentID      int64  `json:"paymentId"`
	ConversationID string `json:"conversationId,omitempty"`
	// Destination is refundDestinationType, which the specification lists
	// as required with the default CARD: it is always sent, CARD unless
	// set to RefundToWallet.
	Destination RefundDestination `json:"refundDestinationType"`
}

// Validate checks the documented rules. It reports every rule broken at
// once: one *ValidationError per rule, joined (errors.As finds the first).
func (r *RefundRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	v := httpx.NewViolations(provider, r)
	if r.PaymentID <= 0 {
		v.Add("paymentId", "required")
	}
	v.AddErr(validateDestination(r.Destination))
	return v.Err()
}

// destination is what is sent for d: CARD when the merchant chose nothing.
func destination(d RefundDestination) RefundDestination {
	if d == "" {
		return RefundToCard
	}
	return d
}

func validateDestination(d RefundDestination) error {
	if d != "" && d != RefundToCard && d != RefundToWallet {
		return httpx.Invalid(provider, "refundDestinationType", "must be CARD or WALLET")
	}
	return nil
}

// Refund is a refund of a whole payment.
type Refund struct {
	ID                 int64               `json:"id"`
	ConversationID     string              `json:"conversationId,omitempty"`
	CreatedDate        DateTime            `json:"createdDate,omitzero"`
	Status             RefundStatus        `json:"status,omitempty"`
	RefundPrice        Amount              `json:"refundPrice"`
	RefundBankPrice    *Amount             `json:"refundBankPrice,omitempty"`
	RefundWalletPrice  *Amount             `json:"refundWalletPrice,omitempty"`
	Type               RefundType          `json:"refundType,omitempty"`
	Destination        RefundDestination   `json:"refundDestinationType,omitempty"`
	Currency           Currency            `json:"currency,omitempty"`
	PaymentID          int64               `json:"paymentId,omitempty"`
	TxRefunds          []RefundTransaction `json:"paymentTxRefunds,omitempty"`
	TransactionRefunds []RefundTransaction `json:"paymentTransactionRefunds,omitempty"`
	// Meta is the HTTP metadata of the reply.
	Meta Meta `json:"-"`
}

// Refund refunds a whole payment. It moves money: it is retried only when
// the request never left, and afterwards a failure matches
// ErrOutcomeUnknown (read the payment's refunds before trying again).
func (c *Client) Refund(ctx context.Context, req *RefundRequest) (_ *Refund, err error) {
	var ref string
	if req != nil {
		ref = req.ConversationID
	}
	ctx, sp := c.http.Trace(ctx, "odero.Refund", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	body := *req
	body.Destination = destination(req.Destination)
	var out Refund
	meta, err := c.call(ctx, http.MethodPost, pathRefunds, nil, &body, &out, httpx.RetryIfNotSent)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// GetRefund reads a refund back (GET /payment/v1/refunds/{id}).
func (c *Client) GetRefund(ctx context.Context, id int64) (_ *Refund, err error) {
	ctx, sp := c.http.Trace(ctx, "odero.GetRefund", "")
	defer sp.End(&err)
	if id <= 0 {
		return nil, httpx.Invalid(provider, "id", "required")
	}
	var out Refund
	meta, err := c.call(ctx, http.MethodGet, "/payment/v1/refunds/"+strconv.FormatInt(id, 10), nil, nil, &out, httpx.RetrySafe)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// RefundTransactionRequest refunds part or all of one item of a payment
// (POST /payment/v1/refund-transactions).
type RefundTransactionRequest struct {
	PaymentTransactionID int64  `json:"paymentTransactionId"`
	ConversationID       string `json:"conversationId,omitempty"`
	RefundPrice          Amount `json:"refundPrice"`
	// Destination is refundDestinationType: always sent, CARD unless set
	// to RefundToWallet (see RefundRequest).
	Destination RefundDestination `json:"refundDestinationType"`
}

// Validate checks the documented rules. It reports every rule broken at
// once: one *ValidationError per rule, joined (errors.As finds the first).
func (r *RefundTransactionRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	v := httpx.NewViolations(provider, r)
	if r.PaymentTransactionID <= 0 {
		v.Add("paymentTransactionId", "required")
	}
	positive(v, "refundPrice", r.RefundPrice)
	v.AddErr(validateDestination(r.Destination))
	return v.Err()
}

// RefundTransaction is a refund of one payment item.
type RefundTransaction struct {
	ID                   int64             `json:"id"`
	ConversationID       string            `json:"conversationId,omitempty"`
	CreatedDate          DateTime          `json:"createdDate,omitzero"`
	Status               RefundStatus      `json:"status,omitempty"`
	IsAfterSettlement    bool              `json:"isAfterSettlement,omitempty"`
	RefundPrice          Amount            `json:"refundPrice"`
	RefundBankPrice      *Amount           `json:"refundBankPrice,omitempty"`
	RefundWalletPrice    *Amount           `json:"refundWalletPrice,omitempty"`
	Currency             Currency          `json:"currency,omitempty"`
	PaymentTransactionID int64             `json:"paymentTransactionId,omitempty"`
	PaymentID            int64             `json:"paymentId,omitempty"`
	Destination          RefundDestination `json:"refundDestinationType,omitempty"`
	HostReference        string            `json:"refundHostReference,omitempty"`
	AuthCode             string            `json:"refundAuthCode,omitempty"`
	// Meta is the HTTP metadata of the reply.
	Meta Meta `json:"-"`
}

// RefundTransaction refunds one payment item. It moves money: see Refund.
func (c *Client) RefundTransaction(ctx context.Context, req *RefundTransactionRequest) (_ *RefundTransaction, err error) {
	var ref string
	if req != nil {
		ref = req.ConversationID
	}
	ctx, sp := c.http.Trace(ctx, "odero.RefundTransaction", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	body := *req
	body.Destination = destination(req.Destination)
	var out RefundTransaction
	meta, err := c.call(ctx, http.MethodPost, pathRefundTransactions, nil, &body, &out, httpx.RetryIfNotSent)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// GetRefundTransaction reads an item refund back
// (GET /payment/v1/refund-transactions/{id}).
func (c *Client) GetRefundTransaction(ctx context.Context, id int64) (_ *RefundTransaction, err error) {
	ctx, sp := c.http.Trace(ctx, "odero.GetRefundTransaction", "")
	defer sp.End(&err)
	if id <= 0 {
		return nil, httpx.Invalid(provider, "id", "required")
	}
	var out RefundTransaction
	meta, err := c.call(ctx, http.MethodGet, "/payment/v1/refund-transactions/"+strconv.FormatInt(id, 10), nil, nil, &out, httpx.RetrySafe)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// SearchRefundTransactionsRequest filters item refunds (GET
// /payment/v1/refund-transactions, the official clients'
// searchPaymentTransactionRefunds); zero fields are not sent.
type SearchRefundTransactionsRequest struct {
	PaymentID            int64
	PaymentTransactionID int64
	ConversationID       string
	// Page counts from 0; PageSize is the page size (the gateway's default
	// when 0).
	Page, PageSize int
}

// Validate checks the documented rules.
func (r *SearchRefundTransactionsRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	v := httpx.NewViolations(provider, r)
	if r.PaymentID < 0 {
		v.Add("paymentId", "must not be negative")
	}
	if r.PaymentTransactionID < 0 {
		v.Add("paymentTransactionId", "must not be negative")
	}
	if r.Page < 0 || r.PageSize < 0 {
		v.Add("page", "page and size must not be negative")
	}
	return v.Err()
}

func (r *SearchRefundTransactionsRequest) query() url.Values {
	q := url.Values{}
	if r.PaymentID > 0 {
		q.Set("paymentId", strconv.FormatInt(r.PaymentID, 10))
	}
	if r.PaymentTransactionID > 0 {
		q.Set("paymentTransactionId", strconv.FormatInt(r.PaymentTransactionID, 10))
	}
	if r.ConversationID != "" {
		q.Set("conversationId", r.ConversationID)
	}
	if r.Page > 0 {
		q.Set("page", strconv.Itoa(r.Page))
	}
	if r.PageSize > 0 {
		q.Set("size", strconv.Itoa(r.PageSize))
	}
	return q
}

// RefundTransactionList is one page of item refunds.
type RefundTransactionList struct {
	Items     []RefundTransaction `json:"items"`
	Page      int                 `json:"page"`
	Size      int                 `json:"size"`
	TotalSize int64               `json:"totalSize"`
	// Meta is the HTTP metadata of the reply.
	Meta Meta `json:"-"`
}

// SearchRefundTransactions lists item refunds matching every filter given.
// It is a read and safe to retry.
func (c *Client) SearchRefundTransactions(ctx context.Context, req *SearchRefundTransactionsRequest) (_ *RefundTransactionList, err error) {
	ctx, sp := c.http.Trace(ctx, "odero.SearchRefundTransactions", "")
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var out RefundTransactionList
	meta, err := c.call(ctx, http.MethodGet, "/payment/v1/refund-transactions", req.query(), nil, &out, httpx.RetrySafe)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}

// AllRefundTransactions walks every page of SearchRefundTransactions from
// req.Page (default 0) with req.PageSize (default: the gateway's): range
// over it for each item refund, and stop when you have what you need. The
// first error is yielded and ends the walk. Each page is one safe-to-retry
// read.
func (c *Client) AllRefundTransactions(ctx context.Context, req *SearchRefundTransactionsRequest) iter.Seq2[RefundTransaction, error] {
	var r SearchRefundTransactionsRequest
	if req != nil {
		r = *req
	}
	return paging.All(ctx, r.Page, func(ctx context.Context, page int) ([]RefundTransaction, bool, error) {
		r := r
		r.Page = page
		list, err := c.SearchRefundTransactions(ctx, &r)
		if err != nil {
			return nil, false, err
		}
		size := r.PageSize
		if size == 0 {
			size = list.Size // the gateway's default, as it answered
		}
		more := len(list.Items) > 0 && size > 0 && int64(page+1)*int64(size) < list.TotalSize
		return list.Items, more, nil
	})
}
