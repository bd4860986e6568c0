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
	sendErr   []error // processed, then this error (OutcomeUnknown) or refused (other)
	lookupErr []error
	// refuseDups makes the provider refuse a reference it has a record of
	// (IOTPay's "mchOrderNo duplicate", Finrota's 409), and its calls say
	// so (Call.Duplicate): Do then sends a new key without looking it up
	// first. Without it the provider would accept a reference again
	// (Flexiti, OderoPay), and every claimed key is looked up first.
	refuseDups bool
	block      chan struct{} // when set, Send waits for it (or ctx)
}

func newProvider() *provider { return &provider{records: map[string]int64{}} }

// eachOrder runs f for both kinds of provider: one that would accept a
// reference again, whose new keys Do looks up before sending, and one that
// refuses a duplicate reference, whose new keys Do sends at once and
// settles by look-up when refused. What a merchant sees must not differ.
func eachOrder(t *testing.T, f func(t *testing.T, newProvider func() *provider)) {
	for _, refuse := range []bool{false, true} {
		name := "look-up first"
		if refuse {
			name = "send first"
		}
		t.Run(name, func(t *testing.T) {
			f(t, func() *provider { p := newProvider(); p.refuseDups = refuse; return p })
		})
	}
}

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
	c := once.Call[int64]{
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
	}
	if p.refuseDups {
		c.Duplicate = func(err error) bool { return errors.Is(err, errDuplicate) }
	}
	return c
}

func guard(s claims.Store, lease time.Duration) once.Guard { return once.Guard{Store: s, Lease: lease} }

// Many callers on three replicas sharing one store repeat one reference at
// once: the provider receives it once, and every caller gets the record or
// "in progress".
func TestConcurrentRepeatsOnReplicasSendOnce(t *testing.T) {
	eachOrder(t, testConcurrentRepeatsOnReplicasSendOnce)
}

