// Package token caches a provider's bearer token: it is fetched once, reused
// until shortly before it expires, refreshed by one goroutine however many
// ask at once, and dropped after a 401 so the next call fetches a fresh one.
//
// The shared fetch belongs to the callers waiting for it, as a shared lookup
// does in Go's resolver: it outlives a caller that gives up while others
// still wait (one impatient caller must not fail the others), and it is
// abandoned — its context cancelled, its slot cleared so the next caller
// fetches afresh — as soon as the last waiter has given up. So a token
// request that is never answered costs no caller more than its own deadline.
// A fetch that callers without any deadline wait for is bounded all the same
// by the fetch timeout (default 30 s), even when the merchant's HTTP client
// has no timeout at all.
package token

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/secret"
)

// Token is a bearer token and what is known about it.
type Token struct {
	// Value is the bearer token itself.
	Value secret.Secret
	// Refresh is the refresh token, for providers that issue one.
	Refresh secret.Secret
	// Expiry is when the provider stops accepting Value. Zero means unknown;
	// such a token is kept until invalidated.
	Expiry time.Time
	// Scope is what the provider granted, if it says.
	Scope string
}

// Valid reports whether t can still be used at now with skew to spare.
func (t *Token) Valid(now time.Time, skew time.Duration) bool {
	if t == nil || t.Value.IsZero() {
		return false
	}
	return t.Expiry.IsZero() || now.Add(skew).Before(t.Expiry)
}

// FetchFunc obtains a new token. prev is the token being replaced (zero on
// the first fetch), so a provider can use its refresh token.
type FetchFunc func(ctx context.Context, prev Token) (Token, error)

// DefaultFetchTimeout bounds one token fetch, retries included, when no
// other bound is configured.
const DefaultFetchTimeout = 30 * time.Second

// ErrFetchTimeout is matched by the error of a fetch that did not finish
// within the cache's fetch timeout.
var ErrFetchTimeout = errors.New("token: fetch did not finish within its bound")

// Cache holds one token. It is safe for concurrent use.
type Cache struct {
	fetch   FetchFunc
	skew    time.Duration
	now     func() time.Time
	timeout time.Duration

	cur atomic.Pointer[Token]

	mu       sync.Mutex
	inflight *call
	// gen is bumped by Set and by every fetch that starts: a fetch stores
	// its token only if gen has not moved since it started, so a fetch that
	// finishes late never overwrites a newer token.
	gen uint64
}

// errFetchTimeout is the cause of a fetch context cancelled by its bound
// (as opposed to one abandoned by its last waiter).
var errFetchTimeout = errors.New("token: fetch timeout")

// call is one shared fetch. waiters, like Cache.inflight, is guarded by
// Cache.mu; tok and err are written before done is closed.
type call struct {
	ctx     context.Context // the fetch's own context: done past its bound or once abandoned
	cancel  context.CancelFunc
	gen     uint64
	waiters int
	done    chan struct{}
	tok     Token
	err     error
}

// Option configures a Cache.
type Option func(*Cache)

// WithSkew refreshes a token this long before its expiry (default 30 s).
func WithSkew(d time.Duration) Option { return func(c *Cache) { c.skew = d } }

// WithFetchTimeout bounds each fetch, retries included (default
// DefaultFetchTimeout; zero or less keeps the default). The fetch is
// cancelled when the bound passes, and a later caller starts a new one.
func WithFetchTimeout(d time.Duration) Option {
	return func(c *Cache) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(c *Cache) { c.now = now } }

