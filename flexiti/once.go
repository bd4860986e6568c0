package flexiti

import (
	"context"
	"errors"
	"time"

	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

// DefaultClaimLease is how long an AuthorizeOnce holds its reference when
// Config.ClaimLease is zero.
const DefaultClaimLease = 2 * time.Minute

var (
	// ErrAuthorizationInProgress: another AuthorizeOnce for the same
	// reference (another request, goroutine or replica) holds it. Nothing
	// was sent; show the order's state and let the other attempt finish.
	ErrAuthorizationInProgress = errors.New("flexiti: an authorization for this reference is in progress")
	// ErrReferenceUsed: the reference was already authorized, but Flexiti
	// lists no authorization of it on this account (another account, or
	// Flexiti's listing does not show it yet). Nothing was sent.
	ErrReferenceUsed = errors.New("flexiti: reference already authorized, not on this account")
)

// AuthorizeOnce is Authorize made idempotent by the merchant's reference:
// however often, and however concurrently (across replicas sharing
// Config.Claims), it is called for one Reference, Flexiti receives at most
// one authorization for it.
//
//   - It claims "flexiti:authorization:<reference>" in Config.Claims for
//     Config.ClaimLease. Holding the claim, it first looks the reference up
//     (FindAuthorization) and returns an authorization Flexiti already has;
//     only when there is none does it Authorize. When Flexiti has answered,
//     the claim is done.
//   - A later call finds the claim done and returns the existing
//     authorization, or ErrReferenceUsed when this account has none; it
//     never authorizes again.
//   - A call that finds another call's lease live returns
//     ErrAuthorizationInProgress without sending anything.
//   - When Authorize ends with ErrOutcomeUnknown, AuthorizeOnce looks the
//     reference up again at once; if that does not settle it, the claim is
//     left held, and the call that takes it over after the lease looks the
//     reference up before any new Authorize.
//   - A refusal (an API error, a request that never left) releases the
//     claim, so the shopper can try again.
//
// Reference is required. Compare the returned authorization's Amount with
// the order: a replay returns what was authorized the first time. The calls
// run at most for the lease, so that nobody takes over while one is in
// flight; the lease must exceed the client's HTTP timeout.
func (f *Flow) AuthorizeOnce(ctx context.Context, r *AuthorizeRequest) (_ *Authorization, err error) {
	var ref string
	if r != nil {
		ref = r.Reference
	}
	ctx, sp := f.c.http.Trace(ctx, "flexiti.Flow.AuthorizeOnce", ref)
	defer sp.End(&err)
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if r.Reference == "" {
		return nil, httpx.Invalid(provider, "reference", "required for AuthorizeOnce")
	}
	c := f.c
	key := "flexiti:authorization:" + r.Reference
	cl, err := c.claims.Claim(ctx, key, c.lease)
	if err != nil {
		return nil, err
	}
	switch cl.State {
	case claims.Done:
		a, err := c.FindAuthorization(ctx, r.AccountNumber, r.Reference)
		if err != nil {
			return nil, err
		}
		if a == nil {
			return nil, ErrReferenceUsed
		}
		return a, nil
	case claims.Busy:
		return nil, ErrAuthorizationInProgress
	case claims.Claimed:
	default:
		return nil, errors.New("flexiti: claim store answered an unknown state")
	}
	// Complete and Release run even when the caller hung up: the claim's
	// state must follow what Flexiti did.
	fin, cancelFin := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancelFin()
	done := func(a *Authorization) (*Authorization, error) {
		// Should Complete fail, the lease runs out and the next attempt
		// finds this authorization by reference.
		_ = c.claims.Complete(fin, key, cl.Token)
		return a, nil
	}
	work, cancel := context.WithDeadline(ctx, cl.Until.Add(-c.lease/10))
	defer cancel()

	// Look before authorizing: an earlier holder may have reached Flexiti
	// and lost the answer (or a done mark may have been forgotten).
	a, err := c.FindAuthorization(work, r.AccountNumber, r.Reference)
	if err != nil {
		// Nothing was sent by this holder, and whoever claims next looks
		// again before authorizing: release rather than block the reference
		// for a whole lease.
		_ = c.claims.Release(fin, key, cl.Token)
		return nil, err
	}
	if a != nil {
		return done(a)
	}
	a, err = f.Authorize(work, r)
	switch {
	case err == nil:
		return done(a)
	case errors.Is(err, ErrOutcomeUnknown):
		if found, ferr := c.FindAuthorization(work, r.AccountNumber, r.Reference); ferr == nil && found != nil {
			return done(found)
		}
		return nil, err // claim left held: reconciled by whoever takes it over
	default:
		_ = c.claims.Release(fin, key, cl.Token)
		return nil, err
	}
}
