package ktwidget

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/internal/dedup"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/once"
)

// CreatePaymentOnce is CreatePayment made safe to repeat by the order's
// OrderID: however often and however concurrently (on every replica sharing
// Config.Claims) it is called for one order_id, KTPay receives at most one
// create for it.
//
// KTPay offers no look-up of a transaction: its verdict arrives only with the
// notification. So:
//
//   - the create is sent only under an order_id new to Config.Claims (a
//     NewMemoryStore or NewSQLStore, which tell new references from ones
//     taken over), and the first call returns the Payment (open its
//     WidgetURL);
//   - a repeat after that answers the verdict the NotificationHandler (with
//     this Client) recorded, as a Payment whose Status is completed, error or
//     denied (Paid reports completed), and sends nothing; before the
//     notification it answers an error matching ErrAwaitingNotification;
//   - after ErrOutcomeUnknown the order_id stays held and is never sent
//     again: repeats answer ErrInProgress (an *InProgressError with
//     RetryAfter) during the lease, then the recorded verdict if a
//     notification came, and otherwise an error matching both
//     ErrAwaitingNotification and ErrOutcomeUnknown: nobody holds the
//     transaction's widget URL, so the shopper cannot pay it; take a new
//     order_id for a new attempt;
//   - KTPay's refusal 422 "order_id must be unique" means it has the order
//     already (created by a call this store did not see): it answers
//     ErrAwaitingNotification, never the refusal;
//   - the order_id used with another amount, type or service is
//     ErrReferenceConflict; a refusal that created nothing (an invalid
//     order, an expired key) frees it.
//
// What stays unknowable: whether KTPay created a transaction whose create
// lost its answer, until its notification comes (which needs the shopper to
// pay it, so it may never come).
func (c *Client) CreatePaymentOnce(ctx context.Context, order *Order, user *User) (_ *Payment, err error) {
	var ref string
	if order != nil {
		ref = order.OrderID
	}
	ctx, sp := c.http.Trace(ctx, "ktwidget.CreatePaymentOnce", ref)
	defer sp.End(&err)
	if err := order.Validate(); err != nil {
		return nil, err
	}
	amount, err := order.Amount.Rescale(2)
	if err != nil {
		return nil, httpx.Invalid(provider, "amount", "at most two decimal places")
	}
	var service []string
	if order.Service != nil {
		service = []string{strconv.FormatInt(order.Service.ServiceID, 10), order.Service.ContractValue}
	}
	show := order.ShowCloseButton == nil || *order.ShowCloseButton
	return once.Do(ctx, c.guard, once.Call[*Payment]{
		Provider: provider, Key: "ktwidget:order:" + order.OrderID, Reference: order.OrderID,
		Fingerprint: once.Fingerprint(append([]string{"payment", amount.String(), string(order.Type)}, service...)...),
		Recall: func(ctx context.Context) (*Payment, bool, error) {
			return c.recall(ctx, order.OrderID, show)
		},
		Unknowable: ErrAwaitingNotification,
		Send:       func(ctx context.Context) (*Payment, error) { return c.CreatePayment(ctx, order, user) },
		Duplicate:  isDuplicate,
	})
}

// isDuplicate is KTPay's refusal of an order_id it has: 422 "order_id must
// be unique".
func isDuplicate(err error) bool {
	var api *APIError
	if !errors.As(err, &api) || api.Code/10000 != 422 {
		return false
	}
	for _, m := range api.Messages {
		if m := strings.ToLower(m); strings.Contains(m, "order_id") && strings.Contains(m, "unique") {
			return true
		}
	}
	return false
}

// SettleRequest names the payment to settle by the merchant's order_id.
type SettleRequest struct {
	OrderID string
}

// Validate checks the documented rules.
func (r *SettleRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	if strings.TrimSpace(r.OrderID) == "" || len(r.OrderID) > 128 {
		return httpx.Invalid(provider, "order_id", "required, at most 128 characters")
	}
	return nil
}

// Settlement is what Settle found: State, and Record, the Payment with
// KTPay's notified Status, when State is SettleDone.
type Settlement = once.Settlement[*Payment]

// Settle tells what is known of an order_id. KTPay has no status query, so
// its look-up is the verdict the NotificationHandler recorded in
// Config.Claims when it reported KTPay's final notification:
//
//   - SettleDone: the notification came; Record.Status is completed (paid),
//     error or denied, Record.TransactionHash the transaction's hash.
//   - SettleUnknowable: no verdict is recorded: the payment awaits its
//     notification (the shopper has not finished), or its create's outcome
//     was lost, or it was never created. Nothing can tell these apart.
//
// Settle never reports SettleNotFound or SettlePending: only KTPay knows
// whether it has an order_id, and it does not say.
func (c *Client) Settle(ctx context.Context, req *SettleRequest) (_ *Settlement, err error) {
	var ref string
	if req != nil {
		ref = req.OrderID
	}
	ctx, sp := c.http.Trace(ctx, "ktwidget.Settle", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	p, found, err := c.recall(ctx, req.OrderID, true)
	switch {
	case err != nil:
		return nil, err
	case !found:
		return &Settlement{State: SettleUnknowable}, nil
	}
	return &Settlement{State: SettleDone, Record: p}, nil
}

func verdictKey(orderID string) string { return "ktwidget:verdict:" + orderID }

// recall reads the verdict recorded for orderID: "<status> <hash>", or the
// status alone when the hash is too long to keep.
func (c *Client) recall(ctx context.Context, orderID string, show bool) (*Payment, bool, error) {
	v, found, err := once.ReadVerdict(ctx, c.guard.Store, verdictKey(orderID))
	if err != nil || !found {
		return nil, false, err
	}
	status, hash, _ := strings.Cut(v, " ")
	p := &Payment{Status: status}
	if hash != "" {
		p = c.payment(hash, show)
		p.Status = status
	}
	return p, true, nil
}

// recordVerdict keeps a final notification's verdict for CreatePaymentOnce
// and Settle, in the client's Config.Claims; a store that keeps no values
// (which CreatePaymentOnce refuses) keeps none.
func (c *Client) recordVerdict(ctx context.Context, n *Notification) error {
	if _, ok := c.guard.Store.(claims.ValueStore); !ok {
		return nil
	}
	v := n.Status.Status
	if len(v)+1+len(n.TransactionHash) <= claims.MaxValueLen {
		v += " " + n.TransactionHash
	}
	return once.RecordVerdict(ctx, c.guard.Store, verdictKey(n.OrderID), v, dedup.DefaultWait)
}
