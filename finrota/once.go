package finrota

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/once"
)

// The repeatable calls. Finrota keeps one namespace of clientReferenceCodes
// for widget and direct payments and lists both by it, so both calls claim
// "finrota:payment:<clientReferenceCode>", each fingerprinting its kind with
// its money parameters: a PayOnce under a reference CompletePaymentOnce used
// conflicts.

// pendingRetry is the RetryAfter of a payment found waiting at the bank.
const pendingRetry = 5 * time.Second

// CompletePaymentOnce is CompletePayment made safe to repeat by
// ClientReferenceCode: however often and however concurrently (on every
// replica sharing Config.Claims) it is called for one reference, Finrota
// receives at most one /b2c/widget/payment for it.
//
// It claims the reference (fingerprinting the amount: the prepare token is
// single use and names no card the merchant knows, so a second tab's own
// prepare token repeats the call rather than conflicting) and completes the
// payment. A reference new to the claims store is sent without a look-up
// first: Finrota refuses a used clientReferenceCode with 409, which means
// "received before", and the call then looks it up (ListPayments by
// clientReferenceCode) and answers with Finrota's record, never with the
// 409. A reference taken over from a holder that ended without an answer
// is looked up before sending. The first call answers as CompletePayment
// does. A repeat sends nothing and answers with what Finrota's record says:
//
//   - paid: a *DirectSale with Record set (after 3-D Secure too);
//   - failed (declined, or the 3-D step failed or lapsed): a *PaymentError,
//     as the first call's decline;
//   - waiting at the bank for the shopper's 3-D step: an *InProgressError
//     (ErrInProgress): the shopper follows the first answer's Redirect;
//     come back after RetryAfter.
//
// Other errors: ErrInProgress while another call holds the reference;
// ErrReferenceConflict when it was used with another amount (by the claims
// store's memory or Finrota's record); ErrOutcomeUnknown when the payment
// may have reached Finrota and the listing could not tell (the reference
// stays held: repeat after the lease, and the repeat looks up before
// sending); ErrLeaseSpent when the claim and look-up took so much of the
// lease that nothing was sent (repeat it). A refusal that moved no money
// (an API error, a request that never left) frees the reference.
//
// What stays unknowable: a 3-D payment whose Redirect was lost with its
// reply (ErrOutcomeUnknown, then found pending): nothing but the lost reply
// carries the bank's URL, so the repeat answers ErrInProgress until the
// bank's session lapses and Finrota records it failed. And should Finrota's
// listing show completed payments only, a pending or declined reference
// looks unused: the send then meets 409 and the reference stays held
// (ErrInProgress) until the listing shows it. The look-up needs Finrota's
// ERP licence (ListPayments); without it a new reference is still paid,
// but nothing else settles: a repeat after it returns the listing's error,
// and a 409 or an unknown outcome leaves the reference held.
func (c *Client) CompletePaymentOnce(ctx context.Context, req *CompleteRequest) (_ Outcome, err error) {
	var ref string
	if req != nil {
		ref = req.ClientReferenceCode
	}
	ctx, sp := c.http.Trace(ctx, "finrota.CompletePaymentOnce", ref)
	defer sp.End(&err)
	if err := c.checkComplete(req); err != nil {
		return nil, err
	}
	return c.payOnce(ctx, req.ClientReferenceCode, req.Amount, "", once.Fingerprint("complete", req.Amount.String()),
		func(ctx context.Context) (Outcome, error) { return c.CompletePayment(ctx, req) })
}

// PayOnce is Pay made safe to repeat by ClientReferenceCode, as
// CompletePaymentOnce is: Finrota receives at most one /b2c/payment for it,
// and a repeat answers with Finrota's record. Its fingerprint covers the
// amount, the currency and the card (its first six and last four digits
// and its expiry, which PCI DSS allows to keep; never the number), so a
// repeat with another card or amount is ErrReferenceConflict while the
// claims store remembers the reference; Finrota's record shows only the
// amount and currency, which a store that keeps no fingerprint compares.
// EXPERIMENTAL, as Pay is.
func (c *Client) PayOnce(ctx context.Context, req *PayRequest) (_ Outcome, err error) {
	var ref string
	if req != nil {
		ref = req.ClientReferenceCode
	}
	ctx, sp := c.http.Trace(ctx, "finrota.PayOnce", ref)
	defer sp.End(&err)
	if err := c.checkPay(req); err != nil {
		return nil, err
	}
	return c.payOnce(ctx, req.ClientReferenceCode, req.Amount, req.Currency,
		once.Fingerprint("pay", req.Amount.String(), string(req.Currency), req.Card.digest()),
		func(ctx context.Context) (Outcome, error) { return c.Pay(ctx, req) })
}

// digest names the card without its number: BIN, last four, expiry.
func (c *Card) digest() string {
	n := c.Number.Reveal()
	return n[:6] + "…" + n[len(n)-4:] + " " + strconv.Itoa(c.ExpMonth) + "/" + strconv.Itoa(c.ExpYear)
}

// attempt is a payment call's answer as the repeatable calls keep it: an
// Outcome, or Finrota's verdict as an error (*PaymentError: declined;
// *InProgressError: waiting at the bank), with Finrota's record when a
// look-up found it. A verdict is a record, not a failure of the call: it
// spends the reference, which Finrota will not take again.
type attempt struct {
	out Outcome
	err error
	rec *PaymentRecord
}