func testConcurrentRepeatsOnReplicasSendOnce(t *testing.T, newProvider func() *provider) {
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
func TestConflict(t *testing.T) { eachOrder(t, testConflict) }

func testConflict(t *testing.T, newProvider func() *provider) {
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
func TestOutcomeUnknownThenTakeOver(t *testing.T) { eachOrder(t, testOutcomeUnknownThenTakeOver) }

func testOutcomeUnknownThenTakeOver(t *testing.T, newProvider func() *provider) {
	p := newProvider()
	store := claims.NewMemory(0, 0)
	const lease = 80 * time.Millisecond
	a, b := guard(store, lease), guard(store, lease)
	p.sendErr = []error{httpx.OutcomeUnknown("test", errors.New("reset after sending"))}
	p.lookupErr = []error{errors.New("look-up down")} // the look-up right after the send fails
	if !p.refuseDups {
		p.lookupErr = append([]error{nil}, p.lookupErr...) // after the one before it
	}
	_, err := once.Do(context.Background(), a, p.call("order-3", 1500))
	require.ErrorIs(t, err, httpx.ErrOutcomeUnknown)

	_, err = once.Do(context.Background(), b, p.call("order-3", 1500))
	require.ErrorIs(t, err, once.ErrInProgress, "the claim stays held after an unknown outcome")

	time.Sleep(2 * lease)
	rec, err := once.Do(context.Background(), b, p.call("order-3", 1500))
	require.NoError(t, err)
	assert.Equal(t, int64(1500), rec)
	assert.Equal(t, int32(1), p.sends.Load(), "the take-over settled by look-up")
	want := int32(2) // after the send, and the take-over's before sending
	if !p.refuseDups {
		want++ // the first holder's before sending
	}
	assert.Equal(t, want, p.lookups.Load())
}

// When the look-up right after the unknown outcome works, the call settles
// at once.
func TestOutcomeUnknownSettledAtOnce(t *testing.T) { eachOrder(t, testOutcomeUnknownSettledAtOnce) }

func testOutcomeUnknownSettledAtOnce(t *testing.T, newProvider func() *provider) {
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
func TestRefusalReleases(t *testing.T) { eachOrder(t, testRefusalReleases) }

func testRefusalReleases(t *testing.T, newProvider func() *provider) {
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
	if p.refuseDups {
		assert.Zero(t, p.lookups.Load(), "a new key is sent without a look-up")
		return
	}

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
	g := guard(claims.NewMemory(0, 0), time.Minute)

	// Received before under a claim this store never saw (the plain call,
	// or an in-memory store since emptied): the new key is sent, refused
	// as a duplicate, and the look-up answers with the record.
	p.records["order-7"] = 1500
	rec, err := once.Do(context.Background(), g, p.call("order-7", 1500))
	require.NoError(t, err)
	assert.Equal(t, int64(1500), rec)
	assert.Equal(t, int32(1), p.sends.Load())
	assert.Equal(t, int32(1), p.lookups.Load(), "only after the refusal")
	rec, err = once.Do(context.Background(), g, p.call("order-7", 1500))
	require.NoError(t, err, "done: a repeat is answered by look-up")
	assert.Equal(t, int64(1500), rec)
	assert.Equal(t, int32(1), p.sends.Load())

	// The same with other parameters: the record tells the conflict.
	p.records["order-7b"] = 1500
	_, err = once.Do(context.Background(), g, p.call("order-7b", 900))
	require.ErrorIs(t, err, once.ErrReferenceConflict)
	assert.Contains(t, err.Error(), "amount 1500, requested 900")
	assert.NotErrorIs(t, err, errDuplicate)

	// Duplicate, and the look-up still shows nothing: in progress, held.
	c := p.call("order-8", 1500)
	p.records["order-8"] = 1500
	c.Lookup = func(context.Context) (int64, bool, error) { return 0, false, nil }
	_, err = once.Do(context.Background(), g, c)
	var ip *once.InProgressError
	require.ErrorAs(t, err, &ip)
	assert.True(t, ip.Until.IsZero())
	assert.Greater(t, ip.RetryAfter, 50*time.Second)
	_, err = once.Do(context.Background(), g, c)
	require.ErrorIs(t, err, once.ErrInProgress, "held, not released")
	assert.Equal(t, int32(3), p.sends.Load())

	// A key taken over is looked up first; when the provider's listing lags
	// behind its records, the send is refused as a duplicate and the look-up
	// after it finds the record.
	const lease = 50 * time.Millisecond
	store := claims.NewMemory(0, 0)
	c = p.call("order-9", 1500)
	_, err = store.ClaimValue(context.Background(), c.Key, c.Fingerprint, lease) // a holder that died
	require.NoError(t, err)
	p.records["order-9"] = 1500
	time.Sleep(2 * lease)
	lagged := false
	look := c.Lookup
	c.Lookup = func(ctx context.Context) (int64, bool, error) {
		if !lagged {
			lagged = true
			return 0, false, nil
		}
		return look(ctx)
	}
	rec, err = once.Do(context.Background(), guard(store, time.Minute), c)
	require.NoError(t, err)
	assert.Equal(t, int64(1500), rec)
	assert.True(t, lagged, "the take-over looked up before sending")
	assert.Equal(t, int32(4), p.sends.Load())
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
func TestWorkBoundedByLocalClock(t *testing.T) { eachOrder(t, testWorkBoundedByLocalClock) }

func testWorkBoundedByLocalClock(t *testing.T, newProvider func() *provider) {
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

	// The same with Now pinned: the deadline is start + lease - lease/10,
	// for the look-up (when there is one before the send) and the send.
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g.Now = func() time.Time { return start }
	c = p.call("order-10", 100)
	var deadlines []time.Time
	look, send := c.Lookup, c.Send
	c.Lookup = func(ctx context.Context) (int64, bool, error) {
		d, _ := ctx.Deadline()
		deadlines = append(deadlines, d)
		return look(ctx)
	}
	c.Send = func(ctx context.Context) (int64, error) {
		d, _ := ctx.Deadline()
		deadlines = append(deadlines, d)
		return send(ctx)
	}
	_, err = once.Do(context.Background(), g, c)
	require.NoError(t, err)
	want := []time.Time{start.Add(54 * time.Second), start.Add(54 * time.Second)}
	if p.refuseDups {
		want = want[1:] // sent without a look-up
	}
	assert.Equal(t, want, deadlines)

	// A caller's deadline before the lease's bounds the work itself.
	g.Now = nil
	early := time.Now().Add(10 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), early)
	defer cancel()
	c = p.call("order-11", 100)
	var sendDeadline time.Time
	send = c.Send
	c.Send = func(ctx context.Context) (int64, error) {
		sendDeadline, _ = ctx.Deadline()
		return send(ctx)
	}
	_, err = once.Do(ctx, g, c)
	require.NoError(t, err)
	assert.Equal(t, early, sendDeadline)
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

	// Without a look-up before the send (a call without look-up, or a new
	// key at a provider that refuses duplicates) the same bound holds: a
	// claim that came back with less than the timeout left sends nothing
	// and frees the key.
	blind := p.call("order-slow-blind", 100)
	blind.Lookup = nil
	dups := newProvider()
	dups.refuseDups = true
	for i, c := range []once.Call[int64]{blind, dups.call("order-slow-dup", 100)} {
		calls := 0
		g.Now = func() time.Time {
			calls++
			if calls == 1 {
				return start // read before Claim
			}
			return start.Add(8 * time.Second)
		}
		_, err = once.Do(context.Background(), g, c)
		require.ErrorIs(t, err, once.ErrLeaseSpent, c.Reference)
		g.Now = nil
		_, err = once.Do(context.Background(), g, c)
		require.NoError(t, err, c.Reference)
		if i == 0 {
			assert.Equal(t, int32(2), p.sends.Load())
		}
	}
	assert.Equal(t, int32(1), dups.sends.Load())
	assert.Zero(t, dups.lookups.Load())
}

// cancellingStore's Complete and Release end the caller's context while
// they run the first time, as a caller that gives up mid-call does, and
// fail with the context's error; later calls reach the store.
type cancellingStore struct {
	claims.ValueStore
	cancel context.CancelFunc
	calls  []error // the context's error each call was given
}

func (s *cancellingStore) finish(ctx context.Context, op func(context.Context) error) error {
	s.calls = append(s.calls, ctx.Err())
	if len(s.calls) == 1 {
		s.cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	return op(ctx)
}

func (s *cancellingStore) Complete(ctx context.Context, key, token string) error {
	return s.finish(ctx, func(ctx context.Context) error { return s.ValueStore.Complete(ctx, key, token) })
}

func (s *cancellingStore) Release(ctx context.Context, key, token string) error {
	return s.finish(ctx, func(ctx context.Context) error { return s.ValueStore.Release(ctx, key, token) })
}

// The claim follows what the provider did even when the caller gives up:
// a caller gone before the done mark, or during it, still leaves the key
// done (a repeat is answered by look-up at once, not held for a lease),
// and a refusal still frees it.
func TestFinishOutlivesTheCaller(t *testing.T) {
	eachOrder(t, func(t *testing.T, newProvider func() *provider) {
		for _, during := range []bool{false, true} {
			p := newProvider()
			mem := claims.NewMemory(0, 0)
			ctx, cancel := context.WithCancel(context.Background())
			store := &cancellingStore{ValueStore: mem, cancel: cancel}
			c := p.call("order-f", 100)
			if !during {
				// The provider answers, and the caller is gone before
				// the done mark; the store's first call is given a live
				// context, so make it the plain one.
				send := c.Send
				c.Send = func(ctx context.Context) (int64, error) { defer cancel(); return send(ctx) }
				store.calls = []error{nil}
			}
			rec, err := once.Do(ctx, guard(store, time.Minute), c)
			require.NoError(t, err, "during=%v", during)
			assert.Equal(t, int64(100), rec)
			last := store.calls[len(store.calls)-1]
			assert.NoError(t, last, "the done mark ran under a context of its own")
			cl, err := mem.Claim(context.Background(), c.Key, time.Minute)
			require.NoError(t, err)
			assert.Equal(t, claims.Done, cl.State, "during=%v", during)
		}

		// A refusal frees the key though the caller gave up during the
		// release.
		p := newProvider()
		p.sendErr = []error{errors.New("refused")}
		mem := claims.NewMemory(0, 0)
		ctx, cancel := context.WithCancel(context.Background())
		_, err := once.Do(ctx, guard(&cancellingStore{ValueStore: mem, cancel: cancel}, time.Minute), p.call("order-g", 100))
		require.EqualError(t, err, "refused")
		cl, err := mem.Claim(context.Background(), "test:pay:order-g", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, claims.Claimed, cl.State)
		assert.False(t, cl.TakenOver, "released, not left to its lease")
	})
}
