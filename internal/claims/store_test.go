package claims_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver, for tests only
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/claims"
)

// postgres returns a database for the SQL store's tests, or skips them when
// no server is configured: .ci/run starts one and sets
// PAYWIDGET_REQUIRE_POSTGRES=1, which turns a missing server into a failure.
func postgres(tb testing.TB) *sql.DB {
	tb.Helper()
	dsn := os.Getenv("PAYWIDGET_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("PAYWIDGET_REQUIRE_POSTGRES") == "1" {
			tb.Fatal("PAYWIDGET_REQUIRE_POSTGRES=1 but PAYWIDGET_POSTGRES_DSN is empty")
		}
		tb.Skip("PostgreSQL not configured: set PAYWIDGET_POSTGRES_DSN (`source .ci/postgres.sh && pg_start` starts a throwaway cluster) to run the SQL store's tests")
	}
	db, err := sql.Open("pgx", dsn)
	require.NoError(tb, err)
	tb.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(tb, db.PingContext(ctx), "PostgreSQL at PAYWIDGET_POSTGRES_DSN")
	return db
}

// freshTable returns a table name of its own for one test, dropped after it.
func freshTable(tb testing.TB, db *sql.DB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "claims_test_" + hex.EncodeToString(b[:])
	tb.Cleanup(func() { _, _ = db.Exec(`DROP TABLE IF EXISTS ` + name) })
	return name
}

func newSQL(tb testing.TB, opts ...claims.SQLOption) (*claims.SQL, *sql.DB) {
	db := postgres(tb)
	s, err := claims.NewSQL(db, append([]claims.SQLOption{claims.WithTable(freshTable(tb, db))}, opts...)...)
	require.NoError(tb, err)
	require.NoError(tb, s.CreateTable(context.Background()))
	require.NoError(tb, s.CreateTable(context.Background()), "CreateTable is idempotent")
	return s, db
}

// stores runs f against every Store: Memory always, SQL on PostgreSQL.
func stores(t *testing.T, f func(t *testing.T, s claims.Store)) {
	t.Run("memory", func(t *testing.T) { f(t, claims.NewMemory(0, 0)) })
	t.Run("postgres", func(t *testing.T) {
		s, _ := newSQL(t)
		f(t, s)
	})
}

func TestThreeStates(t *testing.T) {
	stores(t, func(t *testing.T, s claims.Store) {
		ctx := context.Background()
		c, err := s.Claim(ctx, "k", time.Minute)
		require.NoError(t, err)
		require.Equal(t, claims.Claimed, c.State)
		require.NotEmpty(t, c.Token)
		assert.WithinDuration(t, time.Now().Add(time.Minute), c.Until, 5*time.Second)

		busy, err := s.Claim(ctx, "k", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, claims.Busy, busy.State, "a live lease is not taken")
		assert.Empty(t, busy.Token)
		assert.WithinDuration(t, c.Until, busy.Until, time.Second)

		require.ErrorIs(t, s.Complete(ctx, "k", "not-the-token"), claims.ErrLeaseLost)
		require.NoError(t, s.Release(ctx, "k", "not-the-token"), "another token's release changes nothing")
		busy, _ = s.Claim(ctx, "k", time.Minute)
		assert.Equal(t, claims.Busy, busy.State)

		require.NoError(t, s.Complete(ctx, "k", c.Token))
		done, err := s.Claim(ctx, "k", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, claims.Done, done.State)
		require.NoError(t, s.Release(ctx, "k", c.Token), "a done key is not released")
		done, _ = s.Claim(ctx, "k", time.Minute)
		assert.Equal(t, claims.Done, done.State)
		require.ErrorIs(t, s.Complete(ctx, "k", c.Token), claims.ErrLeaseLost, "done once")

		_, err = s.Claim(ctx, "", time.Minute)
		require.Error(t, err)
		_, err = s.Claim(ctx, "x", 0)
		require.Error(t, err)
	})
}

