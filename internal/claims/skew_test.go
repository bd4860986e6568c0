package claims_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/claims"
)

// skewedStore is a Store whose clock is d ahead of this process's (behind
// when d is negative): every Until it reports is d later.
type skewedStore struct {
	claims.Store
	d time.Duration
}

func (s skewedStore) Claim(ctx context.Context, key string, lease time.Duration) (claims.Claim, error) {
	c, err := s.Store.Claim(ctx, key, lease)
	if !c.Until.IsZero() {
		c.Until = c.Until.Add(s.d)
	}
	return c, err
}

// shadowSchema creates a schema of its own holding the given CREATE
// FUNCTION statements (with %[1]s for the schema's name), dropped after the
// test; a pool from withShadow searches it before pg_catalog, so that its
// functions replace PostgreSQL's own in every statement the store sends.
func shadowSchema(tb testing.TB, defs ...string) string {
	tb.Helper()
	base := postgres(tb)
	schema := strings.Replace(freshTable(tb, base), "claims_test_", "shadow_", 1)
	_, err := base.Exec(`CREATE SCHEMA ` + schema)
	require.NoError(tb, err)
	tb.Cleanup(func() { _, _ = base.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`) })
	for _, d := range defs {
		_, err = base.Exec(fmt.Sprintf(d, schema))
		require.NoError(tb, err)
	}
	return schema
}

// withShadow opens a pool of the test database that searches schema first
// and pg_catalog last. Tables are to be named with the "public." schema.
func withShadow(tb testing.TB, schema string) *sql.DB {
	tb.Helper()
	cfg, err := pgx.ParseConfig(os.Getenv("PAYWIDGET_POSTGRES_DSN"))
	require.NoError(tb, err)
	cfg.RuntimeParams["search_path"] = schema + ", public, pg_catalog"
	db := stdlib.OpenDB(*cfg)
	tb.Cleanup(func() { db.Close() })
	return db
}

// skewedDB opens the test database with its clock d ahead (behind when d is
// negative) for this pool's sessions: a function now() searched before
// pg_catalog, so that every now() of the SQL store's statements reads the
// skewed clock.
func skewedDB(tb testing.TB, d time.Duration) *sql.DB {
	tb.Helper()
	db := withShadow(tb, shadowSchema(tb, fmt.Sprintf(`CREATE FUNCTION %%[1]s.now() RETURNS timestamptz LANGUAGE sql STABLE
AS $$ SELECT pg_catalog.now() + %d * interval '1 millisecond' $$`, d.Milliseconds())))
	var skew float64
	require.NoError(tb, db.QueryRow(`SELECT extract(epoch FROM now() - pg_catalog.now())`).Scan(&skew))
	require.InDelta(tb, d.Seconds(), skew, 0.001, "the pool reads the skewed clock")
	return db
}

// runner is Run over one store, or RunTx.
type runner func(ctx context.Context, key string, o claims.Options, work func(context.Context) error) (claims.Result, error)

// skewed runs f with every way of running work under a claim, over a store
// whose clock is d off this process's.
func skewed(t *testing.T, d time.Duration, f func(t *testing.T, run runner)) {
	t.Run("memory", func(t *testing.T) {
		s := skewedStore{claims.NewMemory(0, 0), d}
		f(t, func(ctx context.Context, key string, o claims.Options, work func(context.Context) error) (claims.Result, error) {
			return claims.Run(ctx, s, key, o, work)
		})
	})
	sqlStore := func(t *testing.T, opts ...claims.SQLOption) *claims.SQL {
		db := skewedDB(t, d)
		s, err := claims.NewSQL(db, append([]claims.SQLOption{claims.WithTable("public." + freshTable(t, postgres(t)))}, opts...)...)
		require.NoError(t, err)
		require.NoError(t, s.CreateTable(context.Background()))
		return s
	}
	for name, opts := range map[string][]claims.SQLOption{"postgres": nil, "postgres/WithWorkInTx": {claims.WithWorkInTx()}} {
		t.Run(name, func(t *testing.T) {
			s := sqlStore(t, opts...)
			f(t, func(ctx context.Context, key string, o claims.Options, work func(context.Context) error) (claims.Result, error) {
				return claims.Run(ctx, s, key, o, work)
			})
		})
	}
	t.Run("postgres/RunTx", func(t *testing.T) {
		s := sqlStore(t)
		f(t, func(ctx context.Context, key string, o claims.Options, work func(context.Context) error) (claims.Result, error) {
			return s.RunTx(ctx, key, o, func(ctx context.Context, _ *sql.Tx) error { return work(ctx) })
		})
	})
}

var skews = []time.Duration{5 * time.Minute, -5 * time.Minute}

// Work under a claim ends with the lease counted on this process's clock
// from just before the claim: a store clock minutes ahead neither lets a
// holder work on after another replica took its key over, nor does one
// minutes behind end the work before it starts.
func TestWorkUnderAClaimIsBoundedByTheLocalClock(t *testing.T) {
	for _, d := range skews {
		t.Run(fmt.Sprint("store clock ", d), func(t *testing.T) {
			skewed(t, d, func(t *testing.T, run runner) {
				ctx := context.Background()
				const lease = 2 * time.Second
				before := time.Now()
				r, err := run(ctx, "bounded", claims.Options{Lease: lease}, func(ctx context.Context) error {
					dl, ok := ctx.Deadline()
					require.True(t, ok, "the work has a deadline")
					require.NoError(t, ctx.Err(), "the work was cancelled before it started")
					assert.False(t, dl.Before(before.Add(lease)), "deadline %s before the lease, counted from the call", dl.Sub(before))
					assert.False(t, dl.After(time.Now().Add(lease)), "deadline %s past the lease, counted from the call", dl.Sub(before))
					return nil
				})
				require.NoError(t, err)
				assert.True(t, r.Ran)

				// Two replicas: the first holder's work ignores its context
				// ending; the second takes the key over when the store says
				// the lease ran out. By then the first holder's deadline has
				// passed on this clock.
				const short = 300 * time.Millisecond
				firstDeadline := make(chan time.Time, 1)
				letGo := make(chan struct{})
				firstDone := make(chan error, 1)
				go func() {
					_, err := run(ctx, "taken-over", claims.Options{Lease: short}, func(ctx context.Context) error {
						dl, _ := ctx.Deadline()
						firstDeadline <- dl
						<-letGo
						return ctx.Err()
					})
					firstDone <- err
				}()
				dl := <-firstDeadline
				var tookOver time.Time
				r, err = run(ctx, "taken-over", claims.Options{Lease: time.Minute, Wait: 30 * time.Second}, func(context.Context) error {
					tookOver = time.Now()
					return nil
				})
				close(letGo)
				require.NoError(t, err)
				require.True(t, r.Ran, "the second replica took the key over")
				assert.True(t, tookOver.After(dl), "the second replica took over %s before the first holder's work had to stop", dl.Sub(tookOver))
				assert.ErrorIs(t, <-firstDone, context.DeadlineExceeded)
			})
		})
	}
}

// The SQL store reports Until on this process's clock, whatever the
// database's says: a busy key's Retry-After is what is left of the lease.
func TestSQLUntilIsOnTheLocalClock(t *testing.T) {
	for _, d := range skews {
		t.Run(fmt.Sprint("database clock ", d), func(t *testing.T) {
			db := skewedDB(t, d)
			s, err := claims.NewSQL(db, claims.WithTable("public."+freshTable(t, postgres(t))))
			require.NoError(t, err)
			require.NoError(t, s.CreateTable(context.Background()))
			ctx := context.Background()

			before := time.Now()
			c, err := s.Claim(ctx, "k", time.Minute)
			after := time.Now()
			require.NoError(t, err)
			require.Equal(t, claims.Claimed, c.State)
			assert.False(t, c.Until.Before(before.Add(time.Minute)) || c.Until.After(after.Add(time.Minute)),
				"Until %s after the call", c.Until.Sub(before))

			busy, err := s.Claim(ctx, "k", time.Minute)
			require.NoError(t, err)
			require.Equal(t, claims.Busy, busy.State)
			assert.WithinDuration(t, c.Until, busy.Until, 5*time.Second)

			_, err = claims.Run(ctx, s, "k", claims.Options{}, func(context.Context) error { t.Fatal("ran"); return nil })
			var be *claims.BusyError
			require.ErrorAs(t, err, &be)
			assert.InDelta(t, time.Minute.Seconds(), be.RetryAfter(time.Hour).Seconds(), 5)
		})
	}
}
