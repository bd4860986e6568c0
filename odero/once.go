package odero

import (
	"context"
	"strconv"
	"strings"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/once"
)

// The repeatable calls. OderoPay takes no idempotency key; the one value of
// a refund the merchant chooses is its conversationId, which the gateway
// keeps with the refund and shows in the payment's detail and in the
// search of item refunds. So both calls need ConversationID, one per refund,
// and claim "odero:refund:<conversationId>": a whole refund and an item
// refund under one conversationId conflict.

// maxConversationID bounds a refund's conversationId in the repeatable
// calls (the claim key holds it).
const maxConversationID = 200

func checkConversationID(call, id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return httpx.Invalid(provider, "conversationId", "required for "+call)
	case len(id) > maxConversationID:
		return httpx.Invalid(provider, "conversationId", "at most 200 characters")
	}
	return nil
}

func refundKey(conversationID string) string { return "odero:refund:" + conversationID }

// RefundOnce is Refund made safe to repeat by the refund's ConversationID
// (required; one per refund): however often and however concurrently (on
// every replica sharing Config.Claims) it is called for one
// ConversationID, OderoPay receives at most one refund request for it.
//
// It claims the conversationId, looks it up among the payment's refunds
// (GetPayment, then GetRefund for the full record) and refunds only when
// the payment shows none. A repeat returns that refund and sends nothing.
// Errors: ErrInProgress (an *InProgressError with RetryAfter) while another
// call holds the conversationId; ErrReferenceConflict when it was used for
// another payment or destination, or for an item refund; ErrOutcomeUnknown
// when the refund may have reached OderoPay and the look-up could not tell
// (the conversationId stays held: repeat after the lease, and the repeat
// looks up before refunding). A refusal (an API error such as "payment
// already refunded", a request that never left) frees it. A refund whose
// Status is FAILURE is a final answer: a new try needs a new
// ConversationID.
//
// What stays unknowable: the look-up reads the refunds of this PaymentID
// only, so the conversationId used for another payment is told only by
// Config.Claims (which remembers the first parameters); a gateway that did
// not keep the conversationId would leave the refund unfound (the payment's
// detail is the official clients' retrievePayment, not in the developer
// portal's pages).
func (c *Client) RefundOnce(ctx context.Context, req *RefundRequest) (_ *Refund, err error) {
	var ref string
	if req != nil {
		ref = req.ConversationID
	}
	ctx, sp := c.http.Trace(ctx, "odero.RefundOnce", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if err := checkConversationID("RefundOnce", req.ConversationID); err != nil {
		return nil, err
	}
	dest := destination(req.Destination)
	return once.Do(ctx, c.guard, once.Call[*Refund]{
		Provider: provider, Key: refundKey(req.ConversationID), Reference: req.ConversationID,
		Fingerprint: once.Fingerprint("refund", strconv.FormatInt(req.PaymentID, 10), string(dest)),
		Lookup: func(ctx context.Context) (*Refund, bool, error) {
			return c.findRefund(ctx, req.PaymentID, req.ConversationID)
		},
		Send: func(ctx context.Context) (*Refund, error) { return c.Refund(ctx, req) },
		Mismatch: func(r *Refund) string {
			var why []string
			if r.PaymentID != 0 && r.PaymentID != req.PaymentID {
				why = append(why, "payment "+strconv.FormatInt(r.PaymentID, 10)+", requested "+strconv.FormatInt(req.PaymentID, 10))
			}
			if r.Destination != "" && r.Destination != dest {
				why = append(why, "destination "+string(r.Destination)+", requested "+string(dest))
			}
			return strings.Join(why, "; ")
		},
	})
}

// findRefund looks conversationID up among the refunds of payment id.
func (c *Client) findRefund(ctx context.Context, paymentID int64, conversationID string) (*Refund, bool, error) {
	p, err := c.GetPayment(ctx, paymentID)
	if err != nil {
		return nil, false, err
	}
	for _, r := range p.Refunds {
		if r.ConversationID == conversationID && r.ID > 0 {
			full, err := c.GetRefund(ctx, r.ID)
			if err != nil {
				return nil, false, err
			}
			return full, true, nil
		}
	}
	return nil, false, nil
}

// RefundTransactionOnce is RefundTransaction made safe to repeat by the
// refund's ConversationID (required; one per refund), as RefundOnce is:
// OderoPay receives at most one item refund for it, and a repeat returns
// the item refund the gateway's search finds (SearchRefundTransactions by
// paymentTransactionId and conversationId). The conversationId used with
// another item, amount or destination, or for a whole refund, is
// ErrReferenceConflict. A partial refund after another needs a new
// ConversationID.
//
// What stays unknowable: as for RefundOnce, the search is the official
// clients' searchPaymentTransactionRefunds; an item refund under this
// conversationId for another item is told only by Config.Claims.
func (c *Client) RefundTransactionOnce(ctx context.Context, req *RefundTransactionRequest) (_ *RefundTransaction, err error) {
	var ref string
	if req != nil {
		ref = req.ConversationID
	}
	ctx, sp := c.http.Trace(ctx, "odero.RefundTransactionOnce", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if err := checkConversationID("RefundTransactionOnce", req.ConversationID); err != nil {
		return nil, err
	}
	dest := destination(req.Destination)
	price, err := req.RefundPrice.Rescale(req.RefundPrice.Places())
	if err != nil {
		return nil, httpx.Invalid(provider, "refundPrice", "not a plain decimal")
	}
	return once.Do(ctx, c.guard, once.Call[*RefundTransaction]{
		Provider: provider, Key: refundKey(req.ConversationID), Reference: req.ConversationID,
		Fingerprint: once.Fingerprint("refund-transaction", strconv.FormatInt(req.PaymentTransactionID, 10), price.String(), string(dest)),
		Lookup: func(ctx context.Context) (*RefundTransaction, bool, error) {
			return c.findRefundTransaction(ctx, req.PaymentTransactionID, req.ConversationID)
		},
		Send: func(ctx context.Context) (*RefundTransaction, error) { return c.RefundTransaction(ctx, req) },
		Mismatch: func(r *RefundTransaction) string {
			var why []string
			if r.RefundPrice.Cmp(req.RefundPrice) != 0 {
				why = append(why, "refundPrice "+r.RefundPrice.String()+", requested "+req.RefundPrice.String())
			}
			if r.PaymentTransactionID != 0 && r.PaymentTransactionID != req.PaymentTransactionID {
				why = append(why, "payment transaction "+strconv.FormatInt(r.PaymentTransactionID, 10)+
					", requested "+strconv.FormatInt(req.PaymentTransactionID, 10))
			}
			return strings.Join(why, "; ")
		},
	})
}

// findRefundTransaction searches the item refunds of transaction txID for
// conversationID (and checks both, should the gateway ignore a filter).
func (c *Client) findRefundTransaction(ctx context.Context, txID int64, conversationID string) (*RefundTransaction, bool, error) {
	l, err := c.SearchRefundTransactions(ctx, &SearchRefundTransactionsRequest{PaymentTransactionID: txID, ConversationID: conversationID})
	if err != nil {
		return nil, false, err
	}
	for i := range l.Items {
		r := &l.Items[i]
		if r.ConversationID == conversationID && (r.PaymentTransactionID == 0 || r.PaymentTransactionID == txID) {
			r.Meta = l.Meta
			return r, true, nil
		}
	}
	return nil, false, nil
}

// SettleRequest names a refund by its ConversationID and what it refunds:
// PaymentID for a whole refund (RefundOnce) or PaymentTransactionID for an
// item refund (RefundTransactionOnce), exactly one of them.
type SettleRequest struct {
	ConversationID       string
	PaymentID            int64
	PaymentTransactionID int64
}

// Validate checks the documented rules.
func (r *SettleRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	if err := checkConversationID("Settle", r.ConversationID); err != nil {
		return err
	}
	if (r.PaymentID > 0) == (r.PaymentTransactionID > 0) || r.PaymentID < 0 || r.PaymentTransactionID < 0 {
		return httpx.Invalid(provider, "paymentId", "exactly one of paymentId and paymentTransactionId is required")
	}
	return nil
}

// RefundRecord is the refund Settle found: Refund for a whole refund,
// Transaction for an item refund (the other is nil).
type RefundRecord struct {
	Refund      *Refund
	Transaction *RefundTransaction
}

// Status is the refund's status.
func (r *RefundRecord) Status() RefundStatus {
	switch {
	case r == nil:
		return ""
	case r.Refund != nil:
		return r.Refund.Status
	case r.Transaction != nil:
		return r.Transaction.Status
	}
	return ""
}

// Settlement is what Settle found: State, and OderoPay's Record of the
// refund when State is SettlePending or SettleDone.
type Settlement = once.Settlement[*RefundRecord]

// Settle tells what OderoPay knows of a refund's conversationId, by the
// repeatable calls' look-ups (safe to retry): the payment's refunds
// (GetPayment, then GetRefund) for a whole refund, the search of item
// refunds (SearchRefundTransactions) for an item refund.
//
//   - SettleNotFound: the payment (or item) shows no refund with the
//     conversationId: refunding it is safe.
//   - SettleDone: a refund with status SUCCESS or FAILURE (Record).
//   - SettlePending: a refund with another status (Craftgate's WAITING,
//     which OderoPay may report): ask again later; never send it again.
//
// Any other failure is returned as an error: nothing could be told. What
// stays unknowable is what the two calls' docs say: a conversationId used
// under another payment or item is not found by these look-ups.
func (c *Client) Settle(ctx context.Context, req *SettleRequest) (_ *Settlement, err error) {
	var ref string
	if req != nil {
		ref = req.ConversationID
	}
	ctx, sp := c.http.Trace(ctx, "odero.Settle", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	rec := &RefundRecord{}
	var found bool
	if req.PaymentID > 0 {
		rec.Refund, found, err = c.findRefund(ctx, req.PaymentID, req.ConversationID)
	} else {
		rec.Transaction, found, err = c.findRefundTransaction(ctx, req.PaymentTransactionID, req.ConversationID)
	}
	switch {
	case err != nil:
		return nil, err
	case !found:
		return &Settlement{State: SettleNotFound}, nil
	}
	if s := rec.Status(); s == RefundStatusSuccess || s == RefundStatusFailure {
		return &Settlement{State: SettleDone, Record: rec}, nil
	}
	return &Settlement{State: SettlePending, Record: rec}, nil
}
