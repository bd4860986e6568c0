package flexiti

import "github.com/paywidget/paywidget-go/claims"

// ClaimStore serialises Flow.AuthorizeOnce per reference: package claims'
// Store (new, in progress under a lease, done), the same store that makes
// the providers' notifications exactly-once, so one store — for several
// replicas claims.NewSQL on the merchant's database — serves both. Its
// methods:
//
//	Claim(ctx context.Context, key string, lease time.Duration) (Claim, error)
//		takes key for lease when it is new, released or its lease ran out;
//		otherwise answers Busy (held by another until Claim.Until) or Done
//	Complete(ctx context.Context, key, token string) error
//		marks key done if token still holds it (else claims.ErrLeaseLost)
//	Release(ctx context.Context, key, token string) error
//		gives key up, so that the next attempt takes it at once
type ClaimStore = claims.Store

// Claim is a ClaimStore's answer: State (claims.Claimed, Busy or Done), the
// holder's Token when claimed, and Until, when the lease runs out.
type Claim = claims.Claim

// ClaimState is where a reference stands: claims.Claimed (this attempt
// holds it), claims.Busy (another attempt holds it) or claims.Done
// (authorized).
type ClaimState = claims.State
