package once_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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

var errDuplicate = errors.New("reference duplicate")

// provider is a stand-in payment provider keyed by reference.
type provider struct {
	mu      sync.Mutex
	records map[string]int64 // reference → amount
	sends   atomic.Int32     // requests received
	lookups atomic.Int32

	// scripted behaviour of the next sends / lookups
	sendErr    []error // processed, then this error (OutcomeUnknown) or refused (other)
	lookupErr  []error
	refuseDups bool
	block      chan struct{} // when set, Send waits for it (or ctx)
}

func newProvider() *provider { return &provider{records: map[string]int64{}} }

func (p *provider) pop(q *[]error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(*q) == 0 {
		return nil
	}
	e := (*q)[0]
	*q = (*q)[1:]
	return e
}

func (p *provider) call(ref string, amount int64) once.Call[int64] {
	return once.Call[int64]{
		Provider: "test", Key: "test:pay:" + ref, Reference: ref,
		Fingerprint: once.Fingerprint(strconv.FormatInt(amount, 10)),
		Lookup: func(ctx context.Context) (int64, bool, error) {
			p.lookups.Add(1)
			if err := p.pop(&p.lookupErr); err != nil {
				return 0, false, err
			}
			p.mu.Lock()
			defer p.mu.Unlock()
			a, ok := p.records[ref]
			return a, ok, nil
		},
		Send: func(ctx context.Context) (int64, error) {
			p.sends.Add(1)
			if p.block != nil {
				select {
				case <-p.block:
				case <-ctx.Done():
					return 0, httpx.OutcomeUnknown("test", ctx.Err())
				}
			}
			err := p.pop(&p.sendErr)
			if err != nil && !errors.Is(err, httpx.ErrOutcomeUnknown) {
				return 0, err // refused: nothing recorded
			}
			p.mu.Lock()
			defer p.mu.Unlock()
			if _, dup := p.records[ref]; dup && p.refuseDups {
				return 0, errDuplicate
			}
			p.records[ref] = amount
			return amount, err
		},
		Mismatch: func(rec int64) string {
			if rec != amount {
				return fmt.Sprintf("amount %d, requested %d", rec, amount)
			}
			return ""
		},
		Duplicate: func(err error) bool { return errors.Is(err, errDuplicate) },
	}
}

func guard(s claims.Store, lease time.Duration) once.Guard { return once.Guard{Store: s, Lease: lease} }

