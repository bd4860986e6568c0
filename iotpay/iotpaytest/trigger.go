package iotpaytest

import (
	"context"
	"fmt"

	"github.com/paywidget/paywidget-go/iotpay"
)

// Trigger is the trigger of examples/fakes: IOTPay's notification for the
// order t.Ref (its mchOrderNo), sent now to the order's notifyUrl (or t.To)
// exactly as IOTPay sends it — signed JSON, POST, wanting 200 "SUCCESS" —
// t.Times times (concurrently when t.Concurrent), with each answer judged.
// A purchase still on its card page is settled first by t.Outcome: "paid"
// (status 2) or "declined" (status 9). IOTPay notifies successful payments
// only, so a declined one, or a pending one without an outcome, is
// ErrNothingToRedeliver; an unknown reference is ErrNothingToRedeliver too.
func (s *Server) Trigger(ctx context.Context, t Trigger) (Sent, []Delivery, error) {
	st, ok := map[string]iotpay.Status{"": 0, "paid": iotpay.StatusSuccess, "declined": iotpay.StatusFailed}[t.Outcome]
	if !ok {
		return Sent{}, nil, fmt.Errorf("iotpaytest: outcome %q: want paid or declined", t.Outcome)
	}
	s.mu.Lock()
	var o *order
	for sid, p := range s.pending {
		if p.MchOrderNo == t.Ref {
			if t.Outcome == "" {
				s.mu.Unlock()
				return Sent{}, nil, fmt.Errorf("%w: %s waits for the shopper; give an outcome", ErrNothingToRedeliver, t.Ref)
			}
			delete(s.pending, sid)
			url := p.notifyURL
			p.notifyURL = "" // the trigger sends it, not the background schedule
			s.settle(p, TestCard.Number, TestCard.expiry(), st)
			p.notifyURL = url
			o = p
			break
		}
	}
	if o == nil {
		if id, found := s.byMch[t.Ref]; found {
			o = s.orders[id]
		}
	}
	if o == nil {
		s.mu.Unlock()
		return Sent{}, nil, fmt.Errorf("%w: no order with this reference (mchOrderNo %q)", ErrNothingToRedeliver, t.Ref)
	}
	ord, url := o.Order, o.notifyURL
	if t.To != "" {
		url = t.To
	}
	if !ord.Status.Paid() {
		s.mu.Unlock()
		return Sent{}, nil, fmt.Errorf("%w: %s has status %d and IOTPay notifies successful payments only (the return URL and Query tell the rest)", ErrNothingToRedeliver, t.Ref, ord.Status)
	}
	if url == "" {
		s.mu.Unlock()
		return Sent{}, nil, fmt.Errorf("%w: %s was made without a notifyUrl", ErrNothingToRedeliver, t.Ref)
	}
	body := notification(ord)
	s.mu.Unlock()
	sent, ds := s.notes.Fire(ctx, t, ord.PayOrderID, url, "application/json", body)
	return sent, ds, nil
}
