package flexiti

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemoryClaimsStates(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	m := NewMemoryClaims(2, time.Hour)
	m.now = func() time.Time { return now }
	claim := func(key string) Claim {
		c, err := m.Claim(ctx, key, time.Minute)
		require.NoError(t, err)
		return c
	}

	a := claim("a")
	assert.Equal(t, ClaimNew, a.State)
	assert.Equal(t, ClaimBusy, claim("a").State, "lease live")
	require.NoError(t, m.Release(ctx, Claim{Key: "a", Owner: "someone else"}))
	assert.Equal(t, ClaimBusy, claim("a").State, "only the holder releases")
	require.NoError(t, m.Release(ctx, a))
	a = claim("a")
	assert.Equal(t, ClaimNew, a.State, "released: new again")

	now = now.Add(2 * time.Minute)
	b := claim("a")
	assert.Equal(t, ClaimTakenOver, b.State, "lease expired")
	require.NoError(t, m.Complete(ctx, a))
	assert.Equal(t, ClaimBusy, claim("a").State, "the old holder cannot complete a taken-over claim")
	require.NoError(t, m.Complete(ctx, b))
	assert.Equal(t, ClaimDone, claim("a").State)
	require.NoError(t, m.Release(ctx, b))
	assert.Equal(t, ClaimDone, claim("a").State, "done is not released")

	// Finished keys are bounded and expire; keys in progress stay.
	for _, k := range []string{"b", "c"} {
		c := claim(k)
		require.NoError(t, m.Complete(ctx, c))
	}
	assert.Equal(t, ClaimNew, claim("a").State, "the oldest finished key was forgotten at the bound")
	now = now.Add(2 * time.Hour)
	assert.Equal(t, ClaimNew, claim("b").State, "expired")
	assert.Equal(t, ClaimTakenOver, claim("a").State, "in progress is kept, its lease long gone")
}