// Many callers on three replicas sharing one store repeat one reference at
// once: the provider receives it once, and every caller gets the record or
// "in progress".
func TestConcurrentRepeatsOnReplicasSendOnce(t *testing.T) {
	p := newProvider()
	p.block = make(chan struct{})
	store := claims.NewMemory(0, 0)
	replicas := []once.Guard{guard(store, time.Minute), guard(store, time.Minute), guard(store, time.Minute)}
	var wg sync.WaitGroup
	var ok, busy atomic.Int32
	const n = 30
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, err := once.Do(context.Background(), replicas[i%3], p.call("order-1", 1500))
			switch {
			case err == nil:
				assert.Equal(t, int64(1500), rec)
				ok.Add(1)
			case errors.Is(err, once.ErrInProgress):
				var ip *once.InProgressError
				require.ErrorAs(t, err, &ip)
				assert.GreaterOrEqual(t, ip.RetryAfter, time.Second)
				assert.LessOrEqual(t, ip.RetryAfter, time.Minute)
				assert.False(t, ip.Until.IsZero())
				busy.Add(1)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	// Let the holder finish only once every other caller was told "busy".
	require.Eventually(t, func() bool { return busy.Load() == n-1 }, 10*time.Second, time.Millisecond)
	close(p.block)
	wg.Wait()
	assert.Equal(t, int32(1), ok.Load())
	assert.Equal(t, int32(1), p.sends.Load(), "one request reached the provider")

	for i := range 3 {
		rec, err := once.Do(context.Background(), replicas[i], p.call("order-1", 1500))
		require.NoError(t, err)
		assert.Equal(t, int64(1500), rec, "a repeat returns the provider's record")
	}
	assert.Equal(t, int32(1), p.sends.Load(), "repeats after success send nothing")
}

// The same reference with another amount is a conflict, whether the first
// call is still at work, done, or the store keeps no fingerprint (then the
// found record tells).
func TestConflict(t *testing.T) {
	p := newProvider()
	p.block = make(chan struct{})
	store := claims.NewMemory(0, 0)
	g := guard(store, time.Minute)
	done := make(chan error)
	go func() { _, err := once.Do(context.Background(), g, p.call("order-2", 1500)); done <- err }()
	require.Eventually(t, func() bool { return p.sends.Load() == 1 }, 10*time.Second, time.Millisecond)

	_, err := once.Do(context.Background(), g, p.call("order-2", 9900))
	require.ErrorIs(t, err, once.ErrReferenceConflict, "while the first is in flight")
	var ce *once.ReferenceConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "order-2", ce.Reference)
	_, err = once.Do(context.Background(), g, p.call("order-2", 1500))
	require.ErrorIs(t, err, once.ErrInProgress, "the same parameters are told to come back")

	close(p.block)
	require.NoError(t, <-done)
	_, err = once.Do(context.Background(), g, p.call("order-2", 9900))
	require.ErrorIs(t, err, once.ErrReferenceConflict, "after it is done")

	// A store that keeps no value: the provider's record tells.
	plain := guard(plainStore{claims.NewMemory(0, 0)}, time.Minute)
	_, err = once.Do(context.Background(), plain, p.call("order-2", 9900))
	require.ErrorIs(t, err, once.ErrReferenceConflict, "found by look-up, compared")
	assert.Contains(t, err.Error(), "amount 1500, requested 9900")
	assert.Equal(t, int32(1), p.sends.Load(), "a conflict never sends")
}

// plainStore hides Memory's ClaimValue: a merchant's own Store.
type plainStore struct{ s claims.Store }

func (p plainStore) Claim(ctx context.Context, key string, lease time.Duration) (claims.Claim, error) {
	return p.s.Claim(ctx, key, lease)
}
func (p plainStore) Complete(ctx context.Context, key, token string) error {
	return p.s.Complete(ctx, key, token)
}
func (p plainStore) Release(ctx context.Context, key, token string) error {
	return p.s.Release(ctx, key, token)
}

// An unknown outcome keeps the claim held: repeats are told to come back,
// and whoever takes it over after the lease looks up and finds the record
// instead of sending again.
func TestOutcomeUnknownThenTakeOver(t *testing.T) {
	p := newProvider()
	store := claims.NewMemory(0, 0)
	const lease = 80 * time.Millisecond
	a, b := guard(store, lease), guard(store, lease)
	p.sendErr = []error{httpx.OutcomeUnknown("test", errors.New("reset after sending"))}
	p.lookupErr = []error{nil, errors.New("look-up down")} // the look-up right after the send fails
	_, err := once.Do(context.Background(), a, p.call("order-3", 1500))
	require.ErrorIs(t, err, httpx.ErrOutcomeUnknown)

	_, err = once.Do(context.Background(), b, p.call("order-3", 1500))
	require.ErrorIs(t, err, once.ErrInProgress, "the claim stays held after an unknown outcome")

	time.Sleep(2 * lease)
	rec, err := once.Do(context.Background(), b, p.call("order-3", 1500))
	require.NoError(t, err)
	assert.Equal(t, int64(1500), rec)
	assert.Equal(t, int32(1), p.sends.Load(), "the take-over settled by look-up")
}

