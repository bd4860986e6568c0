package flexiti

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"
)

// ClaimState is where a key stands after ClaimStore.Claim.
type ClaimState int

// Claim states: the three states of a claim with a lease.
const (
	// ClaimHeld: the caller now holds the key until Claim.Until (the key was
	// new, released, or its holder's lease ran out). Do the work, then
	// Complete, or Release when the work provably did not happen.
	ClaimHeld ClaimState = iota + 1
	// ClaimBusy: another holder's lease is live; come back after Until.
	ClaimBusy
	// ClaimDone: the work for the key was completed.
	ClaimDone
)

// Claim is the answer of ClaimStore.Claim.
type Claim struct {
	State ClaimState
	// Token names the holder when State is ClaimHeld; Complete and Release
	// need it, so that a holder whose lease was taken over cannot complete
	// or release the new holder's claim.
	Token string
	// Until is when the lease runs out (the caller's or the other holder's).
	Until time.Time
}

// ClaimStore serialises work on one key across goroutines and replicas. A
// key is new, in progress under a lease, or done; a holder that cannot tell
// whether its work happened leaves the key alone, and once the lease runs
// out the next Claim takes it over.
//
// It has the shape of the store that makes the providers' notifications
// exactly-once, so that one store (for several replicas, a table in the
// merchant's database) serves both. On PostgreSQL, with a table
// claims(key text primary key, state text, token text, lease_until
// timestamptz), one statement claims:
//
//	INSERT INTO claims AS t (key, state, token, lease_until) VALUES ($1, 'pending', $2, now() + $3)
//	ON CONFLICT (key) DO UPDATE SET token = $2, lease_until = now() + $3
//	  WHERE t.state = 'pending' AND t.lease_until < now()
//	RETURNING token
//
// (no row: read the row to tell busy from done); Complete is UPDATE claims
// SET state = 'done' WHERE key = $1 AND token = $2, and Release is DELETE
// FROM claims WHERE key = $1 AND token = $2 AND state = 'pending'.
type ClaimStore interface {
	// Claim takes key for lease when it is new, released or its lease ran
	// out; otherwise it reports ClaimBusy or ClaimDone.
	Claim(ctx context.Context, key string, lease time.Duration) (Claim, error)
	// Complete marks key done if token still holds it.
	Complete(ctx context.Context, key, token string) error
	// Release gives key up if token still holds it and it is not done.
	Release(ctx context.Context, key, token string) error
}

// MemoryClaims is the in-process ClaimStore: right for one replica only.
// Done keys are kept for the TTL and at most Max of them (the oldest done key
// is forgotten first); keys in progress are always kept.
type MemoryClaims struct {
	max int
	ttl time.Duration
	now func() time.Time

	mu   sync.Mutex
	keys map[string]*claimEntry
	done *list.List // of string keys, oldest first
}

type claimEntry struct {
	token string
	until time.Time // lease end while in progress; forget-after once done
	el    *list.Element
}

// NewMemoryClaims returns a MemoryClaims keeping up to max done keys for
// ttl each. Zero or negative values select 100 000 keys and 72 hours.
func NewMemoryClaims(max int, ttl time.Duration) *MemoryClaims {
	if max <= 0 {
		max = 100_000
	}
	if ttl <= 0 {
		ttl = 72 * time.Hour
	}
	return &MemoryClaims{max: max, ttl: ttl, now: time.Now, keys: map[string]*claimEntry{}, done: list.New()}
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Claim implements ClaimStore.
func (m *MemoryClaims) Claim(_ context.Context, key string, lease time.Duration) (Claim, error) {
	if key == "" || lease <= 0 {
		return Claim{}, errors.New("flexiti: claim needs a key and a positive lease")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	e, ok := m.keys[key]
	switch {
	case ok && e.el != nil:
		return Claim{State: ClaimDone}, nil
	case ok && now.Before(e.until):
		return Claim{State: ClaimBusy, Until: e.until}, nil
	}
	e = &claimEntry{token: newToken(), until: now.Add(lease)}
	m.keys[key] = e
	return Claim{State: ClaimHeld, Token: e.token, Until: e.until}, nil
}

// Complete implements ClaimStore.
func (m *MemoryClaims) Complete(_ context.Context, key, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.keys[key]
	if !ok || e.el != nil || e.token != token {
		return errors.New("flexiti: claim lost to another holder")
	}
	e.until = m.now().Add(m.ttl)
	e.el = m.done.PushBack(key)
	for m.done.Len() > m.max {
		m.forget(m.done.Front())
	}
	return nil
}

// Release implements ClaimStore.
func (m *MemoryClaims) Release(_ context.Context, key, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.keys[key]; ok && e.el == nil && e.token == token {
		delete(m.keys, key)
	}
	return nil
}

func (m *MemoryClaims) expire(now time.Time) {
	for el := m.done.Front(); el != nil; el = m.done.Front() {
		if now.Before(m.keys[el.Value.(string)].until) {
			return
		}
		m.forget(el)
	}
}

func (m *MemoryClaims) forget(el *list.Element) {
	delete(m.keys, el.Value.(string))
	m.done.Remove(el)
}
