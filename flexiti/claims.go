package flexiti

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// ClaimState is what a Claim found.
type ClaimState int

// Claim states.
const (
	// ClaimNew: nobody held the key before; the caller now holds its lease.
	ClaimNew ClaimState = iota + 1
	// ClaimTakenOver: an earlier holder's lease expired before it finished
	// (it crashed, or its money call ended with an unknown outcome); the
	// caller now holds the lease and must find out what the earlier holder
	// did before doing anything itself.
	ClaimTakenOver
	// ClaimBusy: another holder's lease is live; come back later.
	ClaimBusy
	// ClaimDone: the work for the key is finished.
	ClaimDone
)

// Claim is the answer of ClaimStore.Claim.
type Claim struct {
	Key   string
	State ClaimState
	// Owner identifies the holder of the lease (the caller when State is
	// ClaimNew or ClaimTakenOver); Complete and Release check it.
	Owner string
}

// ClaimStore serialises work on one key across goroutines and replicas:
// three states (new, in progress under a lease, done). A holder that
// finishes calls Complete; one whose work provably did not happen calls
// Release, so that the next Claim is new; one that cannot tell leaves the
// claim alone, and once its lease expires the next Claim is ClaimTakenOver.
//
// It is the shape of the claim store that makes provider notifications
// exactly-once; several replicas must share one (a database table keyed by
// key, with state, owner and lease_until columns). On PostgreSQL one
// statement claims:
//
//	INSERT INTO claims (key, state, owner, lease_until) VALUES ($1, 'pending', $2, now() + $3)
//	ON CONFLICT (key) DO UPDATE SET owner = $2, lease_until = now() + $3
//	  WHERE claims.state = 'pending' AND claims.lease_until < now()
//	RETURNING (xmax = 0) AS fresh
//
// (no row returned: read the row to tell busy from done); Complete is
// UPDATE … SET state = 'done' WHERE key = $1 AND owner = $2, and Release is
// DELETE … WHERE key = $1 AND owner = $2 AND state = 'pending'.
type ClaimStore interface {
	// Claim tries to take key for lease.
	Claim(ctx context.Context, key string, lease time.Duration) (Claim, error)
	// Complete marks a claim the caller holds done.
	Complete(ctx context.Context, c Claim) error
	// Release forgets a claim the caller holds, so the next Claim is new.
	Release(ctx context.Context, c Claim) error
}

// MemoryClaims is the in-process ClaimStore: right for one replica only.
// Finished keys are kept for the TTL and at most Max of them (the oldest
// finished key is forgotten first); keys in progress are always kept.
type MemoryClaims struct {
	max int
	ttl time.Duration
	now func() time.Time

	mu   sync.Mutex
	keys map[string]*claimEntry
	done *list.List // of string keys, oldest first
}

type claimEntry struct {
	owner string
	until time.Time // lease end while pending; forget-after once done
	el    *list.Element
}

// NewMemoryClaims returns a MemoryClaims keeping up to max finished keys
// for ttl each. Zero or negative values select 100 000 keys and 72 hours.
func NewMemoryClaims(max int, ttl time.Duration) *MemoryClaims {
	if max <= 0 {
		max = 100_000
	}
	if ttl <= 0 {
		ttl = 72 * time.Hour
	}
	return &MemoryClaims{max: max, ttl: ttl, now: time.Now, keys: map[string]*claimEntry{}, done: list.New()}
}

func newOwner() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Claim implements ClaimStore.
func (m *MemoryClaims) Claim(_ context.Context, key string, lease time.Duration) (Claim, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	e, ok := m.keys[key]
	switch {
	case !ok:
		e = &claimEntry{owner: newOwner(), until: now.Add(lease)}
		m.keys[key] = e
		return Claim{Key: key, State: ClaimNew, Owner: e.owner}, nil
	case e.el != nil:
		return Claim{Key: key, State: ClaimDone}, nil
	case now.Before(e.until):
		return Claim{Key: key, State: ClaimBusy, Owner: e.owner}, nil
	default:
		e.owner, e.until = newOwner(), now.Add(lease)
		return Claim{Key: key, State: ClaimTakenOver, Owner: e.owner}, nil
	}
}

// Complete implements ClaimStore.
func (m *MemoryClaims) Complete(_ context.Context, c Claim) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.keys[c.Key]
	if !ok || e.el != nil || e.owner != c.Owner {
		return nil
	}
	e.until = m.now().Add(m.ttl)
	e.el = m.done.PushBack(c.Key)
	for m.done.Len() > m.max {
		m.forget(m.done.Front())
	}
	return nil
}

// Release implements ClaimStore.
func (m *MemoryClaims) Release(_ context.Context, c Claim) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.keys[c.Key]; ok && e.el == nil && e.owner == c.Owner {
		delete(m.keys, c.Key)
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
