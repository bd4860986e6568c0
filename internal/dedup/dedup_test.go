package dedup

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClaimOnceAmongConcurrentCallers(t *testing.T) {
	m := NewMemory(0, 0)
	var first atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := m.Claim(context.Background(), "order-1:paid")
			assert.NoError(t, err)
			if ok {
				first.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), first.Load())
}

func TestReleaseLetsARedeliveryThrough(t *testing.T) {
	m := NewMemory(0, 0)
	ctx := context.Background()
	ok, _ := m.Claim(ctx, "k")
	require.True(t, ok)
	require.NoError(t, m.Release(ctx, "k"))
	ok, _ = m.Claim(ctx, "k")
	assert.True(t, ok)
}

func TestBoundedAndExpiring(t *testing.T) {
	m := NewMemory(3, time.Hour)
	now := time.Unix(1000, 0)
	m.now = func() time.Time { return now }
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		ok, _ := m.Claim(ctx, fmt.Sprint(i))
		require.True(t, ok)
	}
	assert.Equal(t, 3, m.Len(), "never more than max keys")
	ok, _ := m.Claim(ctx, "0")
	assert.True(t, ok, "the oldest key was evicted")
	ok, _ = m.Claim(ctx, "4")
	assert.False(t, ok, "a recent key is remembered")
	now = now.Add(2 * time.Hour)
	ok, _ = m.Claim(ctx, "4")
	assert.True(t, ok, "keys expire after the TTL")
	assert.Equal(t, 1, m.Len())
}

func TestOnceReportsFirstClaimAndReleasesOnFailure(t *testing.T) {
	ctx := context.Background()
	var fb Fallback
	store := fb.Or(nil)
	require.Same(t, store, fb.Or(nil), "one fallback per handler")
	calls := 0
	fail := errors.New("db down")
	report := func(context.Context) error {
		calls++
		if calls == 1 {
			return fail
		}
		return nil
	}
	require.ErrorIs(t, Once(ctx, store, "k", report), fail)
	require.NoError(t, Once(ctx, store, "k", report), "a failed report is released and reported again")
	require.NoError(t, Once(ctx, store, "k", report), "a repeat is acknowledged")
	assert.Equal(t, 2, calls)
	custom := NewMemory(1, 0)
	assert.Same(t, custom, fb.Or(custom))
}
