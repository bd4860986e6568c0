package main

import (
	"context"
	"sync"
)

// perOrder runs a provider call once per order, with no lock held across
// the network: the first request for an order makes the call; concurrent
// requests for the same order wait for its result (or their own context);
// requests for other orders are never held up. A successful result is kept
// for the order (a reload shows the same provider-side payment); a failed
// one is forgotten, so the next request tries again.
type perOrder[T any] struct {
	mu    sync.Mutex
	calls map[string]*orderCall[T]
}

type orderCall[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// do returns the order's result, making the call if there is none yet.
func (p *perOrder[T]) do(ctx context.Context, id string, call func(context.Context) (T, error)) (T, error) {
	p.mu.Lock()
	if p.calls == nil {
		p.calls = map[string]*orderCall[T]{}
	}
	if c, ok := p.calls[id]; ok {
		p.mu.Unlock()
		select {
		case <-c.done:
			return c.val, c.err
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
	}
	c := &orderCall[T]{done: make(chan struct{})}
	p.calls[id] = c
	p.mu.Unlock()

	c.val, c.err = call(ctx)
	if c.err != nil {
		p.mu.Lock()
		delete(p.calls, id)
		p.mu.Unlock()
	}
	close(c.done)
	return c.val, c.err
}

// get returns the order's result if its call has succeeded.
func (p *perOrder[T]) get(id string) (T, bool) {
	p.mu.Lock()
	c, ok := p.calls[id]
	p.mu.Unlock()
	var zero T
	if !ok {
		return zero, false
	}
	select {
	case <-c.done:
		return c.val, c.err == nil
	default:
		return zero, false
	}
}

// forget drops the results of forgotten orders.
func (p *perOrder[T]) forget(ids []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range ids {
		delete(p.calls, id)
	}
}
