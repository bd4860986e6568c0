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
	assert.Equal(t, ClaimHeld, a.State)
	assert.Equal(t, now.Add(time.Minute), a.Until)
	busy := claim("a")
	assert.Equal(t, ClaimBusy, busy.State, "lease live")
	assert.Equal(t, a.Until, busy.Until)
	require.NoError(t, m.Release(ctx, "a", "someone else"))
	assert.Equal(t, ClaimBusy, claim("a").State, "only the holder releases")
	require.NoError(t, m.Release(ctx, "a", a.Token))
	a = claim("a")
	assert.Equal(t, ClaimHeld, a.State, "released: taken at once")

	now = now.Add(2 * time.Minute)
	b := claim("a")
	assert.Equal(t, ClaimHeld, b.State, "lease ran out: taken over")
	assert.NotEqual(t, a.Token, b.Token)
	require.Error(t, m.Complete(ctx, "a", a.Token), "the old holder cannot complete a taken-over claim")
	assert.Equal(t, ClaimBusy, claim("a").State)
	require.NoError(t, m.Complete(ctx, "a", b.Token))
	assert.Equal(t, ClaimDone, claim("a").State)
	require.NoError(t, m.Release(ctx, "a", b.Token))
	assert.Equal(t, ClaimDone, claim("a").State, "done is not released")

	// Done keys are bounded and expire; keys in progress stay.
	for _, k := range []string{"b", "c"} {
		c := claim(k)
		require.NoError(t, m.Complete(ctx, k, c.Token))
	}
	assert.Equal(t, ClaimHeld, claim("a").State, "the oldest done key was forgotten at the bound")
	now = now.Add(2 * time.Hour)
	assert.Equal(t, ClaimHeld, claim("b").State, "expired")

	_, err := m.Claim(ctx, "", time.Minute)
	require.Error(t, err)
	_, err = m.Claim(ctx, "k", 0)
	require.Error(t, err)
}
