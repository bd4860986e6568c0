package flexiti

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/once"
)

var (
	// ErrAuthorizationInProgress is ErrInProgress under its former name.
	//
	// Deprecated: match ErrInProgress, the name in every provider package.
	ErrAuthorizationInProgress = ErrInProgress
	// ErrReferenceUsed is ErrReferenceConflict under its former name.
	//
	// Deprecated: match ErrReferenceConflict, the name in every provider
	// package.
	ErrReferenceUsed = ErrReferenceConflict
)

// AuthorizeOnce is Authorize made safe to repeat by the merchant's
// Reference: however often and however concurrently (on every replica
// sharing Config.Claims) it is called for one Reference, Flexiti receives at
// most one authorization for it.
//
// It claims "flexiti:authorization:<reference>" with a fingerprint of the
// account, amount, financing and auto-capture, looks the reference up on the
// account (FindAuthorization) and authorizes only when Flexiti lists none.
// A repeat returns the authorization Flexiti lists and sends nothing.
// Errors: ErrInProgress (an *InProgressError with RetryAfter) while another
// call holds the reference; ErrReferenceConflict when it was used with
// other parameters (another account or amount: the listing of this account
// does not show it); ErrOutcomeUnknown when the authorization may have
// reached Flexiti and the listing could not tell (the reference stays held;
// repeat after the lease, and the repeat looks up before authorizing). A
// refusal (an API error, a request that never left) frees the reference, so
// the shopper can try again.
//
// What stays unknowable: Flexiti's listing may lag behind an authorization
// it has just made; a repeat then finds the reference held, not free.
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
		return nil, httpx.InvalidField(provider, "Reference", "reference", "required for AuthorizeOnce")
	}
	c := f.c
	find := func(ctx context.Context) (*Authorization, bool, error) {
		a, err := c.FindAuthorization(ctx, r.AccountNumber, r.Reference)
		return a, a != nil, err
	}
	return once.Do(ctx, c.guard, once.Call[*Authorization]{
		Provider: provider, Key: "flexiti:authorization:" + r.Reference, Reference: r.Reference,
		Fingerprint: once.Fingerprint(r.AccountNumber.String(), r.Amount.String(), r.FinancingOption.TransactionType,
			r.FinancingOption.PlanID.String(), strconv.Itoa(r.FinancingOption.Term), strconv.FormatBool(r.AutoCapture)),
		Lookup: find,
		Send:   func(ctx context.Context) (*Authorization, error) { return f.Authorize(ctx, r) },
		Mismatch: func(a *Authorization) string {
			return amountMismatch(a.Amount, r.Amount)
		},
	})
}

// CaptureOnce is Capture made safe to repeat by the capture's Reference
// (required): Flexiti receives at most one capture for it, and a repeat
// returns the capture Flexiti lists (Captures, matched by authorization and
// reference). The reference used for another authorization or amount is
// ErrReferenceConflict; the other answers are AuthorizeOnce's.
//
// What stays unknowable: Flexiti does not document the filters of its
// captures listing, so the look-up reads the whole listing.
func (c *Client) CaptureOnce(ctx context.Context, authorizationID ID, r *CaptureRequest) (_ *Capture, err error) {
	var ref string
	if r != nil {
		ref = r.Reference
	}
	ctx, sp := c.http.Trace(ctx, "flexiti.CaptureOnce", ref)
	defer sp.End(&err)
	if r == nil {
		return nil, httpx.Invalid(provider, "request", "required")
	}
	if r.Reference == "" {
		return nil, httpx.Invalid(provider, "reference", "required for CaptureOnce")
	}
	if err := allErrs(r, checkID("authorizationId", authorizationID), checkAmount("amount", r.Amount), checkRef(r.Reference)); err != nil {
		return nil, err
	}
	return once.Do(ctx, c.guard, once.Call[*Capture]{
		Provider: provider, Key: "flexiti:capture:" + r.Reference, Reference: r.Reference,
		Fingerprint: once.Fingerprint(authorizationID.String(), r.Amount.String()),
		Lookup: func(ctx context.Context) (*Capture, bool, error) {
			list, err := c.Captures(ctx, nil)
			if err != nil {
				return nil, false, err
			}
			for i := range list {
				if list[i].Reference == r.Reference {
					return &list[i], true, nil
				}
			}
			return nil, false, nil
		},
		Send: func(ctx context.Context) (*Capture, error) { return c.Capture(ctx, authorizationID, r) },
		Mismatch: func(got *Capture) string {
			var why []string
			if m := amountMismatch(got.Amount, r.Amount); m != "" {
				why = append(why, m)
			}
			if got.AuthorizationID != 0 && got.AuthorizationID != authorizationID {
				why = append(why, "authorization "+got.AuthorizationID.String()+", requested "+authorizationID.String())
			}
			return strings.Join(why, "; ")
		},
	})
}

func amountMismatch(got, want Amount) string {
	if got.Cmp(want) != 0 {
		return "amount " + got.String() + ", requested " + want.String()
	}
	return ""
}

// SettleRequest names an authorization by the merchant's reference on the
// shopper's account.
type SettleRequest struct {
	AccountNumber ID
	Reference     string
}

// Validate checks the documented rules.
func (r *SettleRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	return allErrs(r, checkID("account_number", r.AccountNumber), requiredRef(r.Reference))
}

func requiredRef(ref string) error {
	if ref == "" {
		return httpx.Invalid(provider, "reference", "required")
	}
	return checkRef(ref)
}

// Settlement is what Settle found: State, and Flexiti's Record (an
// *Authorization) when State is SettleDone.
type Settlement = once.Settlement[*Authorization]

