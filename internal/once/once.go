// Package once makes a money call safe to repeat by the merchant's own
// reference: however often, however concurrently, and on however many
// replicas sharing one claims store it is called, the provider receives the
// request at most once, and every repeat answers with the provider's record
// of the reference, "in progress, come back", or a reference conflict.
//
// A provider supplies, per call, a Call: the claim key, a fingerprint of the
// parameters that must not change under one reference, the look-up by
// reference, the send, how to tell whether a found record fits the request,
// and how it refuses a duplicate reference. Do runs the dance:
//
//  1. Claim the key in the store (with the fingerprint, when the store keeps
//     one: see claims.ValueStore). A fingerprint that differs from the one
//     remembered with the key is a *ReferenceConflictError at once, whoever holds it.
//  2. Busy: another holder is at work: an *InProgressError.
//  3. Done: look the reference up and return the record (or a conflict when
//     it does not fit). Nothing is sent.
//  4. Claimed: look up first (an earlier holder may have reached the provider
//     and lost the answer); send only when the provider has nothing. A key
//     new to a claims.ValueStore, at a provider that refuses a duplicate
//     reference, is sent without that look-up (see sendsFirst): the refusal
//     tells what the look-up would have. A refusal that provably moved no
//     money releases the key; an unknown outcome keeps it held, so that
//     whoever takes it over after the lease looks up before sending; a
//     duplicate-reference refusal means "received before" and is settled by
//     look-up.
//
// Work under a claim is bounded by the local clock read before Claim (start
// + lease - lease/10), never by Claim.Until, the store's clock, which may run
// ahead of or behind this replica's. A request is sent only while at least
// one HTTP timeout of that bound is left: a request that reached the
// provider after the lease ran out could land after the next holder's
// look-up found nothing, and be sent twice. With less left the key is
// released unsent and the caller told to repeat (ErrLeaseSpent).
package once

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

// DefaultLease is how long a repeatable call holds its reference when the
// client's Config.ClaimLease is zero.
const DefaultLease = 2 * time.Minute

// finishTimeout bounds Complete and Release, which run even after the
// caller's context ended: the claim must follow what the provider did.
const finishTimeout = 10 * time.Second

// Guard is one client's claims store and lease. The zero Now is time.Now.
type Guard struct {
	Store claims.Store
	Lease time.Duration
	// Timeout is how long one request may take (the client's HTTP timeout);
	// a request is sent only while this much of the lease's work time is
	// left. Zero: half the lease.
	Timeout time.Duration
	// Now reads the local clock (tests replace it).
	Now func() time.Time
}

// sendWindow is how much work time a send needs left.
func (g Guard) sendWindow(lease time.Duration) time.Duration {
	if g.Timeout > 0 {
		return g.Timeout
	}
	return lease / 2
}

// NewGuard checks a Config's Claims and ClaimLease: a nil store becomes an
// in-process claims.Memory, a zero lease DefaultLease; a negative lease, or
// one not longer than the HTTP timeout (when timeout > 0), is a
// *httpx.ValidationError naming ClaimLease.
func NewGuard(provider string, store claims.Store, lease, timeout time.Duration) (Guard, error) {
	switch {
	case lease < 0:
		return Guard{}, httpx.Invalid(provider, "ClaimLease", "must not be negative")
	case lease == 0:
		lease = DefaultLease
	}
	if timeout > 0 && lease <= timeout+timeout/4 {
		return Guard{}, httpx.Invalid(provider, "ClaimLease", fmt.Sprintf("must exceed the HTTP timeout (%s) by a quarter of it at least, so that a request can be sent and end inside the lease", timeout))
	}
	if store == nil {
		store = claims.NewMemory(0, 0)
	}
	return Guard{Store: store, Lease: lease, Timeout: timeout}, nil
}

// Call is one repeatable money call, as a provider describes it.
type Call[T any] struct {
	// Provider names the provider in errors ("iotpay").
	Provider string
	// Key is the claim key: "<provider>:<call kind>:<reference>". Calls
	// that share the provider's reference namespace share the kind.
	Key string
	// Reference is the merchant's reference, for error messages.
	Reference string
	// Fingerprint is Fingerprint(...) of the parameters that must be the
	// same on every repeat (amount, currency, card, original payment).
	Fingerprint string
	// Lookup asks the provider for its record of the reference: found is
	// false when it has none (safe to send). An error means it could not
	// tell.
	//
	// Nil when the provider has no look-up (KTPay's payments, Flexiti's
	// releases, returns and refunds). Do then sends only under a key that is
	// new to the store (which must be a claims.ValueStore, to tell new keys
	// from taken-over ones); a repeat after success gets Recall's answer, and
	// a key whose holder ended with an unknown outcome (or died) stays held
	// and is never sent again: the holder that takes it over after the lease
	// answers Recall's record when there is one (and completes the key), and
	// otherwise an error matching both Unknowable and ErrOutcomeUnknown. A
	// Duplicate refusal ("received before") is held the same way and
	// answers Unknowable alone, never the provider's refusal.
	Lookup func(ctx context.Context) (rec T, found bool, err error)
	// Recall answers a repeat of a done call when Lookup is nil: the record
	// the merchant's own store kept (KTPay's notification verdict); found
	// false (not recorded yet) gives the Unknowable error. Nil: a repeat of
	// a done call gives an error matching ErrAlreadyDone.
	Recall func(ctx context.Context) (rec T, found bool, err error)
	// Unknowable is the error for a reference whose outcome cannot be
	// looked up (Lookup nil): ErrAwaitingNotification for KTPay, the
	// provider's ErrOutcomeUnknown otherwise. It is wrapped with the
	// reference.
	Unknowable error
	// Send makes the call.
	Send func(ctx context.Context) (T, error)
	// Mismatch says how a found record differs from the request ("amount
	// 1500, requested 1200"), or "" when it fits.
	Mismatch func(rec T) string
	// Duplicate reports the provider's refusal of a reference it has seen
	// ("mchOrderNo duplicate", 409, 422 "must be unique"): the request was
	// received before. Nil when the provider has none.
	Duplicate func(err error) bool
}