func TestReleaseLetsTheNextClaimThrough(t *testing.T) {
	stores(t, func(t *testing.T, s claims.Store) {
		ctx := context.Background()
		c, _ := s.Claim(ctx, "k", time.Minute)
		require.NoError(t, s.Release(ctx, "k", c.Token))
		again, err := s.Claim(ctx, "k", time.Minute)
		require.NoError(t, err)
		require.Equal(t, claims.Claimed, again.State)
		assert.NotEqual(t, c.Token, again.Token)
	})
}

// A holder that died keeps the key only until its lease runs out; the
// next claim takes it over, and the dead holder can no longer complete or
// release it.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	stores(t, func(t *testing.T, s claims.Store) {
		ctx := context.Background()
		dead, _ := s.Claim(ctx, "k", 50*time.Millisecond)
		require.Equal(t, claims.Claimed, dead.State)
		time.Sleep(120 * time.Millisecond)
		c, err := s.Claim(ctx, "k", time.Minute)
		require.NoError(t, err)
		require.Equal(t, claims.Claimed, c.State)
		require.ErrorIs(t, s.Complete(ctx, "k", dead.Token), claims.ErrLeaseLost)
		require.NoError(t, s.Release(ctx, "k", dead.Token))
		busy, _ := s.Claim(ctx, "k", time.Minute)
		assert.Equal(t, claims.Busy, busy.State, "the old holder's release did not free the new holder's claim")
		require.NoError(t, s.Complete(ctx, "k", c.Token))
	})
}

func TestOneClaimAmongConcurrentCallers(t *testing.T) {
	stores(t, func(t *testing.T, s claims.Store) {
		for round := range 5 {
			key := fmt.Sprint("order-", round, ":paid")
			var claimed, busy atomic.Int32
			var wg sync.WaitGroup
			for range 32 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, err := s.Claim(context.Background(), key, time.Minute)
					assert.NoError(t, err)
					switch c.State {
					case claims.Claimed:
						claimed.Add(1)
					case claims.Busy:
						busy.Add(1)
					}
				}()
			}
			wg.Wait()
			assert.Equal(t, int32(1), claimed.Load())
			assert.Equal(t, int32(31), busy.Load())
		}
	})
}

