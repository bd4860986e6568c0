package token_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/secret"
	"github.com/paywidget/paywidget-go/internal/token"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// counter issues tok-1, tok-2, … each valid for an hour of clk's time.
func counter(clk *clock, n *atomic.Int32, gate <-chan struct{}) token.FetchFunc {
	return func(ctx context.Context, prev token.Token) (token.Token, error) {
		if gate != nil {
			<-gate
		}
		i := n.Add(1)
		return token.Token{Value: secret.Secret(fmt.Sprintf("tok-%d", i)), Refresh: "r", Expiry: clk.Now().Add(time.Hour)}, nil
	}
}

func TestThousandConcurrentCallersFetchOnce(t *testing.T) {
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	var n atomic.Int32
	gate := make(chan struct{})
	c := token.New(counter(clk, &n, gate), token.WithClock(clk.Now))

	var wg sync.WaitGroup
	got := make([]string, 1000)
	for i := range got {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tok, err := c.Token(context.Background())
			assert.NoError(t, err)
			got[i] = tok.Value.Reveal()
		}(i)
	}
	close(gate)
	wg.Wait()
	assert.Equal(t, int32(1), n.Load(), "one fetch for 1000 callers")
	for _, v := range got {
		assert.Equal(t, "tok-1", v)
	}
}

func TestRefreshBeforeExpiryWithSkew(t *testing.T) {
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	var n atomic.Int32
	c := token.New(counter(clk, &n, nil), token.WithClock(clk.Now), token.WithSkew(time.Minute))
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok.Value.Reveal())

	clk.Add(58 * time.Minute) // two minutes left: still good
	tok, _ = c.Token(context.Background())
	assert.Equal(t, "tok-1", tok.Value.Reveal())

	clk.Add(90 * time.Second) // 30 s left, inside the skew
	tok, _ = c.Token(context.Background())
	assert.Equal(t, "tok-2", tok.Value.Reveal())
	assert.Equal(t, int32(2), n.Load())
}

func TestInvalidateRefreshesOnceAndKeepsRefreshToken(t *testing.T) {
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	var n atomic.Int32
	var prevs []token.Token
	var mu sync.Mutex
	fetch := func(ctx context.Context, prev token.Token) (token.Token, error) {
		mu.Lock()
		prevs = append(prevs, prev)
		mu.Unlock()
		return counter(clk, &n, nil)(ctx, prev)
	}
	c := token.New(fetch, token.WithClock(clk.Now))
	first, err := c.Token(context.Background())
	require.NoError(t, err)

	// Many goroutines saw the same 401 and invalidate the same stale token.
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Invalidate(first.Value)
			tok, err := c.Token(context.Background())
			assert.NoError(t, err)
			assert.Equal(t, "tok-2", tok.Value.Reveal())
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(2), n.Load(), "an invalidated token is refreshed once")
	require.Len(t, prevs, 2)
	assert.Equal(t, "r", prevs[1].Refresh.Reveal(), "the refresh token survives invalidation")
}

func TestWaitingRespectsContext(t *testing.T) {
	gate := make(chan struct{})
	defer close(gate)
	var n atomic.Int32
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	c := token.New(counter(clk, &n, gate), token.WithClock(clk.Now))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Token(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestFetchErrorIsReturnedAndRetriedNextTime(t *testing.T) {
	var calls atomic.Int32
	boom := errors.New("provider down")
	c := token.New(func(ctx context.Context, _ token.Token) (token.Token, error) {
		if calls.Add(1) == 1 {
			return token.Token{}, boom
		}
		return token.Token{Value: "ok"}, nil
	})
	_, err := c.Token(context.Background())
	assert.ErrorIs(t, err, boom)
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "ok", tok.Value.Reveal())
	_, err = token.New(func(context.Context, token.Token) (token.Token, error) { return token.Token{}, nil }).Token(context.Background())
	assert.Error(t, err, "an empty token is refused")
}

func TestWithTokenRepeatsOnceAfter401(t *testing.T) {
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	var n atomic.Int32
	c := token.New(counter(clk, &n, nil), token.WithClock(clk.Now))
	var used []string
	unauthorized := &httpx.StatusError{Provider: "p", HTTPStatus: 401}
	err := c.WithToken(context.Background(), func(_ context.Context, t token.Token) error {
		used = append(used, t.Value.Reveal())
		if len(used) == 1 {
			return unauthorized
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"tok-1", "tok-2"}, used)

	// A second 401 is returned, not looped on.
	used = nil
	err = c.WithToken(context.Background(), func(_ context.Context, t token.Token) error {
		used = append(used, t.Value.Reveal())
		return unauthorized
	})
	assert.ErrorIs(t, err, httpx.ErrUnauthorized)
	assert.Len(t, used, 2)
}

func TestWarmLookupAllocatesNothing(t *testing.T) {
	c := token.New(func(context.Context, token.Token) (token.Token, error) {
		return token.Token{Value: "t", Expiry: time.Now().Add(time.Hour)}, nil
	})
	ctx := context.Background()
	_, err := c.Token(ctx)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(1000, func() { _, _ = c.Token(ctx) })
	assert.Zero(t, allocs)
}

func TestTokenNeverPrints(t *testing.T) {
	tok := token.Token{Value: "bearer-secret", Refresh: "refresh-secret"}
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%+v", tok), fmt.Sprintf("%#v", tok)} {
		assert.NotContains(t, s, "bearer-secret")
		assert.NotContains(t, s, "refresh-secret")
	}
}

func BenchmarkTokenWarm(b *testing.B) {
	c := token.New(func(context.Context, token.Token) (token.Token, error) {
		return token.Token{Value: "t", Expiry: time.Now().Add(time.Hour)}, nil
	})
	ctx := context.Background()
	if _, err := c.Token(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Token(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
