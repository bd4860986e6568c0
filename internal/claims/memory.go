package claims

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// Memory is a Store for one process: at most max keys, each forgotten ttl
// after it was first claimed, the oldest evicted first when full (in
// progress or not, so keep max well above the keys in flight and ttl above
// the longest lease). It is right for one replica; several replicas need a
// shared Store such as SQL.
type Memory struct {
	max int
	ttl time.Duration
	now func() time.Time

	mu     sync.Mutex
	oldest *memEntry // the order of first claims, oldest first
	newest *memEntry
	keys   map[string]*memEntry
	seq    uint64 // the last token handed out
}

type memEntry struct {
	key        string
	at         time.Time // first claimed
	done       bool
	token      string
	until      time.Time // lease end while in progress
	value      string    // ClaimValue's value, kept across take-overs
	prev, next *memEntry // in the order of first claims
}

// NewMemory returns a Memory holding up to max keys for ttl each. Zero or
// negative values select 100 000 keys and 72 hours.
func NewMemory(max int, ttl time.Duration) *Memory {
	if max <= 0 {
		max = 100_000
	}
	if ttl <= 0 {
		ttl = 72 * time.Hour
	}
	return &Memory{max: max, ttl: ttl, now: time.Now, keys: map[string]*memEntry{}}
}

// Claim implements Store.
func (m *Memory) Claim(ctx context.Context, key string, lease time.Duration) (Claim, error) {
	return m.ClaimValue(ctx, key, "", lease)
}

// ClaimValue implements ValueStore.
func (m *Memory) ClaimValue(_ context.Context, key, value string, lease time.Duration) (Claim, error) {
	if err := checkClaim(key, lease); err != nil {
		return Claim{}, err
	}
	if err := checkValue(value); err != nil {
		return Claim{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	if e, ok := m.keys[key]; ok {
		switch {
		case e.done:
			return Claim{State: Done, Value: e.value}, nil
		case now.Before(e.until):
			return Claim{State: Busy, Until: e.until, Value: e.value}, nil
		}
		// The holder's lease ran out: take it over.
		e.token, e.until = m.token(), now.Add(lease)
		return Claim{State: Claimed, Token: e.token, Until: e.until, Value: e.value, TakenOver: true}, nil
	}
	e := &memEntry{key: key, at: now, token: m.token(), until: now.Add(lease), value: value, prev: m.newest}
	if m.newest != nil {
		m.newest.next = e
	} else {
		m.oldest = e
	}
	m.newest = e
	m.keys[key] = e
	for len(m.keys) > m.max {
		m.remove(m.oldest)
	}
	return Claim{State: Claimed, Token: e.token, Until: e.until, Value: value}, nil
}

// Complete implements Store.
func (m *Memory) Complete(_ context.Context, key, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.keys[key]
	if !ok {
		return ErrLeaseLost // evicted, or released by a holder that took it over
	}
	if e.done || e.token != token {
		return ErrLeaseLost
	}
	e.done, e.token = true, ""
	return nil
}

// Release implements Store.
func (m *Memory) Release(_ context.Context, key, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.keys[key]; ok && !e.done && e.token == token {
		m.remove(e)
	}
	return nil
}

// Len returns the number of keys held, in progress or done.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}

// token names a new holder. A holder's token need only differ from every
// other token of this store, which never leaves the process: a counter.
func (m *Memory) token() string {
	m.seq++
	return strconv.FormatUint(m.seq, 36)
}

func (m *Memory) expire(now time.Time) {
	for m.oldest != nil && now.Sub(m.oldest.at) >= m.ttl {
		m.remove(m.oldest)
	}
}

func (m *Memory) remove(e *memEntry) {
	delete(m.keys, e.key)
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		m.oldest = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		m.newest = e.prev
	}
	e.prev, e.next = nil, nil
}
