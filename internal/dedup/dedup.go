// Package dedup remembers which provider callbacks were already reported to
// the merchant, so that a notification delivered twice (a provider retry, or
// the same retry landing on two replicas) is acknowledged twice and reported
// once.
package dedup

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// Store records which events were reported. Implementations must make Claim
// atomic: of several concurrent Claims of one key exactly one gets true.
//
// Merchants running several replicas plug in the database they already share.
// With database/sql and a table
//
//	CREATE TABLE reported_events (key TEXT PRIMARY KEY, at TIMESTAMP NOT NULL);
//
// Claim is
//
//	res, err := db.ExecContext(ctx,
//		`INSERT INTO reported_events (key, at) VALUES ($1, now()) ON CONFLICT DO NOTHING`, key)
//	if err != nil { return false, err }
//	n, err := res.RowsAffected()
//	return n == 1, err
//
// and Release is `DELETE FROM reported_events WHERE key = $1`.
type Store interface {
	// Claim records key and reports whether this call recorded it first.
	Claim(ctx context.Context, key string) (bool, error)
	// Release forgets key, so that a redelivery is reported again. Handlers
	// call it when the merchant's code failed to take the event.
	Release(ctx context.Context, key string) error
}

// Memory is the in-process default Store: at most Max keys, each forgotten
// after TTL. It is right for one replica; several replicas need a shared
// Store.
type Memory struct {
	max int
	ttl time.Duration
	now func() time.Time

	mu    sync.Mutex
	order *list.List // of entry, oldest first
	keys  map[string]*list.Element
}

type entry struct {
	key string
	at  time.Time
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
func (m *Memory) Claim(_ context.Context, key string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	if _, ok := m.keys[key]; ok {
		return false, nil
	}
	m.keys[key] = m.order.PushBack(entry{key: key, at: now})
	for m.order.Len() > m.max {
		m.remove(m.order.Front())
	}
	return true, nil
}

// Release implements Store.
func (m *Memory) Release(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.keys[key]; ok {
		m.remove(el)
	}
	return nil
}

// Len returns the number of keys held.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}

func (m *Memory) expire(now time.Time) {
	for el := m.order.Front(); el != nil; el = m.order.Front() {
		if now.Sub(el.Value.(entry).at) < m.ttl {
			return
		}
		m.remove(el)
	}
}

func (m *Memory) remove(el *list.Element) {
	delete(m.keys, el.Value.(entry).key)
	m.order.Remove(el)
}

// Once reports an event the first time key is claimed in store: report runs
// only for the first claim, and when it fails the claim is released so that
// the provider's next delivery is reported again. A repeat is not an error.
func Once(ctx context.Context, store Store, key string, report func(context.Context) error) error {
	first, err := store.Claim(ctx, key)
	if err != nil || !first {
		return err
	}
	if err := report(ctx); err != nil {
		_ = store.Release(ctx, key)
		return err
	}
	return nil
}

// Fallback is the in-memory Store a handler uses when the merchant gave it
// none; it is created on first use. The zero value is ready.
type Fallback struct {
	once sync.Once
	m    *Memory
}

// Or returns s, or the fallback Memory when s is nil.
func (f *Fallback) Or(s Store) Store {
	if s != nil {
		return s
	}
	f.once.Do(func() { f.m = NewMemory(0, 0) })
	return f.m
}
