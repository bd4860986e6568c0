// Package token caches a provider's bearer token: it is fetched once, reused
// until shortly before it expires, refreshed by one goroutine however many
// ask at once, and dropped after a 401 so the next call fetches a fresh one.
//
// The shared fetch outlives the caller that started it (one impatient caller
// must not fail the others), so it carries its own bound: it is cancelled
// after the fetch timeout (default 30 s) even when the merchant's HTTP client
// has no timeout at all, and a caller that finds a fetch past that bound
// starts a fresh one instead of joining it.
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
	gen      uint64 // bumped by Set, so a fetch started before it does not overwrite it
}

type call struct {
	ctx  context.Context // the fetch's own context; done once past its bound
	gen  uint64
	done chan struct{}
	tok  Token
	err  error
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
// The fetch itself is not cancelled when the first waiter gives up, so the
// others still get their token; it ends at the latest after the fetch
// timeout.
func (c *Cache) Token(ctx context.Context) (Token, error) {
	if t := c.cur.Load(); t.Valid(c.now(), c.skew) {
		return *t, nil
	}
	return c.slow(ctx)
}

func (c *Cache) slow(ctx context.Context) (Token, error) {
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
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		cl = &call{ctx: fctx, gen: c.gen, done: make(chan struct{})}
		c.inflight = cl
		var prev Token
		if t := c.cur.Load(); t != nil {
			prev = *t
		}
		go c.run(cl, cancel, prev)
	}
	c.mu.Unlock()

	select {
	case <-cl.done:
		return cl.tok, cl.err
	case <-ctx.Done():
		return Token{}, ctx.Err()
	}
}

func (c *Cache) run(cl *call, cancel context.CancelFunc, prev Token) {
	tok, err := c.fetch(cl.ctx, prev)
	late := cl.ctx.Err() != nil
	if err == nil && tok.Value.IsZero() {
		err = errors.New("token: provider returned an empty token")
	}
	if err != nil && late {
		err = fmt.Errorf("%w (%s): %w", ErrFetchTimeout, c.timeout, err)
	}
	c.mu.Lock()
	current := c.inflight == cl
	if current {
		c.inflight = nil
	}
	// Only the newest fetch, started after the last Set, may store its
	// token: a superseded one would overwrite a newer token.
	if err == nil && current && cl.gen == c.gen {
		c.cur.Store(&tok)
	}
	cl.tok, cl.err = tok, err
	c.mu.Unlock()
	cancel() // only now: slow treats a done context as a fetch past its bound
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
