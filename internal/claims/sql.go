package claims

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"time"
)

// DefaultTable is the table SQL uses unless told otherwise.
const DefaultTable = "paywidget_claims"

// SQL is a Store in a table of the merchant's own database, reached through
// the merchant's *sql.DB, so that every replica sharing the database shares
// the claims. PostgreSQL is the reference (CockroachDB speaks the same SQL);
// the statements use $n placeholders, INSERT … ON CONFLICT and now(), and
// the database's clock alone decides leases, so replicas' clocks need not
// agree.
//
// The claim is one statement:
//
//	INSERT INTO t (claim_key, state, owner, lease_until, created_at)
//	VALUES ($1, 'pending', $2, now() + lease, now())
//	ON CONFLICT (claim_key) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
//	WHERE t.state = 'pending' AND t.lease_until < now()
//	RETURNING lease_until
//
// A row back means this caller holds the key; no row means another holder
// has it (Busy) or it is done, which a SELECT then tells apart. Complete is
// an UPDATE … WHERE owner = $token, Release a DELETE … WHERE owner = $token.
//
// Done rows stay until Prune removes them; keep them longer than the
// providers retry (KTPay: about two hours; IOTPay: a day is ample).
type SQL struct {
	db    *sql.DB
	table string
	inTx  bool

	claim, get, complete, release, prune string
	claimValue, getValue, addValue       string
}

// SQLOption configures NewSQL.
type SQLOption func(*SQL) error

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$`)

// WithTable names the table (default "paywidget_claims"): letters, digits
// and underscores, not starting with a digit, optionally schema-qualified
// ("payments.claims"). Anything else is refused, since a table name cannot
// be a bound parameter.
func WithTable(name string) SQLOption {
	return func(s *SQL) error {
		if !identifier.MatchString(name) {
			return fmt.Errorf("claims: table name %q is not a plain SQL identifier", name)
		}
		s.table = name
		return nil
	}
}

// WithWorkInTx makes Run (and so the providers' notification handlers) run
// the work inside the transaction that marks its key done: the work reaches
// the transaction with TxFrom(ctx), and its writes and the done mark commit
// together or not at all. A replica that dies mid-work, or a work that
// outlives its lease, leaves nothing behind, so the next holder's work is
// not a duplicate. The transaction holds one connection of the pool while
// the work runs; work that does its own writes through the *sql.DB instead
// of the transaction needs a second one.
func WithWorkInTx() SQLOption {
	return func(s *SQL) error { s.inTx = true; return nil }
}

// NewSQL returns the SQL store over db. It does not touch the database;
// CreateTable creates the table, or run Schema's statement in a migration.
func NewSQL(db *sql.DB, opts ...SQLOption) (*SQL, error) {
	if db == nil {
		return nil, errors.New("claims: NewSQL needs a *sql.DB")
	}
	s := &SQL{db: db, table: DefaultTable}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	t := s.table
	s.claim = `INSERT INTO ` + t + ` AS c (claim_key, state, owner, lease_until, created_at)
VALUES ($1, 'pending', $2, now() + $3 * interval '1 millisecond', now())
ON CONFLICT (claim_key) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
WHERE c.state = 'pending' AND c.lease_until < now()
RETURNING lease_until`
	s.get = `SELECT state, lease_until, now() FROM ` + t + ` WHERE claim_key = $1`
	// ClaimValue's statements are the only ones that read claim_value, so a
	// table made by an older Schema serves Claim until CreateTable (or
	// AddValueColumn's statement) adds the column.
	s.claimValue = `INSERT INTO ` + t + ` AS c (claim_key, state, owner, lease_until, created_at, claim_value)
