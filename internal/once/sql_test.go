package once_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver, for tests only
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/once"
)

// sqlReplicas returns n SQL stores over one fresh table, each with its own
// connection pool, as n replicas would have; it skips without PostgreSQL
// (PAYWIDGET_REQUIRE_POSTGRES=1 makes that a failure).
func sqlReplicas(t *testing.T, n int) []claims.Store {
	dsn := os.Getenv("PAYWIDGET_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("PAYWIDGET_REQUIRE_POSTGRES") == "1" {
			t.Fatal("PAYWIDGET_REQUIRE_POSTGRES=1 but PAYWIDGET_POSTGRES_DSN is empty")
		}
		t.Skip("PostgreSQL not configured: set PAYWIDGET_POSTGRES_DSN (`source .ci/postgres.sh && pg_start`)")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	table := "once_test_" + hex.EncodeToString(b[:])
	var out []claims.Store
	for i := range n {
		db, err := sql.Open("pgx", dsn)
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		s, err := claims.NewSQL(db, claims.WithTable(table))
		require.NoError(t, err)
		if i == 0 {
			require.NoError(t, s.CreateTable(context.Background()))
			t.Cleanup(func() { _, _ = db.Exec(`DROP TABLE IF EXISTS ` + table) })
		}
		out = append(out, s)
	}
	return out
}

// Three replicas on PostgreSQL: concurrent repeats send once, a conflict is
// told while the holder works, and an unknown outcome taken over after the
// lease is settled by look-up.
func TestReplicasOnPostgres(t *testing.T) { eachOrder(t, testReplicasOnPostgres) }

func testReplicasOnPostgres(t *testing.T, newProvider func() *provider) {
	stores := sqlReplicas(t, 3)
	p := newProvider()
	p.block = make(chan struct{})
	var wg sync.WaitGroup
	var busy, ok atomic.Int32
	const n = 15
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := once.Do(context.Background(), guard(stores[i%3], time.Minute), p.call("pg-1", 1500))
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, once.ErrInProgress):
				busy.Add(1)
			default:
				t.Errorf("unexpected: %v", err)
			}
		}()
	}
	require.Eventually(t, func() bool { return busy.Load() == n-1 }, 20*time.Second, time.Millisecond)
	_, err := once.Do(context.Background(), guard(stores[1], time.Minute), p.call("pg-1", 999))
	require.ErrorIs(t, err, once.ErrReferenceConflict, "told by the fingerprint in the table")
	close(p.block)
	wg.Wait()
	assert.Equal(t, int32(1), ok.Load())
	assert.Equal(t, int32(1), p.sends.Load())

	p.block = nil
	p.sendErr = []error{httpx.OutcomeUnknown("test", errors.New("reset"))}
	p.lookupErr = []error{errors.New("down")} // the look-up after the send
	if !p.refuseDups {
		p.lookupErr = append([]error{nil}, p.lookupErr...)
	}
	const lease = 300 * time.Millisecond
	_, err = once.Do(context.Background(), guard(stores[0], lease), p.call("pg-2", 100))
	require.ErrorIs(t, err, httpx.ErrOutcomeUnknown)
	_, err = once.Do(context.Background(), guard(stores[2], lease), p.call("pg-2", 100))
	require.ErrorIs(t, err, once.ErrInProgress)
	time.Sleep(lease + 200*time.Millisecond)
	rec, err := once.Do(context.Background(), guard(stores[2], lease), p.call("pg-2", 100))
	require.NoError(t, err)
	assert.Equal(t, int64(100), rec)
	assert.Equal(t, int32(2), p.sends.Load(), "pg-1 once and pg-2 once")
}

// The verdict of a provider without look-up (KTPay), recorded by one
// replica's notification handler while the others read it, on PostgreSQL:
// the writer always lands, and every replica then reads it.
func TestSQLVerdictAcrossReplicas(t *testing.T) {
	stores := sqlReplicas(t, 3)
	ctx := context.Background()
	for i := range 10 {
		key := "ktwidget:verdict:o-" + string(rune('a'+i))
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for _, s := range stores[1:] {
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
		err := once.RecordVerdict(ctx, stores[0], key, "completed h", 5*time.Second)
		close(stop)
		wg.Wait()
		require.NoError(t, err)
		for _, s := range stores {
			v, found, err := once.ReadVerdict(ctx, s, key)
			require.NoError(t, err)
			require.True(t, found)
			assert.Equal(t, "completed h", v)
		}
	}
}
