package iotpay

import (
	"context"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// VoidRequest cancels an unsettled transaction in full — v3/cc_void.
type VoidRequest struct {
	// MchRefundNo is the merchant's unique number for the void (at most 30).
	MchRefundNo string
	// PayOrderID is the purchase's IOTPay id.
	PayOrderID string
	// NotifyURL is optional: where IOTPay posts the void's notification
	// (payType refund). A back-office call, never made from a shopper's
	// request; take it from configuration all the same.
	NotifyURL string
}

// Validate checks the documented rules. It reports every rule broken at
// once: one *ValidationError per rule, joined (errors.As finds the first).
func (r *VoidRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	return violations(r, checkLen("mchRefundNo", r.MchRefundNo, 30, true), checkLen("payOrderId", r.PayOrderID, 64, true), checkURL("notifyUrl", r.NotifyURL, false))
}

// Void cancels an unsettled purchase and returns the void record. A money
// call: on ErrOutcomeUnknown, Query the purchase before anything else.
func (c *Client) Void(ctx context.Context, req *VoidRequest) (_ *Order, err error) {
	var ref string
	if req != nil {
		ref = req.MchRefundNo
	}
	ctx, sp := c.http.Trace(ctx, "iotpay.Void", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if err := c.secureURLs("NotifyURL", "notifyUrl", req.NotifyURL); err != nil {
		return nil, err
	}
	p := Params{"mchRefundNo": req.MchRefundNo, "loginName": c.cfg.LoginName, "payOrderId": req.PayOrderID, "notifyUrl": req.NotifyURL}
	return c.order(ctx, "cc_void", p, httpx.RetryIfNotSent)
}

// RefundRequest refunds a settled transaction, fully or partly —
// v3/cc_refund.
type RefundRequest struct {
	MchRefundNo string
	PayOrderID  string
	// RefundAmount is in dollars (sent as cents), greater than 0.
	RefundAmount Amount
	NotifyURL    string
}

// Validate checks the documented rules. It reports every rule broken at
// once: one *ValidationError per rule, joined (errors.As finds the first).
func (r *RefundRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	return violations(r, checkLen("mchRefundNo", r.MchRefundNo, 30, true), checkLen("payOrderId", r.PayOrderID, 64, true),
		checkAmount("refundAmount", r.RefundAmount), checkURL("notifyUrl", r.NotifyURL, false))
}

// Refund refunds and returns the refund record (PayType "refund"). A money
// call: on ErrOutcomeUnknown, Query the purchase (its Refundable) first.
func (c *Client) Refund(ctx context.Context, req *RefundRequest) (_ *Order, err error) {
	var ref string
	if req != nil {
		ref = req.MchRefundNo
	}
	ctx, sp := c.http.Trace(ctx, "iotpay.Refund", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if err := c.secureURLs("NotifyURL", "notifyUrl", req.NotifyURL); err != nil {
		return nil, err
	}
	p := Params{"mchRefundNo": req.MchRefundNo, "loginName": c.cfg.LoginName, "refundAmount": cents(req.RefundAmount),
		"payOrderId": req.PayOrderID, "notifyUrl": req.NotifyURL}
	return c.order(ctx, "cc_refund", p, httpx.RetryIfNotSent)
}

// QueryRequest names one transaction: by PayOrderID or by MchOrderNo.
type QueryRequest struct {
	PayOrderID string
	MchOrderNo string
}

// Validate requires exactly one of the two.
func (r *QueryRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	if (r.PayOrderID == "") == (r.MchOrderNo == "") {
		return violations(r, httpx.Invalid(provider, "payOrderId", "exactly one of payOrderId and mchOrderNo is required"))
	}
	return violations(r, checkLen("payOrderId", r.PayOrderID, 64, false), checkLen("mchOrderNo", r.MchOrderNo, 30, false))
}

// Query reads a transaction — v3/cc_query. Safe to retry.
func (c *Client) Query(ctx context.Context, req *QueryRequest) (_ *Order, err error) {
	var ref string
	if req != nil {
		ref = req.MchOrderNo
	}
	ctx, sp := c.http.Trace(ctx, "iotpay.Query", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return c.order(ctx, "cc_query", Params{"payOrderId": req.PayOrderID, "mchOrderNo": req.MchOrderNo}, httpx.RetrySafe)
}
