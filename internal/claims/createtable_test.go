package claims_test

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/claims"
)

// startTogether has every replica (a pool of its own each) run CreateTable
// for table at the same moment, as replicas starting together on a fresh
// database do, and then checks that the one table works for all of them.
func startTogether(t *testing.T, dbs []*sql.DB, table string) {
	t.Helper()
	stores := make([]*claims.SQL, len(dbs))
	for i, db := range dbs {
		s, err := claims.NewSQL(db, claims.WithTable(table))
		require.NoError(t, err)
		stores[i] = s
	}
	start := make(chan struct{})
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			<-start
			errs[i] = s.CreateTable(ctx)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "replica %d of %d could not start on %s", i, len(stores), table)
	}
	c, err := stores[0].Claim(context.Background(), "k", time.Minute)
	require.NoError(t, err)
	require.Equal(t, claims.Claimed, c.State)
	for _, s := range stores[1:] {
		c, err := s.Claim(context.Background(), "k", time.Minute)
		require.NoError(t, err)
		assert.Equal(t, claims.Busy, c.State, "every replica uses the one table")
	}
}

const replicas, rounds = 12, 8

// PostgreSQL's CREATE TABLE IF NOT EXISTS alone races in its catalog when
// replicas run it at once ("duplicate key value violates unique constraint
// pg_type_typname_nsp_index"): every replica must come up all the same.
func TestReplicasCreateTheTableTogether(t *testing.T) {
	postgres(t) // skips, or fails under PAYWIDGET_REQUIRE_POSTGRES, without a server
	dbs := make([]*sql.DB, replicas)
	for i := range dbs {
		db, err := sql.Open("pgx", os.Getenv("PAYWIDGET_POSTGRES_DSN"))
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		require.NoError(t, db.Ping())
		dbs[i] = db
	}
	for range rounds {
		startTogether(t, dbs, freshTable(t, dbs[0]))
	}
	// A schema-qualified table is locked by its own name.
	schema := shadowSchema(t)
	for i := range 2 {
		startTogether(t, dbs, schema+".claims_"+string(rune('a'+i)))
	}
}

// On a database without advisory locks (pg_advisory_xact_lock answers
// undefined_function, as CockroachDB before 26.1 does) the replicas race in
// the catalog, and CreateTable recognises the race and looks again.
func TestReplicasCreateTheTableTogetherWithoutAdvisoryLocks(t *testing.T) {
	schema := shadowSchema(t, `CREATE FUNCTION %[1]s.pg_advisory_xact_lock(bigint) RETURNS void LANGUAGE plpgsql
AS $$ BEGIN RAISE EXCEPTION 'function pg_advisory_xact_lock(bigint) does not exist' USING ERRCODE = 'undefined_function'; END $$`)
	dbs := make([]*sql.DB, replicas)
	for i := range dbs {
		dbs[i] = withShadow(t, schema)
	}
	for range rounds {
		startTogether(t, dbs, "public."+freshTable(t, postgres(t)))
	}
}
