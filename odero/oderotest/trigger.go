package oderotest

import (
	"context"
	"fmt"
	"net/url"

	"github.com/paywidget/paywidget-go/odero"
)

// Trigger is the trigger of examples/fakes: OderoPay's 3-D Secure callback
// for the checkout of conversationId t.Ref — the form post (token,
// paymentIdList) that the shopper's browser makes to the checkout's
// callbackUrl, or to t.To — t.Times times (concurrently when t.Concurrent),
// as reloads of the return page would, with each answer judged. A checkout
// not yet paid is paid first by t.Outcome: "paid" or "declined". One with
// no callback URL, or unpaid with no outcome, is ErrNothingToRedeliver; an
// unknown conversationId is ErrNothingToRedeliver too.
func (s *Server) Trigger(ctx context.Context, t Trigger) (Sent, []Delivery, error) {
	o, ok := map[string]Outcome{"": {}, "paid": {Status: odero.PaymentStatusSuccess},
		"declined": {Status: odero.PaymentStatusFailure}}[t.Outcome]
	if !ok {
		return Sent{}, nil, fmt.Errorf("oderotest: outcome %q: want paid or declined", t.Outcome)
	}
	s.mu.Lock()
	var c *checkout
	for _, x := range s.checkouts {
		if x.req.ConversationID == t.Ref {
			c = x
			break
		}
	}
	if c == nil {
		s.mu.Unlock()
		return Sent{}, nil, fmt.Errorf("%w: no order with this reference (conversationId %q)", ErrNothingToRedeliver, t.Ref)
	}
	if c.payment == nil {
		if t.Outcome == "" {
			s.mu.Unlock()
			return Sent{}, nil, fmt.Errorf("%w: checkout %s waits for the shopper; give an outcome", ErrNothingToRedeliver, t.Ref)
		}
		s.pay(c, "411111", "1111", o)
	}
	d := s.returnData(c)
	s.mu.Unlock()
	to := d.CallbackURL
	if t.To != "" {
		to = t.To
	}
	if to == "" || to == odero.NoCallbackURL {
		return Sent{}, nil, fmt.Errorf("%w: checkout %s has no callback URL", ErrNothingToRedeliver, t.Ref)
	}
	form := url.Values{"token": {d.Token}}
	if d.PaymentID != "" {
		form.Set("paymentIdList", d.PaymentID)
	}
	sent, ds := s.notes.Fire(ctx, t, d.Token, to, "application/x-www-form-urlencoded", []byte(form.Encode()))
	return sent, ds, nil
}