func TestRun(t *testing.T) {
	stores(t, func(t *testing.T, s claims.Store) {
		ctx := context.Background()
		calls := 0
		fail := errors.New("db down")
		work := func(context.Context) error {
			calls++
			if calls == 1 {
				return fail
			}
			return nil
		}
		r, err := claims.Run(ctx, s, "k", claims.Options{}, work)
		require.ErrorIs(t, err, fail)
		assert.Equal(t, claims.Result{Ran: true, State: claims.Claimed}, r)
		r, err = claims.Run(ctx, s, "k", claims.Options{}, work)
		require.NoError(t, err, "a failed work is released and done again")
		assert.Equal(t, claims.Result{Ran: true, State: claims.Done}, r)
		r, err = claims.Run(ctx, s, "k", claims.Options{}, work)
		require.NoError(t, err)
		assert.Equal(t, claims.Result{State: claims.Done}, r, "done is done")
		assert.Equal(t, 2, calls)

		// Busy: not done by this call, not an acknowledgement.
		held, _ := s.Claim(ctx, "held", time.Minute)
		r, err = claims.Run(ctx, s, "held", claims.Options{}, func(context.Context) error { t.Fatal("ran"); return nil })
		require.ErrorIs(t, err, claims.ErrBusy)
		var be *claims.BusyError
		require.ErrorAs(t, err, &be)
		assert.WithinDuration(t, held.Until, be.Until, time.Second)
		assert.Equal(t, time.Minute, be.RetryAfter(time.Minute))
		assert.Equal(t, claims.Busy, r.State)

		// The work's context ends with its lease.
		_, err = claims.Run(ctx, s, "slow", claims.Options{Lease: 30 * time.Millisecond}, func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		c, _ := s.Claim(ctx, "slow", time.Minute)
		assert.Equal(t, claims.Claimed, c.State, "and the key was released")

		// A caller that hangs up after the work succeeded still gets the key
		// marked done: the work is not done twice.
		cctx, cancel := context.WithCancel(ctx)
		_, err = claims.Run(cctx, s, "hangup", claims.Options{}, func(context.Context) error { cancel(); return nil })
		require.NoError(t, err)
		c, _ = s.Claim(ctx, "hangup", time.Minute)
		assert.Equal(t, claims.Done, c.State)
	})
}

// A caller with a Wait waits for the holder: done when it completes; when
// it releases (its work failed), the waiter does the work itself.
func TestRunWaitsForTheHolder(t *testing.T) {
	stores(t, func(t *testing.T, s claims.Store) {
		ctx := context.Background()
		for _, complete := range []bool{true, false} {
			key := fmt.Sprint("wait-", complete)
			held, _ := s.Claim(ctx, key, time.Minute)
			require.Equal(t, claims.Claimed, held.State)
			var finished atomic.Bool
			go func() {
				time.Sleep(50 * time.Millisecond)
				finished.Store(true)
				if complete {
					assert.NoError(t, s.Complete(ctx, key, held.Token))
				} else {
					assert.NoError(t, s.Release(ctx, key, held.Token))
				}
			}()
			ran := false
			r, err := claims.Run(ctx, s, key, claims.Options{Wait: 10 * time.Second}, func(context.Context) error { ran = true; return nil })
			require.NoError(t, err)
			assert.True(t, finished.Load(), "Run returned before the holder finished")
			assert.Equal(t, !complete, ran)
			assert.Equal(t, !complete, r.Ran)
			assert.Equal(t, claims.Done, r.State)
		}
		// A holder that dies is taken over when its lease runs out.
		_, _ = s.Claim(ctx, "dies", 80*time.Millisecond)
		r, err := claims.Run(ctx, s, "dies", claims.Options{Wait: 10 * time.Second}, func(context.Context) error { return nil })
		require.NoError(t, err)
		assert.True(t, r.Ran)
	})
}

func TestMemoryBoundedAndExpiring(t *testing.T) {
	m := claims.NewMemory(3, 100*time.Millisecond)
	ctx := context.Background()
	for i := range 5 {
		c, _ := m.Claim(ctx, fmt.Sprint(i), time.Minute)
		require.Equal(t, claims.Claimed, c.State)
		require.NoError(t, m.Complete(ctx, fmt.Sprint(i), c.Token))
	}
	assert.Equal(t, 3, m.Len(), "never more than max keys")
	c, _ := m.Claim(ctx, "0", time.Minute)
	assert.Equal(t, claims.Claimed, c.State, "the oldest key was evicted")
	c, _ = m.Claim(ctx, "4", time.Minute)
	assert.Equal(t, claims.Done, c.State, "a recent key is remembered")
	time.Sleep(150 * time.Millisecond)
	c, _ = m.Claim(ctx, "4", time.Minute)
	assert.Equal(t, claims.Claimed, c.State, "keys are forgotten after the TTL")
	assert.Equal(t, 1, m.Len())
}

func TestSQLTableName(t *testing.T) {
	var db sql.DB // never used: NewSQL does not touch the database
	for _, bad := range []string{"", "1x", "x; DROP TABLE y", `x"`, "a.b.c", "x-y", "pay claims"} {
		_, err := claims.NewSQL(&db, claims.WithTable(bad))
		assert.Error(t, err, bad)
	}
	s, err := claims.NewSQL(&db, claims.WithTable("payments.Claims_2"))
	require.NoError(t, err)
	assert.Equal(t, "payments.Claims_2", s.Table())
	assert.Contains(t, s.Schema(), "CREATE TABLE IF NOT EXISTS payments.Claims_2 (")
	s, _ = claims.NewSQL(&db)
	assert.Equal(t, claims.DefaultTable, s.Table())
	_, err = claims.NewSQL(nil)
	assert.Error(t, err)
}