// Settle tells what Flexiti knows of an authorization's reference, by the
// account's listing of authorizations (FindAuthorization; safe to retry):
//
//   - SettleNotFound: the account lists no authorization with the
//     reference: authorizing it is safe.
//   - SettleDone: Flexiti lists the authorization (Record): it was made;
//     Record.CaptureID is set when it was captured with it.
//
// Flexiti has no pending state for an authorization: it is made or refused
// in the call. Captures are found by CaptureOnce's look-up (Captures).
// Releases, returns and refunds have no documented look-up by reference:
// their outcome stays unknowable to the SDK beyond what GetAuthorization
// shows.
func (c *Client) Settle(ctx context.Context, r *SettleRequest) (_ *Settlement, err error) {
	var ref string
	if r != nil {
		ref = r.Reference
	}
	ctx, sp := c.http.Trace(ctx, "flexiti.Settle", ref)
	defer sp.End(&err)
	if err := r.Validate(); err != nil {
		return nil, err
	}
	a, err := c.FindAuthorization(ctx, r.AccountNumber, r.Reference)
	switch {
	case err != nil:
		return nil, err
	case a == nil:
		return &Settlement{State: SettleNotFound}, nil
	}
	return &Settlement{State: SettleDone, Record: a}, nil
}

// ReleaseOnce is Release made safe to repeat by the release's Reference
// (required): Flexiti receives at most one release for it. Flexiti documents
// no look-up of releases, so:
//
//   - the release is sent only under a reference new to Config.Claims (a
//     NewMemoryStore or NewSQLStore, which tell new references from ones
//     taken over);
//   - a repeat after it succeeded answers ErrAlreadyDone (nothing sent);
//     GetAuthorization shows the authorization as Flexiti holds it;
//   - after ErrOutcomeUnknown the reference stays held and is never sent
//     again: repeats answer ErrInProgress during the lease, then
//     ErrOutcomeUnknown; settle it with GetAuthorization or Flexiti;
//   - the reference used for another authorization or amount is
//     ErrReferenceConflict; a refusal frees it.
func (c *Client) ReleaseOnce(ctx context.Context, authorizationID ID, r *ReleaseRequest) (_ json.RawMessage, err error) {
	var ref string
	if r != nil {
		ref = r.Reference
	}
	ctx, sp := c.http.Trace(ctx, "flexiti.ReleaseOnce", ref)
	defer sp.End(&err)
	if r == nil || r.Reference == "" {
		return nil, httpx.Invalid(provider, "reference", "required for ReleaseOnce")
	}
	amount := "all"
	if r.Amount != nil {
		amount = r.Amount.String()
	}
	return once.Do(ctx, c.guard, once.Call[json.RawMessage]{
		Provider: provider, Key: "flexiti:release:" + r.Reference, Reference: r.Reference,
		Fingerprint: once.Fingerprint(authorizationID.String(), amount),
		Send:        func(ctx context.Context) (json.RawMessage, error) { return c.Release(ctx, authorizationID, r) },
		Unknowable:  ErrOutcomeUnknown,
	})
}

// ReturnOnce is Return made safe to repeat by the return's Reference
// (required), as ReleaseOnce is: Flexiti documents no look-up of returns,
// so a repeat after success answers ErrAlreadyDone and an unknown outcome is
// never sent again (check the capture's remaining amount with Flexiti).
func (c *Client) ReturnOnce(ctx context.Context, authorizationID, captureID ID, r *ReturnRequest) (_ *Return, err error) {
	var ref string
	if r != nil {
		ref = r.Reference
	}
	ctx, sp := c.http.Trace(ctx, "flexiti.ReturnOnce", ref)
	defer sp.End(&err)
	if r == nil || r.Reference == "" {
		return nil, httpx.Invalid(provider, "reference", "required for ReturnOnce")
	}
	amount := "full"
	if r.Amount != nil {
		amount = r.Amount.String()
	}
	return once.Do(ctx, c.guard, once.Call[*Return]{
		Provider: provider, Key: "flexiti:return:" + r.Reference, Reference: r.Reference,
		Fingerprint: once.Fingerprint(authorizationID.String(), captureID.String(), strconv.FormatBool(r.FullReturn), amount),
		Send:        func(ctx context.Context) (*Return, error) { return c.Return(ctx, authorizationID, captureID, r) },
		Unknowable:  ErrOutcomeUnknown,
	})
}

// RefundOnce is Refund made safe to repeat by the refund's Reference
// (required), as ReleaseOnce is: Flexiti documents no look-up of account
// refunds, so a repeat after success answers ErrAlreadyDone and an unknown
// outcome is never sent again (check the account with Flexiti).
func (c *Client) RefundOnce(ctx context.Context, accountNumber ID, r *RefundRequest) (_ json.RawMessage, err error) {
	var ref string
	if r != nil {
		ref = r.Reference
	}
	ctx, sp := c.http.Trace(ctx, "flexiti.RefundOnce", ref)
	defer sp.End(&err)
	if r == nil || r.Reference == "" {
		return nil, httpx.Invalid(provider, "reference", "required for RefundOnce")
	}
	return once.Do(ctx, c.guard, once.Call[json.RawMessage]{
		Provider: provider, Key: "flexiti:refund:" + r.Reference, Reference: r.Reference,
		Fingerprint: once.Fingerprint(accountNumber.String(), r.Amount.String()),
		Send:        func(ctx context.Context) (json.RawMessage, error) { return c.Refund(ctx, accountNumber, r) },
		Unknowable:  ErrOutcomeUnknown,
	})
}
