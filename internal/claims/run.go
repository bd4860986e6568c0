package claims

import (
	"context"
	"errors"
	"time"
)

// Options tune Run.
type Options struct {
	// Lease is how long the key is held while the work runs (default 30 s).
	// The work's context ends when the lease does, so that a holder slower
	// than its lease stops instead of racing the holder that takes over.
	// Make it longer than the slowest work. The lease is counted on this
	// process's clock from just before the claim, never from the Until the
	// store reports: the store's clock (the database's) may be minutes
	// ahead of or behind this replica's, and the lease it grants starts no
	// earlier than the claim was asked for.
	Lease time.Duration
	// Wait is how long a caller that finds the key in progress elsewhere
	// waits for that holder to finish before giving up with a *BusyError
	// (default 0: give up at once). While waiting it asks the store again
	// with a growing pause; when the holder completes it returns as done,
	// when the holder releases or dies it takes the key and does the work.
	Wait time.Duration
}

// DefaultLease is Options.Lease when zero.
const DefaultLease = 30 * time.Second

// finishTimeout bounds Complete and Release, which run even when the
// caller's context has ended (the work is done; marking it must not be
// abandoned because the caller hung up).
const finishTimeout = 10 * time.Second

// Result says what Run did.
type Result struct {
	// Ran is true when this call ran the work.
	Ran bool
	// State is Done when the key is done (by this call or an earlier one),
	// Busy when it was in progress elsewhere, Claimed when this call held it
	// but the work or the store failed (the key was then released).
	State State
}

// Transactor is implemented by a Store that can commit the work and the done
// mark together (SQL built WithWorkInTx). Run uses it when the store has it.
type Transactor interface {
	// CompleteWith runs work and marks key done for token in one
	// transaction: both commit or neither does. When the lease was taken
	// over the transaction rolls back and the error matches ErrLeaseLost.
	CompleteWith(ctx context.Context, key, token string, work func(context.Context) error) error
}

// Run does work once for key in s:
//
//   - key done before: work does not run; nil.
//   - key claimed by this call: work runs with a context that ends with the
//     lease; when it succeeds the key is completed and Run returns nil; when
//     it fails the key is released and Run returns its error, so that the
//     next caller does the work.
//   - key in progress elsewhere: after waiting up to Options.Wait, an error
//     matching ErrBusy (a *BusyError). The work was not done by this call
//     and may not be done yet: do not acknowledge it.
//
// A nil error is the only answer that means "done". An error from the store
// is returned as it is; so is ErrLeaseLost when the work outlived its lease
// and another holder took the key over.
func Run(ctx context.Context, s Store, key string, o Options, work func(context.Context) error) (Result, error) {
	lease := o.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	var waitUntil time.Time
	if o.Wait > 0 {
		waitUntil = time.Now().Add(o.Wait)
	}
	pause := 5 * time.Millisecond
	for {
		start := time.Now() // the lease's start on this clock: see Options.Lease
		c, err := s.Claim(ctx, key, lease)
		if err != nil {
			return Result{}, err
		}
		switch c.State {
		case Done:
			return Result{State: Done}, nil
		case Claimed:
			return runClaimed(ctx, s, key, c.Token, start.Add(lease), work)
		case Busy:
		default:
			return Result{}, errors.New("claims: store answered an unknown state")
		}
		left := time.Until(waitUntil)
		if left <= 0 {
			return Result{State: Busy}, &BusyError{Until: c.Until}
		}
		d := min(pause, left)
		if u := time.Until(c.Until); u > 0 && u < d {
			d = u + time.Millisecond
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return Result{State: Busy}, errors.Join(&BusyError{Until: c.Until}, ctx.Err())
		case <-t.C:
		}
		pause = min(2*pause, 250*time.Millisecond)
	}
}

func runClaimed(ctx context.Context, s Store, key, token string, leaseEnd time.Time, work func(context.Context) error) (Result, error) {
	wctx, cancel := context.WithDeadline(ctx, leaseEnd)
	defer cancel()
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer fcancel()
	var err error
	if tx, ok := s.(Transactor); ok {
		err = tx.CompleteWith(wctx, key, token, work)
	} else if err = work(wctx); err == nil {
		err = s.Complete(fctx, key, token)
	}
	if err != nil {
		// A no-op when the key was taken over or is done.
		_ = s.Release(fctx, key, token)
		return Result{Ran: true, State: Claimed}, err
	}
	return Result{Ran: true, State: Done}, nil
}
