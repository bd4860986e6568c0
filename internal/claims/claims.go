// Package claims makes a piece of work happen once for a key, however many
// times and on however many replicas it is asked for: a provider's
// notification delivered twice, the same retry landing on two replicas at
// once, a shopper's double click.
//
// A key is in one of three states. New: nobody has it. In progress: one
// holder claimed it for a lease and is doing the work. Done: the work was
// done and is not done again. Only done means "handled": a caller that finds
// the key in progress is told so (Busy) and comes back, and a holder whose
// work failed releases the key so that the next caller does it. A holder that
// died mid-work loses the key when its lease runs out, and the next caller
// takes it over.
//
//	c, err := store.Claim(ctx, "authorize:"+ref, time.Minute)
//	switch c.State {
//	case claims.Claimed: // do the work, then store.Complete (or store.Release on failure) with c.Token
//	case claims.Busy:    // someone else is doing it: come back after c.Until
//	case claims.Done:    // done before: do not do it again
//	}
//
// Run does exactly that dance, including a bounded wait for a busy key.
//
// Memory is a Store for one process. SQL keeps claims in a table of the
// merchant's own database, so that every replica shares them; with
// WithWorkInTx the work's own writes and the done mark commit in one
// transaction.
package claims

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// State is where a key stands after a Claim.
type State int

// The states a Claim reports. A key that is new, released or whose lease ran
// out is taken by the Claim, which then reports Claimed.
const (
	// Claimed: this caller holds the key until Claim.Until. Do the work,
	// then Complete the key, or Release it when the work failed.
	Claimed State = iota + 1
	// Busy: another holder's lease is live. Do not do the work and do not
	// treat it as done: come back (or wait) until Claim.Until.
	Busy
	// Done: the work was completed before. Do not do it again.
	Done
)

// String names the state.
func (s State) String() string {
	switch s {
	case Claimed:
		return "claimed"
	case Busy:
		return "busy"
	case Done:
		return "done"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Claim is the answer of Store.Claim.
type Claim struct {
	State State
	// Token names this holder when State is Claimed; Complete and Release
	// need it, so that a holder whose lease was taken over cannot complete
	// or release the new holder's claim.
	Token string
	// Until is when the lease runs out: this caller's (Claimed) or the
	// other holder's (Busy), on this process's clock (a Store whose clock
	// is another machine's, such as SQL's database, converts). Zero for
	// Done. Bound work under a claim by the local clock read before Claim
	// plus the lease, as Run does, rather than by Until: a Store that
	// reports its own clock would stretch or cut the work by the skew.
	Until time.Time
	// Value is the value remembered with the key (ValueStore.ClaimValue),
	// in every state; "" from Claim.
	Value string
	// TakenOver is set by ValueStore.ClaimValue when State is Claimed and
	// the key was not new: an earlier holder's lease ran out before it
	// completed or released the key, so its work may have been done.
	TakenOver bool
}

// Store keeps claims. Implementations must be safe for concurrent use and
// make Claim atomic: of concurrent Claims of one key at most one is Claimed,
// and a key stays with its holder until its lease runs out, it is released,
// or it is completed.
type Store interface {
	// Claim takes key for lease when the key is new, was released, or its
	// holder's lease ran out (the holder is presumed dead); otherwise it
	// reports Busy or Done. lease must be positive.
	Claim(ctx context.Context, key string, lease time.Duration) (Claim, error)
	// Complete marks key done if token still holds it (even past its lease,
	// as long as nobody took it over). When another holder took it over it
	// returns an error matching ErrLeaseLost and changes nothing.
	Complete(ctx context.Context, key, token string) error
	// Release gives key up if token still holds it, so that the next Claim
	// takes it at once. Releasing a key the token no longer holds, or one
	// that is done, changes nothing and is not an error.
	Release(ctx context.Context, key, token string) error
}

// ValueStore is a Store that remembers a small value with each key: the
// fingerprint of the parameters a repeatable money call was first made with,
// so that a repeat with other parameters is told apart even while the first
// holder is at work. Memory and SQL implement it; a Store without it still
// works, and conflicts are then found by comparing the provider's record.
type ValueStore interface {
	Store
	// ClaimValue is Claim that records value (at most MaxValueLen bytes)
	// when it creates the key, and reports the key's value in Claim.Value
	// whatever the state. A key taken over after its lease ran out keeps the
	// value it was created with; a released key is forgotten with its value.
	ClaimValue(ctx context.Context, key, value string, lease time.Duration) (Claim, error)
}

// MaxValueLen is the longest value a ValueStore must accept.
const MaxValueLen = 128

// ErrLeaseLost is matched by Complete (and Run) when the lease ran out and
// another holder took the key over: the work done under the old lease may be
// done again by the new holder. With SQL and WithWorkInTx the old holder's
// work is rolled back, so it is not.
var ErrLeaseLost = errors.New("claims: lease lost to another holder")

// ErrBusy is matched by Run's error when another holder kept the key in
// progress for longer than the caller was willing to wait.
var ErrBusy = errors.New("claims: in progress elsewhere")

// BusyError is Run's error for a key in progress elsewhere; it matches
// ErrBusy.
type BusyError struct {
	// Until is when the other holder's lease runs out; by then it has
	// completed, released, or lost the key.
	Until time.Time
}

func (e *BusyError) Error() string { return ErrBusy.Error() }

// Is makes errors.Is(err, ErrBusy) hold.
func (e *BusyError) Is(target error) bool { return target == ErrBusy }

// RetryAfter is how long a caller should wait before asking again: until
// the other lease runs out, at least one second, at most max (when max is
// positive).
func (e *BusyError) RetryAfter(max time.Duration) time.Duration {
	d := time.Until(e.Until).Round(time.Second)
	if d < time.Second {
		d = time.Second
	}
	if max > 0 && d > max {
		d = max
	}
	return d
}

// newToken returns an unguessable holder name.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// MaxKeyLen is the longest key a Store must accept (SQL's column width).
const MaxKeyLen = 255

func checkClaim(key string, lease time.Duration) error {
	if key == "" || len(key) > MaxKeyLen {
		return fmt.Errorf("claims: key must be 1 to %d bytes", MaxKeyLen)
	}
	if lease <= 0 {
		return errors.New("claims: lease must be positive")
	}
	return nil
}

func checkValue(v string) error {
	if len(v) > MaxValueLen {
		return fmt.Errorf("claims: value longer than %d bytes", MaxValueLen)
	}
	return nil
}