VALUES ($1, 'pending', $2, now() + $3 * interval '1 millisecond', now(), $4)
ON CONFLICT (claim_key) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
WHERE c.state = 'pending' AND c.lease_until < now()
RETURNING lease_until, claim_value, created_at < now()`
	s.getValue = `SELECT state, lease_until, claim_value, now() FROM ` + t + ` WHERE claim_key = $1`
	s.addValue = `ALTER TABLE ` + t + ` ADD COLUMN IF NOT EXISTS claim_value VARCHAR(128) NOT NULL DEFAULT ''`
	s.complete = `UPDATE ` + t + ` SET state = 'done', done_at = now() WHERE claim_key = $1 AND owner = $2 AND state = 'pending'`
	s.release = `DELETE FROM ` + t + ` WHERE claim_key = $1 AND owner = $2 AND state = 'pending'`
	s.prune = `DELETE FROM ` + t + ` WHERE state = 'done' AND done_at < now() - $1 * interval '1 millisecond'`
	return s, nil
}

// Table returns the table's name.
func (s *SQL) Table() string { return s.table }

// Schema returns the CREATE TABLE statement for the table (idempotent: IF
// NOT EXISTS), for a migration tool or CreateTable.
func (s *SQL) Schema() string {
	return `CREATE TABLE IF NOT EXISTS ` + s.table + ` (
    claim_key   VARCHAR(255) NOT NULL PRIMARY KEY,
    state       VARCHAR(8)   NOT NULL,  -- 'pending' (claimed, leased) or 'done'
    owner       VARCHAR(64)  NOT NULL,  -- the holder's token
    lease_until TIMESTAMPTZ  NOT NULL,  -- a pending claim past this is taken over
    created_at  TIMESTAMPTZ  NOT NULL,
    done_at     TIMESTAMPTZ,
    claim_value VARCHAR(128) NOT NULL DEFAULT ''  -- ClaimValue's value (a request's fingerprint)
)`
}

// AddValueColumn returns the statement that adds the claim_value column
// (which ClaimValue needs) to a table made by an earlier Schema; it is
// idempotent, and CreateTable runs it.
func (s *SQL) AddValueColumn() string { return s.addValue }

// CreateTable runs Schema on the database. Replicas may run it at the same
// moment on a fresh database: PostgreSQL's CREATE TABLE IF NOT EXISTS alone
// races in its catalog (one of them fails with a duplicate key in
// pg_type_typname_nsp_index), so CreateTable runs it in a transaction that
// first takes a transaction-level advisory lock keyed on the table's name,
// and runs it again should it still meet such a race (a migration tool
// creating the table without the lock, or a database without advisory
// locks).
func (s *SQL) CreateTable(ctx context.Context) error {
	var err error
	for range 5 {
		if err = s.createTable(ctx); err == nil || !catalogRace(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("claims: create table %s: %w", s.table, err)
	}
	if _, err := s.db.ExecContext(ctx, s.addValue); err != nil {
		return fmt.Errorf("claims: add claim_value to %s: %w", s.table, err)
	}
	return nil
}

func (s *SQL) createTable(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, tableLockKey(s.table)); err != nil {
		if sqlState(err) != "42883" { // undefined_function: a database without advisory locks
			return err
		}
		_ = tx.Rollback()
		_, err = s.db.ExecContext(ctx, s.Schema())
		return err
	}
	if _, err := tx.ExecContext(ctx, s.Schema()); err != nil {
		return err
	}
	return tx.Commit()
}

// tableLockKey is the advisory lock key of CreateTable for table: the same
// on every replica, and apart from other applications' keys.
func tableLockKey(table string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("paywidget-go claims.CreateTable " + table))
	return int64(h.Sum64())
}

// catalogRace reports whether err is PostgreSQL's answer to two sessions
// creating the same table at once: unique_violation (in its catalog, the
// only place CREATE TABLE inserts into), duplicate_table or
// duplicate_object. Running the statement again then finds the table.
func catalogRace(err error) bool {
	switch sqlState(err) {
	case "23505", "42P07", "42710":
		return true
	}
	return false
}

// sqlState returns the SQLSTATE code of a driver's error: pgx's and lib/pq's
// errors both have a SQLState method. Empty when there is none.
func sqlState(err error) string {
	var e interface{ SQLState() string }
	if errors.As(err, &e) {
		return e.SQLState()
	}
	return ""
}

// ClaimValue implements ValueStore with Claim's statement, also writing
// value into claim_value on insert and returning it. A row created before
// this statement's transaction (created_at < now()) was taken over. Until
// is on this process's clock, as Claim's.
func (s *SQL) ClaimValue(ctx context.Context, key, value string, lease time.Duration) (Claim, error) {
	if err := checkClaim(key, lease); err != nil {
		return Claim{}, err
	}
	if err := checkValue(value); err != nil {
		return Claim{}, err
	}
	ms := max(lease.Milliseconds(), 1)
	for range 3 {
		token := newToken()
		start := time.Now()
		var until, dbNow time.Time
		var v string
		var takenOver bool
		err := s.db.QueryRowContext(ctx, s.claimValue, key, token, ms, value).Scan(&until, &v, &takenOver)
		if err == nil {
			return Claim{State: Claimed, Token: token, Until: start.Add(lease), Value: v, TakenOver: takenOver}, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return Claim{}, fmt.Errorf("claims: claim: %w", err)
		}
		var state string
		err = s.db.QueryRowContext(ctx, s.getValue, key).Scan(&state, &until, &v, &dbNow)
		until = time.Now().Add(until.Sub(dbNow)) // onto this process's clock
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue // released between the two statements: claim again
		case err != nil:
			return Claim{}, fmt.Errorf("claims: claim: %w", err)
		case state == "done":
			return Claim{State: Done, Value: v}, nil
		default:
			return Claim{State: Busy, Until: until, Value: v}, nil
		}
	}
	return Claim{State: Busy, Until: time.Now()}, nil
}

// Claim implements Store with one INSERT … ON CONFLICT statement. The
// database's clock decides the lease; the Until it reports is on this
// process's clock: for a claim taken, the time read before the statement
// plus lease (never later than the database's lease end, whatever the two
// clocks say); for a busy key, now plus what is left of the other holder's
// lease by the database's clock.
func (s *SQL) Claim(ctx context.Context, key string, lease time.Duration) (Claim, error) {
	if err := checkClaim(key, lease); err != nil {
		return Claim{}, err
	}
	ms := max(lease.Milliseconds(), 1)
	for range 3 {
		token := newToken()
		start := time.Now()
		var until, dbNow time.Time
		err := s.db.QueryRowContext(ctx, s.claim, key, token, ms).Scan(&until)
		if err == nil {
			return Claim{State: Claimed, Token: token, Until: start.Add(lease)}, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return Claim{}, fmt.Errorf("claims: claim: %w", err)
		}
		var state string
		err = s.db.QueryRowContext(ctx, s.get, key).Scan(&state, &until, &dbNow)
		until = time.Now().Add(until.Sub(dbNow)) // onto this process's clock
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue // released between the two statements: claim again
		case err != nil:
			return Claim{}, fmt.Errorf("claims: claim: %w", err)
		case state == "done":
			return Claim{State: Done}, nil
		default:
			return Claim{State: Busy, Until: until}, nil
		}
	}
	return Claim{State: Busy, Until: time.Now()}, nil
}

// Complete implements Store.
func (s *SQL) Complete(ctx context.Context, key, token string) error {
	return s.completeOn(ctx, s.db, key, token)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *SQL) completeOn(ctx context.Context, db execer, key, token string) error {
	res, err := db.ExecContext(ctx, s.complete, key, token)
	if err != nil {
		return fmt.Errorf("claims: complete: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("claims: complete: %w", err)
	}
	if n != 1 {
		return ErrLeaseLost
	}
	return nil
}

// Release implements Store.
func (s *SQL) Release(ctx context.Context, key, token string) error {
	if _, err := s.db.ExecContext(ctx, s.release, key, token); err != nil {
		return fmt.Errorf("claims: release: %w", err)
	}
	return nil
}

// Prune deletes done keys completed more than age ago and returns how many.
// A provider delivering an event again after its key was pruned gets it
// reported again, so keep age longer than the providers retry.
func (s *SQL) Prune(ctx context.Context, age time.Duration) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.prune, age.Milliseconds())
	if err != nil {
		return 0, fmt.Errorf("claims: prune: %w", err)
	}
	return res.RowsAffected()
}

type txKey struct{}

// TxFrom returns the transaction a work runs in under WithWorkInTx (or
// RunTx). Write the merchant's records through it: they commit with the
// done mark.
func TxFrom(ctx context.Context) (*sql.Tx, bool) {
	tx, ok := ctx.Value(txKey{}).(*sql.Tx)
	return tx, ok
}

// CompleteWith implements Transactor when the store was built WithWorkInTx;
// otherwise it runs work and then Complete.
func (s *SQL) CompleteWith(ctx context.Context, key, token string, work func(context.Context) error) error {
	if !s.inTx {
		if err := work(ctx); err != nil {
			return err
		}
		// The work is done: mark it even when the caller has hung up.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
		defer cancel()
		return s.Complete(fctx, key, token)
	}
	return s.inTransaction(ctx, key, token, func(ctx context.Context, _ *sql.Tx) error { return work(ctx) })
}

func (s *SQL) inTransaction(ctx context.Context, key, token string, work func(context.Context, *sql.Tx) error) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("claims: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err := work(context.WithValue(ctx, txKey{}, tx), tx); err != nil {
		return err
	}
	if err := s.completeOn(ctx, tx, key, token); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("claims: commit: %w", err)
	}
	return nil
}

// RunTx is Run with the work inside the transaction that marks key done,
// whether or not the store was built WithWorkInTx: work receives the
// transaction, and its writes and the done mark commit together.
func (s *SQL) RunTx(ctx context.Context, key string, o Options, work func(context.Context, *sql.Tx) error) (Result, error) {
	return Run(ctx, txStore{s, work}, key, o, nil)
}

// txStore makes Run use inTransaction with a work that takes the *sql.Tx.
type txStore struct {
	*SQL
	work func(context.Context, *sql.Tx) error
}

func (t txStore) CompleteWith(ctx context.Context, key, token string, _ func(context.Context) error) error {
	return t.inTransaction(ctx, key, token, t.work)
}

var (
	_ Transactor = (*SQL)(nil)
	_ ValueStore = (*SQL)(nil)
	_ ValueStore = (*Memory)(nil)
)