// When the look-up right after the unknown outcome works, the call settles
// at once.
func TestOutcomeUnknownSettledAtOnce(t *testing.T) {
	p := newProvider()
	p.sendErr = []error{httpx.OutcomeUnknown("test", errors.New("timeout"))}
	g := guard(claims.NewMemory(0, 0), time.Minute)
	rec, err := once.Do(context.Background(), g, p.call("order-4", 700))
	require.NoError(t, err)
	assert.Equal(t, int64(700), rec)
	_, err = once.Do(context.Background(), g, p.call("order-4", 700))
	require.NoError(t, err)
	assert.Equal(t, int32(1), p.sends.Load())
}

// A refusal that moved no money releases the reference: the next call sends.
func TestRefusalReleases(t *testing.T) {
	p := newProvider()
	refused := errors.New("card declined by validation")
	p.sendErr = []error{refused}
	g := guard(claims.NewMemory(0, 0), time.Minute)
	_, err := once.Do(context.Background(), g, p.call("order-5", 100))
	require.ErrorIs(t, err, refused)
	rec, err := once.Do(context.Background(), g, p.call("order-5", 100))
	require.NoError(t, err)
	assert.Equal(t, int64(100), rec)
	assert.Equal(t, int32(2), p.sends.Load())

	// A failed look-up before sending releases too, having sent nothing.
	p.lookupErr = []error{errors.New("look-up down")}
	_, err = once.Do(context.Background(), g, p.call("order-6", 100))
	require.Error(t, err)
	assert.Equal(t, int32(2), p.sends.Load())
	_, err = once.Do(context.Background(), g, p.call("order-6", 100))
	require.NoError(t, err)
	assert.Equal(t, int32(3), p.sends.Load())
}

// The provider's "duplicate reference" refusal means received before: it is
// settled by look-up and never shown as a failure.
func TestDuplicateRefusalIsReceivedBefore(t *testing.T) {
	p := newProvider()
	p.refuseDups = true
	p.records["order-7"] = 1500 // received before; the claim was lost (another store)
	g := guard(claims.NewMemory(0, 0), time.Minute)
	p.lookupErr = []error{nil} // first look-up says "nothing" below
	c := p.call("order-7", 1500)
	first := true
	look := c.Lookup
	c.Lookup = func(ctx context.Context) (int64, bool, error) {
		if first { // the provider's listing lags behind its records
			first = false
			return 0, false, nil
		}
		return look(ctx)
	}
	rec, err := once.Do(context.Background(), g, c)
	require.NoError(t, err)
	assert.Equal(t, int64(1500), rec)
	assert.Equal(t, int32(1), p.sends.Load())

	// Duplicate, and the look-up still shows nothing: in progress, held.
	c = p.call("order-8", 1500)
	p.records["order-8"] = 1500
	c.Lookup = func(context.Context) (int64, bool, error) { return 0, false, nil }
	_, err = once.Do(context.Background(), g, c)
	var ip *once.InProgressError
	require.ErrorAs(t, err, &ip)
	assert.True(t, ip.Until.IsZero())
	assert.Greater(t, ip.RetryAfter, 50*time.Second)
	_, err = once.Do(context.Background(), g, c)
	require.ErrorIs(t, err, once.ErrInProgress, "held, not released")
	assert.Equal(t, int32(2), p.sends.Load())
}

// skewedStore's clock runs an hour ahead of this replica's.
type skewedStore struct{ claims.ValueStore }

func (s skewedStore) ClaimValue(ctx context.Context, key, value string, lease time.Duration) (claims.Claim, error) {
	c, err := s.ValueStore.ClaimValue(ctx, key, value, lease)
	if !c.Until.IsZero() {
		c.Until = c.Until.Add(time.Hour)
	}
	return c, err
}