// Do runs c once for its key; see the package documentation.
func Do[T any](ctx context.Context, g Guard, c Call[T]) (T, error) {
	var zero T
	now := g.Now
	if now == nil {
		now = time.Now
	}
	lease := g.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	if c.Lookup == nil {
		if _, ok := g.Store.(claims.ValueStore); !ok || c.Fingerprint == "" {
			return zero, errors.New(c.Provider + ": this call has no look-up and needs a claims store that tells new keys from taken-over ones (NewMemoryStore, NewSQLStore)")
		}
	}
	start := now()
	cl, err := claim(ctx, g.Store, c.Key, c.Fingerprint, lease)
	if err != nil {
		return zero, err
	}
	if cl.Value != "" && c.Fingerprint != "" && cl.Value != c.Fingerprint {
		// The key remembers other parameters. A holder that took the key
		// over keeps it until its lease runs out, so that the first
		// parameters stay remembered.
		return zero, &ReferenceConflictError{Provider: c.Provider, Reference: c.Reference, Reason: "sent before with other parameters"}
	}
	switch cl.State {
	case claims.Busy:
		return zero, newInProgress(c.Provider, c.Reference, cl.Until, now(), lease)
	case claims.Done:
		if c.Lookup == nil {
			return recall(ctx, c)
		}
		rec, found, err := c.Lookup(ctx)
		if err != nil {
			return zero, err
		}
		if !found {
			return zero, &ReferenceConflictError{Provider: c.Provider, Reference: c.Reference,
				Reason: "used before, but " + c.Provider + " shows no record of it for these parameters"}
		}
		return fits(c, rec)
	case claims.Claimed:
	default:
		return zero, errors.New("once: claims store answered an unknown state")
	}

	// Bounded by this replica's clock as read before Claim: the store's
	// Until may be ahead of it, and working past start+lease would race the
	// holder that takes over. A caller's deadline that comes first bounds
	// the work itself.
	workEnd := start.Add(lease - lease/10)
	work, cancel := ctx, context.CancelFunc(func() {})
	if d, ok := ctx.Deadline(); !ok || d.After(workEnd) {
		work, cancel = context.WithDeadline(ctx, workEnd)
	}
	defer cancel()
	// Complete and Release must follow what the provider did even when the
	// caller gave up: they run under the work context while it lasts, and
	// otherwise (or when it ended during the call) under a context of their
	// own, detached from the caller's and bounded by finishTimeout. Should
	// Complete fail all the same, the lease runs out and the next holder
	// finds the record by look-up.
	finish := func(op func(ctx context.Context, key, token string) error) {
		if work.Err() == nil && (op(work, c.Key, cl.Token) == nil || work.Err() == nil) {
			return
		}
		fin, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
		defer cancel()
		_ = op(fin, c.Key, cl.Token)
	}
	complete := func() { finish(g.Store.Complete) }
	release := func() { finish(g.Store.Release) }
	// sendable reports whether a request sent now ends inside the lease.
	sendable := func() bool { return workEnd.Sub(now()) >= g.sendWindow(lease) }

	settled := func(rec T) (T, error) {
		complete()
		return fits(c, rec)
	}
	if c.Lookup == nil {
		// A key taken over is never released: its earlier holder may have
		// sent, and a released key is new to the next caller, who would
		// send again. sendBlind sends nothing under it anyway.
		if !cl.TakenOver && !sendable() {
			release()
			return zero, leaseSpent(c)
		}
		return sendBlind(work, c, cl, start, lease, now, complete, release)
	}
	if !sendsFirst(g.Store, c, cl) {
		rec, found, err := c.Lookup(work)
		if err != nil {
			// Nothing was sent by this holder, and whoever claims next looks up
			// again before sending: release rather than block for a lease.
			release()
			return zero, err
		}
		if found {
			return settled(rec)
		}
	}
	if !sendable() {
		// The claim or the look-up took most of the lease: nothing was
		// sent, so the next caller may claim at once.
		release()
		return zero, leaseSpent(c)
	}
	rec, err := c.Send(work)
	if err == nil {
		complete()
		return rec, nil
	}
	dup := c.Duplicate != nil && c.Duplicate(err)
	if dup || errors.Is(err, httpx.ErrOutcomeUnknown) {
		// Received (or maybe received) before: settle by look-up.
		if found, ok, ferr := c.Lookup(work); ferr == nil && ok {
			return settled(found)
		}
		// Left held: whoever takes it over after the lease looks up first.
		if dup {
			return zero, newInProgress(c.Provider, c.Reference, time.Time{}, now(), start.Add(lease).Sub(now()))
		}
		return zero, err
	}
	release()
	return zero, err
}

