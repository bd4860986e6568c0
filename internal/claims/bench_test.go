package claims_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/claims"
)

// benchClaims runs b.N claim cycles (Claim of a new key, then Complete:
// what one notification costs the store) from replicas × goroutines
// workers, each replica with its own store, and reports claims per second.
func benchClaims(b *testing.B, stores []claims.Store, goroutines int) {
	ctx := context.Background()
	run := fmt.Sprint(time.Now().UnixNano())
	var n atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for _, s := range stores {
		for range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := n.Add(1); i <= int64(b.N); i = n.Add(1) {
					key := fmt.Sprint("bench:", run, ":", i)
					c, err := s.Claim(ctx, key, time.Minute)
					if err != nil || c.State != claims.Claimed {
						b.Errorf("claim %s: %v %v", key, c.State, err)
						return
					}
					if err := s.Complete(ctx, key, c.Token); err != nil {
						b.Errorf("complete %s: %v", key, err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "claims/s")
}

// BenchmarkClaims: the in-memory store (one process, 48 goroutines) and
// PostgreSQL with 3 replicas (3 *sql.DB) × 16 goroutines.
func BenchmarkClaims(b *testing.B) {
	b.Run("memory/48", func(b *testing.B) {
		benchClaims(b, []claims.Store{claims.NewMemory(0, 0)}, 48)
	})
	b.Run("postgres/3x16", func(b *testing.B) {
		admin := postgres(b)
		table := freshTable(b, admin)
		var stores []claims.Store
		for range 3 {
			db, err := sql.Open("pgx", os.Getenv("PAYWIDGET_POSTGRES_DSN"))
			require.NoError(b, err)
			db.SetMaxOpenConns(16)
			db.SetMaxIdleConns(16)
			b.Cleanup(func() { db.Close() })
			s, err := claims.NewSQL(db, claims.WithTable(table))
			require.NoError(b, err)
			require.NoError(b, s.CreateTable(context.Background()))
			stores = append(stores, s)
		}
		benchClaims(b, stores, 16)
	})
}
