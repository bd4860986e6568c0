package claims

import (
	"container/list"
	"context"
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

	mu    sync.Mutex
	order *list.List // of *memEntry, oldest first
	keys  map[string]*list.Element
}

type memEntry struct {
	key   string
	at    time.Time // first claimed
	done  bool
	token string
	until time.Time // lease end while in progress
	value string    // ClaimValue's value, kept across take-overs
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
	return &Memory{max: max, ttl: ttl, now: time.Now, order: list.New(), keys: map[string]*list.Element{}}
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
	if el, ok := m.keys[key]; ok {
		e := el.Value.(*memEntry)
		switch {
		case e.done:
			return Claim{State: Done, Value: e.value}, nil
		case now.Before(e.until):
			return Claim{State: Busy, Until: e.until, Value: e.value}, nil
		}
		// The holder's lease ran out: take it over.
		e.token, e.until = newToken(), now.Add(lease)
		return Claim{State: Claimed, Token: e.token, Until: e.until, Value: e.value, TakenOver: true}, nil
	}
	e := &memEntry{key: key, at: now, token: newToken(), until: now.Add(lease), value: value}
	m.keys[key] = m.order.PushBack(e)
	for m.order.Len() > m.max {
		m.remove(m.order.Front())
	}
	return Claim{State: Claimed, Token: e.token, Until: e.until, Value: value}, nil
}

// Complete implements Store.
func (m *Memory) Complete(_ context.Context, key, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.keys[key]
	if !ok {
		return ErrLeaseLost // evicted, or released by a holder that took it over
	}
	e := el.Value.(*memEntry)
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
	if el, ok := m.keys[key]; ok {
		if e := el.Value.(*memEntry); !e.done && e.token == token {
			m.remove(el)
		}
	}
	return nil
}

// Len returns the number of keys held, in progress or done.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}

func (m *Memory) expire(now time.Time) {
	for el := m.order.Front(); el != nil; el = m.order.Front() {
		if now.Sub(el.Value.(*memEntry).at) < m.ttl {
			return
		}
		m.remove(el)
	}
}

func (m *Memory) remove(el *list.Element) {
	delete(m.keys, el.Value.(*memEntry).key)
	m.order.Remove(el)
}
