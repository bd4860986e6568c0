package ktwidgettest

import (
	"context"
	"fmt"

	"github.com/paywidget/paywidget-go/ktwidget"
)

// Trigger is the trigger of examples/fakes: KTPay's notification for the
// transaction of order t.Ref (its order_id), sent now to the order's
// callback_post_url — the per-order URL the SDK signs with CallbackSecret —
// or to t.To, exactly as KTPay sends it (JSON, POST, wanting 200,
// application/json and {"status":"ok"}), t.Times times (concurrently when
// t.Concurrent), with each answer judged. A transaction still waiting for
// the shopper is settled first by t.Outcome: "paid" (completed), "declined"
// (denied) or "error". One without a callback_post_url, or still pending
// with no outcome, is ErrNothingToRedeliver; an unknown order_id is
// ErrNothingToRedeliver.
func (s *Server) Trigger(ctx context.Context, t Trigger) (Sent, []Delivery, error) {
	st, ok := map[string]string{"": "", "paid": ktwidget.StatusCompleted, "declined": ktwidget.StatusDenied, "error": ktwidget.StatusFailed}[t.Outcome]
	if !ok {
		return Sent{}, nil, fmt.Errorf("ktwidgettest: outcome %q: want paid, declined or error", t.Outcome)
	}
	s.mu.Lock()
	var found *tx
	for _, x := range s.txs {
		if x.order.OrderID == t.Ref {
			found = x
			break
		}
	}
	if found == nil {
		s.mu.Unlock()
		return Sent{}, nil, fmt.Errorf("%w: no order with this reference (order_id %q)", ErrNothingToRedeliver, t.Ref)
	}
	if found.status == ktwidget.StatusPending {
		if st == "" {
			s.mu.Unlock()
			return Sent{}, nil, fmt.Errorf("%w: order %s waits for the shopper; give an outcome", ErrNothingToRedeliver, t.Ref)
		}
		found.status = st
	}
	url := found.post
	if t.To != "" {
		url = t.To
	}
	if url == "" {
		s.mu.Unlock()
		return Sent{}, nil, fmt.Errorf("%w: order %s was created without callback_post_url", ErrNothingToRedeliver, t.Ref)
	}
	body := notification(found)
	hash := found.hash
	s.mu.Unlock()
	sent, ds := s.notes.Fire(ctx, t, hash, url, "application/json", body)
	return sent, ds, nil
}
