package flexiti

import (
	"context"
	"errors"
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// DefaultClaimLease is how long an AuthorizeOnce holds its reference when
// Config.ClaimLease is zero.
const DefaultClaimLease = 2 * time.Minute

var (
	// ErrAuthorizationInProgress: another AuthorizeOnce for the same
	// reference (another request, goroutine or replica) is running. Nothing
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
//   - The first call claims "flexiti:authorization:<reference>" in
//     Config.Claims and authorizes; when Flexiti answers, the claim is done.
//   - A later call finds the claim done and returns the existing
//     authorization (FindAuthorization), or ErrReferenceUsed when this
//     account has none; it never authorizes again.
//   - A call that finds another call's lease live returns
//     ErrAuthorizationInProgress without sending anything.
//   - When Authorize ends with ErrOutcomeUnknown, AuthorizeOnce reconciles
//     at once with FindAuthorization; if that does not settle it, the claim
//     is left held, and the next call after the lease (Config.ClaimLease)
//     takes it over and reconciles with FindAuthorization before any new
//     Authorize.
//   - A refusal (an API error, a request that never left) releases the
//     claim, so the shopper can try again.
//
// Reference is required. Compare the returned authorization's Amount with
// the order: a replay returns what was authorized the first time. The call
// runs at most for the lease, so that nobody takes over while it is in
// flight; the lease must exceed the client's HTTP timeout.
func (f *Flow) AuthorizeOnce(ctx context.Context, r *AuthorizeRequest) (*Authorization, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if r.Reference == "" {
		return nil, httpx.Invalid(provider, "reference", "required for AuthorizeOnce")
	}
	c := f.c
	lease := c.lease
	cl, err := c.claims.Claim(ctx, "flexiti:authorization:"+r.Reference, lease)
	if err != nil {
		return nil, err
	}
	switch cl.State {
	case ClaimDone:
		a, err := c.FindAuthorization(ctx, r.AccountNumber, r.Reference)
		if err != nil {
			return nil, err
		}
		if a == nil {
			return nil, ErrReferenceUsed
		}
		return a, nil
	case ClaimBusy:
		return nil, ErrAuthorizationInProgress
	case ClaimTakenOver:
		// An earlier attempt may have reached Flexiti: look before acting.
		a, err := c.FindAuthorization(ctx, r.AccountNumber, r.Reference)
		if err != nil {
			return nil, err // the claim stays held; the next taker looks again
		}
		if a != nil {
			_ = c.claims.Complete(ctx, cl)
			return a, nil
		}
	case ClaimNew:
	default:
		return nil, errors.New("flexiti: claim store answered an unknown state")
	}

	callCtx, cancel := context.WithTimeout(ctx, lease-lease/10)
	defer cancel()
	a, err := f.Authorize(callCtx, r)
	switch {
	case err == nil:
		// Flexiti authorized. Should Complete fail, the lease expires and
		// the next attempt finds this authorization by reference.
		_ = c.claims.Complete(ctx, cl)
		return a, nil
	case errors.Is(err, ErrOutcomeUnknown):
		if found, ferr := c.FindAuthorization(ctx, r.AccountNumber, r.Reference); ferr == nil && found != nil {
			_ = c.claims.Complete(ctx, cl)
			return found, nil
		}
		return nil, err // claim left held: reconciled by whoever takes it over
	default:
		_ = c.claims.Release(ctx, cl)
		return nil, err
	}
}
