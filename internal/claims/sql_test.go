package claims_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/claims"
)

func ledger(t *testing.T, db *sql.DB) (table string, count func(key string) int) {
	table = freshTable(t, db)
	_, err := db.Exec(`CREATE TABLE ` + table + ` (k TEXT NOT NULL)`)
	require.NoError(t, err)
	return table, func(key string) int {
		var n int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM `+table+` WHERE k = $1`, key).Scan(&n))
		return n
	}
}

// With WithWorkInTx the work's writes and the done mark commit together:
// a failed work leaves neither, a work that lost its lease leaves neither,
// a successful one leaves both.
func TestSQLWorkInTx(t *testing.T) {
	s, db := newSQL(t, claims.WithWorkInTx())
	table, count := ledger(t, db)
	ctx := context.Background()
	write := func(key string, then error) func(context.Context) error {
		return func(ctx context.Context) error {
			tx, ok := claims.TxFrom(ctx)
			require.True(t, ok, "the work runs in the store's transaction")
			_, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (k) VALUES ($1)`, key)
			require.NoError(t, err)
			return then
		}
	}
	fail := errors.New("merchant check failed")
	_, err := claims.Run(ctx, s, "a", claims.Options{}, write("a", fail))
	require.ErrorIs(t, err, fail)
	assert.Equal(t, 0, count("a"), "a failed work is rolled back")
	c, _ := s.Claim(ctx, "a", time.Minute)
	require.Equal(t, claims.Claimed, c.State, "and the key released")
	require.NoError(t, s.Release(ctx, "a", c.Token))

	r, err := claims.Run(ctx, s, "a", claims.Options{}, write("a", nil))
	require.NoError(t, err)
	assert.True(t, r.Ran)
	assert.Equal(t, 1, count("a"))
	c, _ = s.Claim(ctx, "a", time.Minute)
	assert.Equal(t, claims.Done, c.State)

	// A holder slower than its lease, taken over meanwhile: its writes are
	// rolled back, and the new holder's work is the only one.
	_, err = claims.Run(ctx, s, "b", claims.Options{Lease: 200 * time.Millisecond}, func(ctx context.Context) error {
		tx, _ := claims.TxFrom(ctx)
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (k) VALUES ('b')`); err != nil {
			return err
		}
		time.Sleep(250 * time.Millisecond) // the lease runs out; a redelivery takes over and finishes
		r, err := claims.Run(context.Background(), s, "b", claims.Options{}, write("b", nil))
		require.NoError(t, err)
		require.True(t, r.Ran)
		return nil
	})
	require.Error(t, err, "the old holder cannot commit")
	assert.Equal(t, 1, count("b"), "exactly one holder's write committed")

	// RunTx hands the transaction to the work directly, with or without
	// WithWorkInTx.
	plain, err := claims.NewSQL(db, claims.WithTable(s.Table()))
	require.NoError(t, err)
	r, err = plain.RunTx(ctx, "c", claims.Options{}, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (k) VALUES ('c')`)
		return err
	})
	require.NoError(t, err)
	assert.True(t, r.Ran)
	assert.Equal(t, 1, count("c"))
	r, err = plain.RunTx(ctx, "c", claims.Options{}, func(context.Context, *sql.Tx) error { t.Fatal("ran twice"); return nil })
	require.NoError(t, err)
	assert.False(t, r.Ran)
}

func TestSQLPrune(t *testing.T) {
	s, _ := newSQL(t)
	ctx := context.Background()
	for _, k := range []string{"old", "pending"} {
		c, _ := s.Claim(ctx, k, time.Minute)
		if k == "old" {
			require.NoError(t, s.Complete(ctx, k, c.Token))
		}
	}
	time.Sleep(20 * time.Millisecond)
	n, err := s.Prune(ctx, time.Hour)
	require.NoError(t, err)
	assert.Equal(t, int64(0), n)
	n, err = s.Prune(ctx, 10*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "only done keys are pruned")
	c, _ := s.Claim(ctx, "old", time.Minute)
	assert.Equal(t, claims.Claimed, c.State)
	c, _ = s.Claim(ctx, "pending", time.Minute)
	assert.Equal(t, claims.Busy, c.State)
}
