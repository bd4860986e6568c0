package once_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/once"
)

// A verdict is read back on any replica sharing the store; the first one
// recorded stays; readers racing the writer never lose it.
func TestVerdictRecordAndRead(t *testing.T) {
	ctx := context.Background()
	s := claims.NewMemory(0, 0)
	_, found, err := once.ReadVerdict(ctx, s, "v:1")
	require.NoError(t, err)
	assert.False(t, found)
	require.NoError(t, once.RecordVerdict(ctx, s, "v:1", "completed h1", time.Second))
	require.NoError(t, once.RecordVerdict(ctx, s, "v:1", "denied h1", time.Second), "a second record is a no-op")
	v, found, err := once.ReadVerdict(ctx, s, "v:1")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "completed h1", v)

	// Many readers and one writer at once: the writer always lands.
	for i := range 20 {
		key := "v:race" + string(rune('a'+i))
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
						_, _, _ = once.ReadVerdict(ctx, s, key)
						time.Sleep(100 * time.Microsecond) // a repeat, not a spin
					}
				}
			}()
		}
		err := once.RecordVerdict(ctx, s, key, "completed", 2*time.Second)
		close(stop)
		wg.Wait()
		require.NoError(t, err)
		v, found, err := once.ReadVerdict(ctx, s, key)
		require.NoError(t, err)
		require.True(t, found)
		assert.Equal(t, "completed", v)
	}

	// A writer that finds the key held by someone else gives up after its wait.
	held, err := s.ClaimValue(ctx, "v:held", "", time.Minute)
	require.NoError(t, err)
	err = once.RecordVerdict(ctx, s, "v:held", "completed", 20*time.Millisecond)
	require.ErrorIs(t, err, claims.ErrBusy)
	require.NoError(t, s.Release(ctx, "v:held", held.Token))

	// A reader that died holding the key (no value): taken over and written.
	_, err = s.ClaimValue(ctx, "v:dead", "", 30*time.Millisecond)
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, once.RecordVerdict(ctx, s, "v:dead", "error", time.Second))
	v, _, _ = once.ReadVerdict(ctx, s, "v:dead")
	assert.Equal(t, "error", v)

	_, _, err = once.ReadVerdict(ctx, plainStore{s}, "v:1")
	require.Error(t, err, "a store without values cannot keep a verdict")
}

// A blind call whose outcome was unknown is answered, after the take-over,
// by the verdict recorded meanwhile (and the key is done); without one, the
// take-over's error says both "unknowable" and "outcome unknown".
func TestBlindTakeOverRecallsVerdict(t *testing.T) {
	p := newProvider()
	store := claims.NewMemory(0, 0)
	const lease = 60 * time.Millisecond
	g := guard(store, lease)
	recalled := map[string]int64{}
	var mu sync.Mutex
	call := func(ref string) once.Call[int64] {
		c := p.blind(ref, 100, nil)
		c.Recall = func(context.Context) (int64, bool, error) {
			mu.Lock()
			defer mu.Unlock()
			a, ok := recalled[ref]
			return a, ok, nil
		}
		return c
	}
	for _, ref := range []string{"t-1", "t-2"} {
		p.sendErr = []error{httpx.OutcomeUnknown("test", errors.New("reset"))}
		_, err := once.Do(context.Background(), g, call(ref))
		require.ErrorIs(t, err, httpx.ErrOutcomeUnknown)
	}
	time.Sleep(2 * lease)
	_, err := once.Do(context.Background(), g, call("t-1"))
	require.ErrorIs(t, err, once.ErrAwaitingNotification)
	require.ErrorIs(t, err, httpx.ErrOutcomeUnknown, "taken over without a verdict: the outcome is unknown")

	mu.Lock()
	recalled["t-2"] = 100
	mu.Unlock()
	rec, err := once.Do(context.Background(), g, call("t-2"))
	require.NoError(t, err)
	assert.Equal(t, int64(100), rec)
	rec, err = once.Do(context.Background(), g, call("t-2"))
	require.NoError(t, err, "done now: a repeat recalls at once")
	assert.Equal(t, int64(100), rec)
	assert.Equal(t, int32(2), p.sends.Load(), "nothing sent again")

	// A duplicate refusal answers "awaiting", never the refusal itself.
	p.refuseDups = true
	_, err = once.Do(context.Background(), guard(claims.NewMemory(0, 0), lease), p.blind("t-2", 100, nil))
	require.ErrorIs(t, err, once.ErrAwaitingNotification)
	assert.NotErrorIs(t, err, errDuplicate)
	assert.Contains(t, err.Error(), "received before")
}