// Work under a claim ends with the lease by the local clock read before
// Claim, whatever the store's clock says.
func TestWorkBoundedByLocalClock(t *testing.T) {
	p := newProvider()
	g := once.Guard{Store: skewedStore{claims.NewMemory(0, 0)}, Lease: time.Minute}
	c := p.call("order-9", 100)
	before := time.Now()
	var deadline time.Time
	send := c.Send
	c.Send = func(ctx context.Context) (int64, error) {
		deadline, _ = ctx.Deadline()
		return send(ctx)
	}
	_, err := once.Do(context.Background(), g, c)
	require.NoError(t, err)
	require.False(t, deadline.IsZero())
	assert.False(t, deadline.After(before.Add(time.Minute)), "deadline %v is past the local lease", deadline)
	assert.True(t, deadline.After(before.Add(50*time.Second)))

	// The same with Now pinned: the deadline is start + lease - lease/10.
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g.Now = func() time.Time { return start }
	c = p.call("order-10", 100)
	var lookDeadline time.Time
	c.Lookup = func(ctx context.Context) (int64, bool, error) { lookDeadline, _ = ctx.Deadline(); return 0, false, nil }
	_, err = once.Do(context.Background(), g, c)
	require.NoError(t, err)
	assert.Equal(t, start.Add(54*time.Second), lookDeadline)
}

func TestNewGuard(t *testing.T) {
	g, err := once.NewGuard("test", nil, 0, 60*time.Second)
	require.NoError(t, err)
	assert.Equal(t, once.DefaultLease, g.Lease)
	require.NotNil(t, g.Store)
	_, err = once.NewGuard("test", nil, 30*time.Second, 60*time.Second)
	require.ErrorIs(t, err, httpx.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "ClaimLease")
	_, err = once.NewGuard("test", nil, -time.Second, 0)
	require.ErrorIs(t, err, httpx.ErrInvalidRequest)
}

func TestFingerprint(t *testing.T) {
	assert.NotEqual(t, once.Fingerprint("ab", "c"), once.Fingerprint("a", "bc"))
	assert.Equal(t, once.Fingerprint("a", "b"), once.Fingerprint("a", "b"))
	assert.Len(t, once.Fingerprint("x"), 32)
}

// A look-up that used up the lease leaves no time for a request to end
// inside it: nothing is sent, the reference is free at once, and the next
// call (with a quick look-up) sends it — once.
func TestNoSendWhenTheLookupSpentTheLease(t *testing.T) {
	p := newProvider()
	store := claims.NewMemory(0, 0)
	var clock atomic.Int64
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock.Store(start.UnixNano())
	g := once.Guard{Store: store, Lease: 10 * time.Second, Timeout: 3 * time.Second,
		Now: func() time.Time { return time.Unix(0, clock.Load()).UTC() }}
	c := p.call("order-slow", 100)
	look := c.Lookup
	c.Lookup = func(ctx context.Context) (int64, bool, error) {
		clock.Add(int64(7 * time.Second)) // 9 s of work time, 7 spent: 2 left, the timeout is 3
		return look(ctx)
	}
	_, err := once.Do(context.Background(), g, c)
	require.ErrorIs(t, err, once.ErrLeaseSpent)
	assert.Zero(t, p.sends.Load(), "a request that could end past the lease was sent")

	rec, err := once.Do(context.Background(), g, p.call("order-slow", 100))
	require.NoError(t, err, "the reference was left held")
	assert.Equal(t, int64(100), rec)
	assert.Equal(t, int32(1), p.sends.Load())

	// Without a look-up the same bound holds: a claim that came back with
	// less than the timeout left sends nothing and frees the key.
	blind := p.call("order-slow-blind", 100)
	blind.Lookup = nil
	calls := 0
	g.Now = func() time.Time {
		calls++
		if calls == 1 {
			return start // read before Claim
		}
		return start.Add(8 * time.Second)
	}
	_, err = once.Do(context.Background(), g, blind)
	require.ErrorIs(t, err, once.ErrLeaseSpent)
	assert.Equal(t, int32(1), p.sends.Load())
	g.Now = nil
	_, err = once.Do(context.Background(), g, blind)
	require.NoError(t, err)
	assert.Equal(t, int32(2), p.sends.Load())
}
