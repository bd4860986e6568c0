package once_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/once"
)

// blind is p's call for a provider with no look-up (KTPay, Flexiti's
// returns): recalled from the merchant's own records when given.
func (p *provider) blind(ref string, amount int64, recalled map[string]int64) once.Call[int64] {
	c := p.call(ref, amount)
	c.Lookup = nil
	c.Unknowable = once.ErrAwaitingNotification
	if recalled != nil {
		c.Recall = func(context.Context) (int64, bool, error) {
			a, ok := recalled[ref]
			return a, ok, nil
		}
	}
	return c
}

func TestBlindSendsOnceAndRecalls(t *testing.T) {
	p := newProvider()
	store := claims.NewMemory(0, 0)
	replicas := []once.Guard{guard(store, time.Minute), guard(store, time.Minute)}
	var wg sync.WaitGroup
	var ok, other atomic.Int32
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := once.Do(context.Background(), replicas[i%2], p.blind("b-1", 100, nil))
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, once.ErrInProgress), errors.Is(err, once.ErrAlreadyDone):
				other.Add(1)
			default:
				t.Errorf("unexpected: %v", err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), ok.Load())
	assert.Equal(t, int32(1), p.sends.Load())

	_, err := once.Do(context.Background(), replicas[0], p.blind("b-1", 100, nil))
	require.ErrorIs(t, err, once.ErrAlreadyDone, "done, and nothing to look it up by")
	_, err = once.Do(context.Background(), replicas[1], p.blind("b-1", 100, map[string]int64{}))
	require.ErrorIs(t, err, once.ErrAwaitingNotification, "done, its verdict not recorded yet")
	rec, err := once.Do(context.Background(), replicas[1], p.blind("b-1", 100, map[string]int64{"b-1": 100}))
	require.NoError(t, err)
	assert.Equal(t, int64(100), rec, "recalled from the merchant's records")
	_, err = once.Do(context.Background(), replicas[1], p.blind("b-1", 200, nil))
	require.ErrorIs(t, err, once.ErrReferenceConflict)
	assert.Equal(t, int32(1), p.sends.Load())
}

// With no look-up, an unknown outcome is never sent again: the key stays
// held, and whoever takes it over answers Unknowable instead of sending.
func TestBlindOutcomeUnknownNeverResent(t *testing.T) {
	p := newProvider()
	store := claims.NewMemory(0, 0)
	const lease = 80 * time.Millisecond
	g := guard(store, lease)
	p.sendErr = []error{httpx.OutcomeUnknown("test", errors.New("reset"))}
	_, err := once.Do(context.Background(), g, p.blind("b-2", 100, nil))
	require.ErrorIs(t, err, httpx.ErrOutcomeUnknown)
	require.ErrorIs(t, err, once.ErrAwaitingNotification)
	_, err = once.Do(context.Background(), g, p.blind("b-2", 100, nil))
	require.ErrorIs(t, err, once.ErrInProgress)
	time.Sleep(2 * lease)
	_, err = once.Do(context.Background(), g, p.blind("b-2", 100, nil))
	require.ErrorIs(t, err, once.ErrAwaitingNotification, "taken over: not sent")
	assert.Equal(t, int32(1), p.sends.Load())

	// A duplicate refusal is "received before", held the same way.
	p.refuseDups = true
	_, err = once.Do(context.Background(), guard(claims.NewMemory(0, 0), lease), p.blind("b-2", 100, nil))
	require.ErrorIs(t, err, once.ErrAwaitingNotification)

	// A refusal that moved nothing releases: the next call sends.
	p.sendErr = []error{errors.New("refused")}
	_, err = once.Do(context.Background(), g, p.blind("b-3", 100, nil))
	require.EqualError(t, err, "refused")
	_, err = once.Do(context.Background(), g, p.blind("b-3", 100, nil))
	require.NoError(t, err)

	// A store that cannot tell new keys from taken-over ones is refused.
	_, err = once.Do(context.Background(), guard(plainStore{claims.NewMemory(0, 0)}, lease), p.blind("b-4", 100, nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "needs a claims store")
}

// A blind key taken over when the claim itself ate the lease (a slow store)
// stays held: releasing it would make it new to the next caller, who would
// send it again. Checked for every way the take-over can end.
func TestBlindTakeOverWithSpentLeaseStaysHeld(t *testing.T) {
	for _, recalled := range []map[string]int64{nil, {}} {
		p := newProvider()
		store := claims.NewMemory(0, 0)
		const lease = 60 * time.Millisecond
		p.sendErr = []error{httpx.OutcomeUnknown("test", errors.New("reset"))}
		_, err := once.Do(context.Background(), guard(store, lease), p.blind("s-1", 100, recalled))
		require.ErrorIs(t, err, httpx.ErrOutcomeUnknown)
		time.Sleep(2 * lease)

		// The clock jumps a whole lease between the read before Claim and
		// the next: the claim took the lease.
		var calls int
		base := time.Now()
		slow := once.Guard{Store: store, Lease: lease, Now: func() time.Time {
			calls++
			if calls == 1 {
				return base
			}
			return base.Add(lease)
		}}
		_, err = once.Do(context.Background(), slow, p.blind("s-1", 100, recalled))
		require.Error(t, err)
		_, err = once.Do(context.Background(), guard(store, lease), p.blind("s-1", 100, recalled))
		require.Error(t, err, "still held, not new")
		assert.Equal(t, int32(1), p.sends.Load(), "never sent again")
	}
}