// sendsFirst reports whether a claimed key may be sent without looking it
// up first: the key is new to a store that remembers fingerprints (so no
// holder of this store sent it before), and the provider refuses a
// reference it has seen (c.Duplicate), which Do then settles by look-up.
// A reference sent outside this store (by the plain call, or before an
// in-memory store was emptied) thus still ends in the provider's record,
// at the cost of one refused request instead of one look-up on every new
// reference. A key taken over, or a provider that would accept the
// reference again, is looked up first.
func sendsFirst[T any](s claims.Store, c Call[T], cl claims.Claim) bool {
	if cl.TakenOver || c.Duplicate == nil || c.Fingerprint == "" {
		return false
	}
	_, ok := s.(claims.ValueStore)
	return ok
}

// sendBlind is the Claimed branch of a call without look-up.
func sendBlind[T any](ctx context.Context, c Call[T], cl claims.Claim, start time.Time, lease time.Duration,
	now func() time.Time, complete, release func()) (T, error) {
	var zero T
	if cl.TakenOver {
		// An earlier holder ended without completing or releasing: it may
		// have sent. Only a verdict recorded since (KTPay's notification)
		// tells; without one the key stays held and nothing is sent.
		if c.Recall != nil {
			rec, found, err := c.Recall(ctx)
			if err != nil {
				return zero, err
			}
			if found {
				complete()
				return fits(c, rec)
			}
		}
		return zero, errors.Join(unknowable(c), httpx.OutcomeUnknown(c.Provider, errEarlierHolder))
	}
	rec, err := c.Send(ctx)
	switch {
	case err == nil:
		complete()
		return rec, nil
	case errors.Is(err, httpx.ErrOutcomeUnknown):
		return zero, errors.Join(err, unknowable(c)) // held: never sent again
	case c.Duplicate != nil && c.Duplicate(err):
		// Received before (by a call this store did not see): not a
		// refusal to show anyone. Held, never sent again; its verdict
		// comes as Unknowable says.
		return zero, fmt.Errorf("%s: %s: received before (%s): %w", c.Provider, quote(c.Reference), err.Error(), unknowableErr(c))
	}
	release()
	return zero, err
}

// errEarlierHolder is the cause of the outcome-unknown error of a reference
// taken over from a holder that ended without an answer.
var errEarlierHolder = errors.New("an earlier attempt under this reference ended without an answer")

func recall[T any](ctx context.Context, c Call[T]) (T, error) {
	var zero T
	if c.Recall == nil {
		return zero, &doneError{provider: c.Provider, ref: c.Reference}
	}
	rec, found, err := c.Recall(ctx)
	switch {
	case err != nil:
		return zero, err
	case found:
		return fits(c, rec)
	}
	// Sent and answered, but its verdict is not recorded yet.
	return zero, unknowable(c)
}

func leaseSpent[T any](c Call[T]) error {
	return fmt.Errorf("%s: %s: %w", c.Provider, quote(c.Reference), ErrLeaseSpent)
}

func unknowable[T any](c Call[T]) error {
	return fmt.Errorf("%s: %s: %w", c.Provider, quote(c.Reference), unknowableErr(c))
}

func unknowableErr[T any](c Call[T]) error {
	if c.Unknowable == nil {
		return httpx.ErrOutcomeUnknown
	}
	return c.Unknowable
}

// fits returns rec, or a *ReferenceConflictError when it does not fit the request.
func fits[T any](c Call[T], rec T) (T, error) {
	if c.Mismatch != nil {
		if why := c.Mismatch(rec); why != "" {
			var zero T
			return zero, &ReferenceConflictError{Provider: c.Provider, Reference: c.Reference, Reason: why}
		}
	}
	return rec, nil
}

func claim(ctx context.Context, s claims.Store, key, fp string, lease time.Duration) (claims.Claim, error) {
	if vs, ok := s.(claims.ValueStore); ok && fp != "" {
		return vs.ClaimValue(ctx, key, fp, lease)
	}
	return s.Claim(ctx, key, lease)
}

// Fingerprint digests the parameters that must be equal on every repeat of
// one reference: 32 hex characters of SHA-256 over the parts, each
// length-prefixed (so ("ab","c") and ("a","bc") differ).
func Fingerprint(parts ...string) string {
	var buf [256]byte // the usual parameters fit: no allocation
	b := buf[:0]
	for _, p := range parts {
		b = binary.BigEndian.AppendUint64(b, uint64(len(p)))
		b = append(b, p...)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}
