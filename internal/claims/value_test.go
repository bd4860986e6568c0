package claims_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/claims"
)

// ClaimValue remembers the value the key was created with, reports it in
// every state, keeps it across a take-over, and forgets it on release.
func TestClaimValue(t *testing.T) {
	stores(t, func(t *testing.T, s claims.Store) {
		vs, ok := s.(claims.ValueStore)
		require.True(t, ok, "%T remembers values", s)
		ctx := context.Background()
		c, err := vs.ClaimValue(ctx, "k", "fp-1", time.Minute)
		require.NoError(t, err)
		require.Equal(t, claims.Claimed, c.State)
		assert.Equal(t, "fp-1", c.Value)
		assert.False(t, c.TakenOver, "a new key")

		busy, err := vs.ClaimValue(ctx, "k", "fp-2", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, claims.Busy, busy.State)
		assert.Equal(t, "fp-1", busy.Value, "a busy key reports the first value, not the asker's")

		require.NoError(t, s.Release(ctx, "k", c.Token))
		again, err := vs.ClaimValue(ctx, "k", "fp-2", 50*time.Millisecond)
		require.NoError(t, err)
		require.Equal(t, claims.Claimed, again.State)
		assert.Equal(t, "fp-2", again.Value, "a released key is forgotten with its value")
		assert.False(t, again.TakenOver, "a released key is new again")

		time.Sleep(120 * time.Millisecond)
		over, err := vs.ClaimValue(ctx, "k", "fp-3", time.Minute)
		require.NoError(t, err)
		require.Equal(t, claims.Claimed, over.State, "the lease ran out")
		assert.Equal(t, "fp-2", over.Value, "a take-over keeps the value the key was created with")
		assert.True(t, over.TakenOver)

		require.NoError(t, s.Complete(ctx, "k", over.Token))
		done, err := vs.ClaimValue(ctx, "k", "fp-4", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, claims.Done, done.State)
		assert.Equal(t, "fp-2", done.Value)
		plain, err := s.Claim(ctx, "k", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, claims.Done, plain.State)

		_, err = vs.ClaimValue(ctx, "long", strings.Repeat("v", claims.MaxValueLen+1), time.Minute)
		require.Error(t, err)
	})
}

// A table made by the previous Schema (without claim_value) still serves
// Claim, and CreateTable adds the column ClaimValue needs.
func TestSQLValueColumnAddedToAnOldTable(t *testing.T) {
	db := postgres(t)
	table := freshTable(t, db)
	_, err := db.Exec(`CREATE TABLE ` + table + ` (claim_key VARCHAR(255) NOT NULL PRIMARY KEY, state VARCHAR(8) NOT NULL,
		owner VARCHAR(64) NOT NULL, lease_until TIMESTAMPTZ NOT NULL, created_at TIMESTAMPTZ NOT NULL, done_at TIMESTAMPTZ)`)
	require.NoError(t, err)
	s, err := claims.NewSQL(db, claims.WithTable(table))
	require.NoError(t, err)
	ctx := context.Background()
	c, err := s.Claim(ctx, "old", time.Minute)
	require.NoError(t, err)
	require.Equal(t, claims.Claimed, c.State)
	require.NoError(t, s.CreateTable(ctx))
	v, err := s.ClaimValue(ctx, "old", "fp", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, claims.Busy, v.State)
	assert.Equal(t, "", v.Value, "rows from before the column have no value")
	n, err := s.ClaimValue(ctx, "new", "fp", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, "fp", n.Value)
}
