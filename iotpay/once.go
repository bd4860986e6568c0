package iotpay

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/paywidget/paywidget-go/internal/once"
)

// The repeatable calls. IOTPay keeps one namespace of merchant numbers: a
// purchase's mchOrderNo and a refund's or void's mchRefundNo are both the
// record's mchOrderNo, and cc_query finds either by it. So all four calls
// claim "iotpay:mch:<number>", and each fingerprints its kind with its
// parameters: a void and a refund under one number conflict.

// PurchaseOnce is Purchase made safe to repeat by MchOrderNo: however often
// and however concurrently (on every replica sharing Config.Claims) it is
// called for one MchOrderNo, IOTPay receives at most one cc_purchase for it.
//
// It claims the number and starts the purchase; a number new to the claims
// store is sent without a query first, since IOTPay refuses a number it has
// an order of ("mchOrderNo duplicate") and that refusal means "received
// before": the call then queries the number (cc_query by mchOrderNo) and
// answers with IOTPay's order (or ErrReferenceConflict when it does not fit
// the request), never with the refusal. A repeat returns a Checkout whose
// Order is IOTPay's order (pending while the shopper is on the page, then
// paid or failed) and starts nothing. Errors: ErrInProgress (an
// *InProgressError with RetryAfter) while another call holds the number;
// ErrReferenceConflict when the number was used with another amount or
// channel; ErrOutcomeUnknown when the purchase may have reached IOTPay and
// the query could not tell (the number stays held: repeat after the lease,
// and the repeat queries before sending). A refusal that moved no money (an
// API error, a request that never left) frees the number.
func (c *Client) PurchaseOnce(ctx context.Context, req *PurchaseRequest) (_ *Checkout, err error) {
	var ref string
	if req != nil {
		ref = req.MchOrderNo
	}
	ctx, sp := c.http.Trace(ctx, "iotpay.PurchaseOnce", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	fp := once.Fingerprint("purchase", strconv.FormatInt(cents(req.Amount), 10), req.channel())
	asCheckout := func(o *Order) *Checkout {
		return &Checkout{RedirectURL: o.RedirectURL, Channel: o.Channel, Order: o, Meta: o.Meta}
	}
	return once.Do(ctx, c.guard, once.Call[*Checkout]{
		Provider: provider, Key: mchKey(req.MchOrderNo), Reference: req.MchOrderNo, Fingerprint: fp,
		Lookup: func(ctx context.Context) (*Checkout, bool, error) {
			o, found, err := c.lookup(ctx, req.MchOrderNo)
			if !found {
				return nil, false, err
			}
			return asCheckout(o), true, nil
		},
		Send: func(ctx context.Context) (*Checkout, error) { return c.Purchase(ctx, req) },
		Mismatch: func(co *Checkout) string {
			return mismatch(co.Order, "pay", cents(req.Amount), "", req.channel())
		},
		Duplicate: isDuplicate,
	})
}

// PurchaseWithTokenOnce is PurchaseWithToken made safe to repeat by
// MchOrderNo, as PurchaseOnce is: IOTPay receives at most one
// cc_purchasewithtoken for it, and a repeat returns the order cc_query finds
// (check its Status). The number's fingerprint covers the amount and the
// CardID, so a repeat with another card is ErrReferenceConflict while the
// claim store remembers the number; the order IOTPay returns has only the
// masked card, so a store that keeps no fingerprint compares the amount only.
func (c *Client) PurchaseWithTokenOnce(ctx context.Context, req *PurchaseWithTokenRequest) (_ *Order, err error) {
	var ref string
	if req != nil {
		ref = req.MchOrderNo
	}
	ctx, sp := c.http.Trace(ctx, "iotpay.PurchaseWithTokenOnce", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return once.Do(ctx, c.guard, once.Call[*Order]{
		Provider: provider, Key: mchKey(req.MchOrderNo), Reference: req.MchOrderNo,
		Fingerprint: once.Fingerprint("purchasewithtoken", strconv.FormatInt(cents(req.Amount), 10), req.CardID),
		Lookup:      func(ctx context.Context) (*Order, bool, error) { return c.lookup(ctx, req.MchOrderNo) },
		Send:        func(ctx context.Context) (*Order, error) { return c.PurchaseWithToken(ctx, req) },
		Mismatch:    func(o *Order) string { return mismatch(o, "pay", cents(req.Amount), "", "") },
		Duplicate:   isDuplicate,
	})
}

// VoidOnce is Void made safe to repeat by MchRefundNo: IOTPay receives at
// most one cc_void for it, and a repeat returns the void record cc_query
// finds by mchOrderNo = MchRefundNo. The number used for another payment
// (another PayOrderID) or for a refund is ErrReferenceConflict.
//
// The look-up of a void or refund record by its mchRefundNo is what the
// Order object implies (a refund record's mchOrderNo is the mchRefundNo) but
// IOTPay does not document it: should IOTPay answer it with "order not
// exist", a repeat after the void answers ErrReferenceConflict ("shows no
// record of it"), and a replica whose store lost the number meets
// "mchRefundNo duplicate", which leaves the number held and answers
// ErrInProgress: the void then shows on the purchase (Query by PayOrderID:
// Refundable 0). Either way nothing is voided twice.
func (c *Client) VoidOnce(ctx context.Context, req *VoidRequest) (_ *Order, err error) {
	var ref string
	if req != nil {
		ref = req.MchRefundNo
	}
	ctx, sp := c.http.Trace(ctx, "iotpay.VoidOnce", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return once.Do(ctx, c.guard, once.Call[*Order]{
		Provider: provider, Key: mchKey(req.MchRefundNo), Reference: req.MchRefundNo,
		Fingerprint: once.Fingerprint("void", req.PayOrderID),
		Lookup:      func(ctx context.Context) (*Order, bool, error) { return c.lookup(ctx, req.MchRefundNo) },
		Send:        func(ctx context.Context) (*Order, error) { return c.Void(ctx, req) },
		Mismatch:    func(o *Order) string { return mismatch(o, "refund", 0, req.PayOrderID, "") },
		Duplicate:   isDuplicate,
	})
}

// RefundOnce is Refund made safe to repeat by MchRefundNo, as VoidOnce is:
// IOTPay receives at most one cc_refund for it, a repeat returns the refund
// record, and the number used with another PayOrderID or RefundAmount is
// ErrReferenceConflict. A partial refund after another needs a new
// MchRefundNo.
func (c *Client) RefundOnce(ctx context.Context, req *RefundRequest) (_ *Order, err error) {
	var ref string
	if req != nil {
		ref = req.MchRefundNo
	}
	ctx, sp := c.http.Trace(ctx, "iotpay.RefundOnce", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return once.Do(ctx, c.guard, once.Call[*Order]{
		Provider: provider, Key: mchKey(req.MchRefundNo), Reference: req.MchRefundNo,
		Fingerprint: once.Fingerprint("refund", req.PayOrderID, strconv.FormatInt(cents(req.RefundAmount), 10)),
		Lookup:      func(ctx context.Context) (*Order, bool, error) { return c.lookup(ctx, req.MchRefundNo) },
		Send:        func(ctx context.Context) (*Order, error) { return c.Refund(ctx, req) },
		Mismatch:    func(o *Order) string { return mismatch(o, "refund", cents(req.RefundAmount), req.PayOrderID, "") },
		Duplicate:   isDuplicate,
	})
}

func mchKey(no string) string { return "iotpay:mch:" + no }

// lookup queries an order by mchOrderNo; found is false when IOTPay answers
// that the order does not exist.
func (c *Client) lookup(ctx context.Context, mchOrderNo string) (*Order, bool, error) {
	o, err := c.Query(ctx, &QueryRequest{MchOrderNo: mchOrderNo})
	switch {
	case err == nil:
		return o, true, nil
	case isNotFound(err):
		return nil, false, nil
	}
	return nil, false, err
}

// isNotFound is cc_query's FAIL for a number IOTPay has no order of
// ("order not exist").
func isNotFound(err error) bool {
	var api *APIError
	return errors.As(err, &api) && api.Code == "FAIL" && strings.Contains(strings.ToLower(api.Message), "not exist")
}

// isDuplicate is IOTPay's refusal of a number it has an order of
// ("mchOrderNo duplicate", "mchRefundNo duplicate"): received before.
func isDuplicate(err error) bool {
	var api *APIError
	return errors.As(err, &api) && api.Code == "FAIL" && strings.Contains(strings.ToLower(api.Message), "duplicate")
}

// mismatch says how a found order differs from a request: payType, amount
// in cents (when positive), original order (when set), channel (when set and
// reported).
func mismatch(o *Order, payType string, amount int64, original, channel string) string {
	var why []string
	if o.PayType != "" && o.PayType != payType {
		why = append(why, "payType "+o.PayType+", requested "+payType)
	}
	if amount > 0 && cents(o.Amount) != amount {
		why = append(why, "amount "+strconv.FormatInt(cents(o.Amount), 10)+", requested "+strconv.FormatInt(amount, 10))
	}
	if original != "" && o.OriginalOrderID != original {
		why = append(why, "original order "+o.OriginalOrderID+", requested "+original)
	}
	if channel != "" && o.Channel != "" && o.Channel != channel {
		why = append(why, "channel "+o.Channel+", requested "+channel)
	}
	return strings.Join(why, "; ")
}