func (c *Client) payOnce(ctx context.Context, ref string, amount Amount, currency Currency, fp string,
	send func(context.Context) (Outcome, error)) (Outcome, error) {
	a, err := once.Do(ctx, c.guard, once.Call[*attempt]{
		Provider: provider, Key: "finrota:payment:" + ref, Reference: ref, Fingerprint: fp,
		Lookup: func(ctx context.Context) (*attempt, bool, error) {
			rec, err := c.lookup(ctx, ref)
			if rec == nil {
				return nil, false, err
			}
			return recorded(ref, rec), true, nil
		},
		Send: func(ctx context.Context) (*attempt, error) {
			out, err := send(ctx)
			var declined *PaymentError
			if errors.As(err, &declined) {
				return &attempt{err: err}, nil
			}
			if err != nil {
				return nil, err
			}
			return &attempt{out: out}, nil
		},
		Mismatch: func(a *attempt) string {
			if a.rec == nil {
				return ""
			}
			var why []string
			if !a.rec.LastAmount.Equal(amount) {
				why = append(why, "amount "+a.rec.LastAmount.String()+", requested "+amount.String())
			}
			if currency != "" && a.rec.CurrencyType != "" && !strings.EqualFold(a.rec.CurrencyType, string(currency)) {
				why = append(why, "currency "+a.rec.CurrencyType+", requested "+string(currency))
			}
			return strings.Join(why, "; ")
		},
		Duplicate: func(err error) bool { return errors.Is(err, ErrConflict) },
	})
	if err != nil {
		return nil, err
	}
	return a.out, a.err
}

// recorded is the answer a found record gives.
func recorded(ref string, rec *PaymentRecord) *attempt {
	switch {
	case rec.Status.Paid():
		return &attempt{out: &DirectSale{OrderID: rec.ReferenceNumber, ClientReferenceCode: ref, Record: rec}, rec: rec}
	case rec.Status.Failed():
		return &attempt{err: &PaymentError{OrderID: rec.ReferenceNumber, ClientReferenceCode: ref,
			Message: "failed, as Finrota's record says"}, rec: rec}
	}
	return &attempt{err: &InProgressError{Provider: provider, Reference: ref, RetryAfter: pendingRetry}, rec: rec}
}

// lookup finds Finrota's record of a clientReferenceCode by its listing;
// nil when there is none. The listing's filter is checked on each record
// (a listing that ignored it would list other payments). Of several
// records, a paid one wins over a pending one, a pending one over a failed
// one.
func (c *Client) lookup(ctx context.Context, ref string) (*PaymentRecord, error) {
	list, err := c.ListPayments(ctx, PaymentFilter{ClientReferenceCode: ref, PageSize: 100})
	if err != nil {
		return nil, err
	}
	var best *PaymentRecord
	rank := func(r *PaymentRecord) int {
		switch {
		case r.Status.Paid():
			return 3
		case r.Status.Pending():
			return 2
		}
		return 1
	}
	for i := range list {
		if r := &list[i]; r.ClientReferenceNumber == ref && (best == nil || rank(r) > rank(best)) {
			best = r
		}
	}
	return best, nil
}

// SettleRequest names a payment by the merchant's clientReferenceCode.
type SettleRequest struct {
	ClientReferenceCode string
}

// Validate checks the documented rules.
func (r *SettleRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	v := httpx.NewViolations(provider, r)
	switch {
	case strings.TrimSpace(r.ClientReferenceCode) == "":
		v.Add("clientReferenceCode", "required")
	case len(r.ClientReferenceCode) > 64:
		v.Add("clientReferenceCode", "at most 64 characters")
	}
	return v.Err()
}

// Settlement is what Settle found: State, and Finrota's Record (a
// *PaymentRecord) when State is SettlePending or SettleDone.
type Settlement = once.Settlement[*PaymentRecord]

// Settle tells what Finrota knows of a clientReferenceCode, by its payment
// listing (ListPayments filtered by clientReferenceCode; safe to retry):
//
//   - SettleNotFound: Finrota lists no payment of the reference: nothing was
//     received, and sending it is safe (Finrota refuses a used reference
//     with 409 all the same).
//   - SettlePending: a payment with no final verdict yet, typically waiting
//     for the shopper's 3-D Secure step at the bank (TransactionPending, or
//     a status Finrota has not documented). Ask again later; never send it
//     again.
//   - SettleDone: paid or failed, in Record.Status.
//
// Any other failure is returned as an error: nothing could be told.
//
// What stays unknowable: Finrota's ERP page does not say whether the
// listing shows failed and pending payments or only completed ones (the
// fake shows all). If only completed ones, a declined or pending reference
// answers SettleNotFound though Finrota has it. The listing needs Finrota's
// ERP licence; without it every Settle fails with the listing's error.
func (c *Client) Settle(ctx context.Context, req *SettleRequest) (_ *Settlement, err error) {
	var ref string
	if req != nil {
		ref = req.ClientReferenceCode
	}
	ctx, sp := c.http.Trace(ctx, "finrota.Settle", ref)
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	rec, err := c.lookup(ctx, req.ClientReferenceCode)
	switch {
	case err != nil:
		return nil, err
	case rec == nil:
		return &Settlement{State: SettleNotFound}, nil
	case rec.Status.Pending():
		return &Settlement{State: SettlePending, Record: rec}, nil
	}
	return &Settlement{State: SettleDone, Record: rec}, nil
}