// New returns a Cache that obtains tokens with fetch.
func New(fetch FetchFunc, opts ...Option) *Cache {
	c := &Cache{fetch: fetch, skew: 30 * time.Second, now: time.Now, timeout: DefaultFetchTimeout}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Token returns a valid token, fetching one if needed. Concurrent callers
// share a single fetch; each waits only as long as its own context allows.
// The fetch goes on while any caller still waits for it, so one caller giving
// up does not fail the others; once the last one has given up it is
// cancelled and the next caller starts a fresh one. It ends at the latest
// after the fetch timeout.
func (c *Cache) Token(ctx context.Context) (Token, error) {
	if t := c.cur.Load(); t.Valid(c.now(), c.skew) {
		return *t, nil
	}
	return c.slow(ctx)
}

func (c *Cache) slow(ctx context.Context) (Token, error) {
	if err := ctx.Err(); err != nil {
		return Token{}, err // never start a fetch nobody waits for
	}
	c.mu.Lock()
	if t := c.cur.Load(); t.Valid(c.now(), c.skew) {
		c.mu.Unlock()
		return *t, nil
	}
	cl := c.inflight
	if cl == nil || cl.ctx.Err() != nil {
		// No fetch, or one past its bound that has not returned yet (its
		// FetchFunc ignores cancellation): start afresh. The stale one can
		// no longer store its result; see run.
		fctx, cancel := context.WithTimeoutCause(context.WithoutCancel(ctx), c.timeout, errFetchTimeout)
		c.gen++
		cl = &call{ctx: fctx, cancel: cancel, gen: c.gen, done: make(chan struct{})}
		c.inflight = cl
		var prev Token
		if t := c.cur.Load(); t != nil {
			prev = *t
		}
		go c.run(cl, prev)
	}
	cl.waiters++
	c.mu.Unlock()

	select {
	case <-cl.done:
		return cl.tok, cl.err
	case <-ctx.Done():
		c.leave(cl)
		return Token{}, ctx.Err()
	}
}

// leave is called by a waiter that gave up on cl. The last one to leave
// abandons the fetch: nobody waits for its answer any more, so it is
// cancelled, and the slot is cleared at once so that the next caller starts a
// fresh fetch instead of joining a request that may never be answered (as
// net.Resolver does with a shared lookup its callers have all left).
func (c *Cache) leave(cl *call) {
	c.mu.Lock()
	cl.waiters--
	abandon := cl.waiters == 0
	if abandon && c.inflight == cl {
		c.inflight = nil
	}
	c.mu.Unlock()
	if abandon {
		cl.cancel()
	}
}

func (c *Cache) run(cl *call, prev Token) {
	tok, err := c.fetch(cl.ctx, prev)
	late := errors.Is(context.Cause(cl.ctx), errFetchTimeout)
	if err == nil && tok.Value.IsZero() {
		err = errors.New("token: provider returned an empty token")
	}
	if err != nil && late {
		err = fmt.Errorf("%w (%s): %w", ErrFetchTimeout, c.timeout, err)
	}
	c.mu.Lock()
	if c.inflight == cl {
		c.inflight = nil
	}
	// Only a fetch with nothing newer since it started (no later fetch, no
	// Set) may store its token: a superseded one would overwrite a newer
	// token.
	if err == nil && cl.gen == c.gen {
		c.cur.Store(&tok)
	}
	cl.tok, cl.err = tok, err
	c.mu.Unlock()
	cl.cancel() // only now: slow treats a done context as a fetch past its bound
	close(cl.done)
}

// Invalidate drops the cached token if it is still stale, so the next call
// fetches a new one. Passing the token that was refused keeps many goroutines
// that saw the same 401 from discarding a token another one just fetched.
func (c *Cache) Invalidate(stale secret.Secret) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.cur.Load(); t != nil && t.Value == stale {
		// Keep the refresh token for the next fetch; drop the access token.
		c.cur.Store(&Token{Refresh: t.Refresh, Scope: t.Scope, Expiry: time.Unix(0, 0)})
	}
}

// Set stores a token obtained elsewhere (for example restored from a
// merchant's session store).
func (c *Cache) Set(t Token) {
	c.mu.Lock()
	c.gen++
	c.cur.Store(&t)
	c.mu.Unlock()
}

// Peek returns the cached token, valid or not, without fetching.
func (c *Cache) Peek() (Token, bool) {
	t := c.cur.Load()
	if t == nil {
		return Token{}, false
	}
	return *t, true
}

// WithToken runs call with a valid token. If call fails with an error that
// matches httpx.ErrUnauthorized, the token is invalidated and call runs once
// more with a fresh one: a 401 means nothing was processed.
func (c *Cache) WithToken(ctx context.Context, call func(ctx context.Context, t Token) error) error {
	t, err := c.Token(ctx)
	if err != nil {
		return err
	}
	err = call(ctx, t)
	if !errors.Is(err, httpx.ErrUnauthorized) {
		return err
	}
	c.Invalidate(t.Value)
	if t, err = c.Token(ctx); err != nil {
		return err
	}
	return call(ctx, t)
}
