package once

import (
	"context"
	"errors"
	"time"

	"github.com/paywidget/paywidget-go/internal/claims"
)

// A verdict is what a provider without a look-up (KTPay) tells only by
// notification: the notification handler records it in the claims store
// the repeatable calls use, under a key of its own, and the calls' Recall
// and Settle read it back on any replica sharing the store.
//
// It is kept as the value of a done key (claims.ValueStore remembers a
// value with each key), so a store needs nothing beyond what the repeatable
// calls already need.

// verdictProbeLease bounds how long a read holds a verdict key it found
// new (it releases it at once; the lease matters only when the reader dies
// between the two).
const verdictProbeLease = 2 * time.Second

// errNoValueStore is the error of a verdict read or write on a store that
// keeps no values.
var errNoValueStore = errors.New("once: the claims store keeps no values (use NewMemoryStore or NewSQLStore)")

// ReadVerdict returns the verdict recorded under key, and whether there is
// one. It never blocks a writer for longer than its own two store calls.
func ReadVerdict(ctx context.Context, s claims.Store, key string) (string, bool, error) {
	vs, ok := s.(claims.ValueStore)
	if !ok {
		return "", false, errNoValueStore
	}
	cl, err := vs.ClaimValue(ctx, key, "", verdictProbeLease)
	if err != nil {
		return "", false, err
	}
	switch cl.State {
	case claims.Done:
		return cl.Value, cl.Value != "", nil
	case claims.Busy:
		// A writer holds it, its value already written (or another reader
		// holds it, with none).
		return cl.Value, cl.Value != "", nil
	case claims.Claimed:
		// New: nothing recorded. Forget the key again (with its value).
		fin, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
		defer cancel()
		_ = vs.Release(fin, key, cl.Token)
		return "", false, nil
	}
	return "", false, errors.New("once: claims store answered an unknown state")
}

// RecordVerdict records verdict (not empty, at most claims.MaxValueLen
// bytes) under key, once: a key already done keeps its first verdict. It
// waits up to wait for a reader or another writer that holds the key, and
// then gives up with an error matching claims.ErrBusy (the caller asks the
// provider to deliver again). A reader holds the key only between its two
// store calls, so only readers that never pause can keep a writer out.
func RecordVerdict(ctx context.Context, s claims.Store, key, verdict string, wait time.Duration) error {
	if verdict == "" {
		return errors.New("once: empty verdict")
	}
	vs, ok := s.(claims.ValueStore)
	if !ok {
		return errNoValueStore
	}
	until := time.Now().Add(wait)
	pause := 2 * time.Millisecond
	for {
		cl, err := vs.ClaimValue(ctx, key, verdict, verdictProbeLease)
		if err != nil {
			return err
		}
		switch cl.State {
		case claims.Done:
			return nil
		case claims.Claimed:
			if cl.Value != verdict {
				// Taken over from a reader that died holding it with no
				// value: forget that, and write afresh.
				if err := vs.Release(ctx, key, cl.Token); err != nil {
					return err
				}
				continue
			}
			return vs.Complete(ctx, key, cl.Token)
		case claims.Busy:
		default:
			return errors.New("once: claims store answered an unknown state")
		}
		if time.Now().After(until) {
			return &claims.BusyError{Until: cl.Until}
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		pause = min(2*pause, 50*time.Millisecond)
	}
}
