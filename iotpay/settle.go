package iotpay

import (
	"context"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/once"
)

// SettleRequest names what to settle: the merchant's number of a purchase
// (mchOrderNo) or of a refund or void (mchRefundNo, which IOTPay keeps as
// the record's mchOrderNo).
type SettleRequest struct {
	MchOrderNo string
}

// Validate checks the documented rules.
func (r *SettleRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	return violations(r, checkLen("mchOrderNo", r.MchOrderNo, 30, true))
}

// Settlement is what Settle found: State, and IOTPay's Record (an *Order)
// when State is SettlePending or SettleDone.
type Settlement = once.Settlement[*Order]

// Settle tells what IOTPay knows of a merchant number, by cc_query with
// mchOrderNo (safe to retry):
//
//   - SettleNotFound: IOTPay answers "order not exist": nothing was
//     received, and sending the call is safe.
//   - SettlePending: an order with status 0 or 1 (or a status IOTPay has not
//     documented): a shopper still on the page, a payment being processed.
//     Ask again later; never send it again.
//   - SettleDone: status 2 or 3 (paid, or refunded for a refund record) or 9
//     (failed), in Record.Status.
//
// Any other failure is returned as an error: nothing could be told. IOTPay
// documents the query of purchases by mchOrderNo; that of refund and void
// records by their mchRefundNo follows from the Order object but is not
// documented. Nothing stays unknowable for a purchase.
func (c *Client) Settle(ctx context.Context, req *SettleRequest) (_ *Settlement, err error) {
	var ref string
	if req != nil {
		ref = req.MchOrderNo
	}
	ctx, sp := c.http.Trace(ctx, "iotpay.Settle", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	o, found, err := c.lookup(ctx, req.MchOrderNo)
	switch {
	case err != nil:
		return nil, err
	case !found:
		return &Settlement{State: SettleNotFound}, nil
	case o.Status.Pending():
		return &Settlement{State: SettlePending, Record: o}, nil
	}
	return &Settlement{State: SettleDone, Record: o}, nil
}
