package once

import (
	"errors"
	"strconv"
	"time"
)

// Sentinels of the repeatable calls, the same values in every provider
// package (re-exported there).
var (
	// ErrInProgress: another call for the same reference (another
	// goroutine, request or replica) holds it, or the provider has
	// received the request and its record is not readable yet. Nothing was
	// sent; come back after the error's RetryAfter.
	ErrInProgress = errors.New("in progress for this reference: come back later")
	// ErrReferenceConflict: the reference was used before with other
	// parameters (another amount, card or original payment). Nothing was
	// sent. A new payment needs a new reference.
	ErrReferenceConflict = errors.New("reference used before with other parameters")
	// ErrAwaitingNotification: the provider has no look-up (KTPay); the
	// request was sent and its verdict arrives only by notification.
	ErrAwaitingNotification = errors.New("awaiting the provider's notification")
	// ErrAlreadyDone: the call was made before under this reference and
	// answered, and the provider offers no look-up to return its record
	// again. Nothing was sent.
	ErrAlreadyDone = errors.New("done before under this reference; the provider offers no look-up of its record")
	// ErrLeaseSpent: the claim, and the look-up before sending where there
	// is one, took so much of the claim's lease that a request sent now might reach the provider after the
	// lease ran out (and after another caller's look-up). Nothing was sent
	// and the reference is free again: repeat the call.
	ErrLeaseSpent = errors.New("too little of the claim's lease left to send safely; nothing was sent: repeat the call")
)

// doneError is ErrAlreadyDone naming the reference.
type doneError struct{ provider, ref string }

func (e *doneError) Error() string {
	return e.provider + ": " + quote(e.ref) + ": " + ErrAlreadyDone.Error()
}

func (e *doneError) Is(target error) bool { return target == ErrAlreadyDone }

// InProgressError is the error of a repeat that finds its reference in
// progress; it matches ErrInProgress.
type InProgressError struct {
	// Provider is the provider package's name.
	Provider string
	// Reference is the merchant's reference.
	Reference string
	// Until is when the holder's lease runs out by the claims store's clock
	// (zero when unknown); by then it has finished, or another caller may
	// take over.
	Until time.Time
	// RetryAfter is how long to wait before asking again, by this process's
	// clock: at least one second, at most the lease.
	RetryAfter time.Duration
}

func (e *InProgressError) Error() string {
	return e.Provider + ": " + quote(e.Reference) + " in progress: retry after " + e.RetryAfter.String()
}

// Is makes errors.Is(err, ErrInProgress) hold.
func (e *InProgressError) Is(target error) bool { return target == ErrInProgress }

func newInProgress(provider, ref string, until, now time.Time, max time.Duration) *InProgressError {
	d := max
	if !until.IsZero() {
		d = until.Sub(now)
	}
	d = d.Round(time.Second)
	if d > max {
		d = max
	}
	if d < time.Second {
		d = time.Second
	}
	return &InProgressError{Provider: provider, Reference: ref, Until: until, RetryAfter: d}
}

// ReferenceConflictError is the error of a repeat whose parameters differ from those
// the reference was used with; it matches ErrReferenceConflict.
type ReferenceConflictError struct {
	Provider  string
	Reference string
	// Reason says what differs ("amount 1500, requested 1200"); it holds no
	// secret or card data.
	Reason string
}

func (e *ReferenceConflictError) Error() string {
	return e.Provider + ": reference " + quote(e.Reference) + " conflicts: " + e.Reason
}

// Is makes errors.Is(err, ErrReferenceConflict) hold.
func (e *ReferenceConflictError) Is(target error) bool { return target == ErrReferenceConflict }

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strconv.Quote(s)
}
