package token_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/secret"
	"github.com/paywidget/paywidget-go/internal/token"
	"github.com/paywidget/paywidget-go/internal/token/tokentest"
)

// hangFirst is a token endpoint that accepts the first request and never
// answers it (until the client gives up on it); later requests get a token.
type hangFirst struct {
	n        atomic.Int32
	released chan struct{} // closed when the hung request's handler returned
}

func (h *hangFirst) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	i := h.n.Add(1)
	if i == 1 {
		defer close(h.released)
		<-r.Context().Done() // accepted, never answered
		return
	}
	_, _ = fmt.Fprintf(w, "tok-%d", i)
}

// httpFetch fetches with a client that has no timeout at all, the zero
// http.Client a merchant may pass.
func httpFetch(url string, hc *http.Client) token.FetchFunc {
	return func(ctx context.Context, _ token.Token) (token.Token, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader("grant"))
		if err != nil {
			return token.Token{}, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return token.Token{}, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return token.Token{}, err
		}
		return token.Token{Value: secret.Secret(b), Expiry: time.Now().Add(time.Hour)}, nil
	}
}

// hangUntil is a token endpoint that accepts requests and never answers them
// until answer is closed; then it answers tok-N to the Nth request. It counts
// the hung requests the client went away from.
type hangUntil struct {
	n        atomic.Int32
	answer   chan struct{}
	released atomic.Int32
	arrived  chan struct{} // one value per request
}

func newHangUntil() *hangUntil {
	return &hangUntil{answer: make(chan struct{}), arrived: make(chan struct{}, 100)}
}

// answerAll lets every request held so far answer (once; safe to defer).
func (h *hangUntil) answerAll() {
	select {
	case <-h.answer:
	default:
		close(h.answer)
	}
}

func (h *hangUntil) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	i := h.n.Add(1)
	h.arrived <- struct{}{}
	select {
	case <-h.answer:
		_, _ = fmt.Fprintf(w, "tok-%d", i)
	case <-r.Context().Done():
		h.released.Add(1)
	}
}

// waitFor fails t unless cond holds within ten seconds: a bound on liveness,
// not a measure of speed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestHungTokenRequestCostsEachCallerOnlyItsDeadline(t *testing.T) {
	h := newHangUntil()
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.answerAll()  // before Close, so that a failing test does not hang on it
	hc := &http.Client{} // no Timeout
	defer hc.CloseIdleConnections()
	tokentest.WaitNoFetch(t) // none left over from other tests

	// The fetch's own bound is an hour: only the callers' deadlines can
	// end their wait, and only their leaving can end the fetch.
	c := token.New(httpFetch(srv.URL, hc), token.WithFetchTimeout(time.Hour))

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(10+5*i)*time.Millisecond)
			defer cancel()
			_, err := c.Token(ctx)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.NotErrorIs(t, err, token.ErrFetchTimeout)
			dl, _ := ctx.Deadline()
			assert.Less(t, time.Since(dl), time.Minute, "a caller waited far past its own deadline")
		}()
	}
	wg.Wait()

	// Every caller has left: the shared fetch was abandoned, its request
	// cancelled, and no fetch goroutine is left behind.
	tokentest.WaitNoFetch(t)
	waitFor(t, "the server to see every hung request cancelled", func() bool { return h.released.Load() == h.n.Load() })
	hung := h.n.Load()
	require.GreaterOrEqual(t, hung, int32(1))

	// The next caller does not join the abandoned fetch: it fetches afresh
	// and succeeds once the provider answers.
	h.answerAll()
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("tok-%d", hung+1), tok.Value.Reveal())
	assert.Equal(t, hung+1, h.n.Load(), "the server saw exactly one fresh request")
	tok, err = c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("tok-%d", hung+1), tok.Value.Reveal(), "the new token is cached")
	tokentest.WaitNoFetch(t)
}

func TestFetchGoesOnWhileAnyCallerWaits(t *testing.T) {
	h := newHangUntil()
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.answerAll()
	hc := &http.Client{}
	defer hc.CloseIdleConnections()
	tokentest.WaitNoFetch(t)
	c := token.New(httpFetch(srv.URL, hc), token.WithFetchTimeout(time.Hour))

	patient := make(chan error, 1)
	var got token.Token
	go func() {
		var err error
		got, err = c.Token(context.Background())
		patient <- err
	}()
	<-h.arrived // the patient caller's fetch reached the server

	// Impatient callers join the same fetch and give up on it.
	for range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { _, err := c.Token(ctx); done <- err }()
		time.Sleep(time.Millisecond) // let it join (if it does not, it only asks nothing)
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
	}
	assert.Zero(t, h.released.Load(), "the fetch was cancelled though a caller still waits")

	h.answerAll()
	require.NoError(t, <-patient)
	assert.Equal(t, "tok-1", got.Value.Reveal())
	assert.Equal(t, int32(1), h.n.Load(), "one request for every caller")
	tokentest.WaitNoFetch(t)
}

func TestHungTokenRequestBoundedForCallersWithoutDeadline(t *testing.T) {
	h := &hangFirst{released: make(chan struct{})}
	srv := httptest.NewServer(h)
	defer srv.Close()
	hc := &http.Client{} // no Timeout
	defer hc.CloseIdleConnections()
	tokentest.WaitNoFetch(t)

	c := token.New(httpFetch(srv.URL, hc), token.WithFetchTimeout(200*time.Millisecond))

	// Callers with no deadline wait for the shared fetch, and get its bounded
	// failure.
	errs := make(chan error, 2)
	for range 2 {
		go func() { _, err := c.Token(context.Background()); errs <- err }()
	}
	for range 2 {
		require.ErrorIs(t, <-errs, token.ErrFetchTimeout)
	}
	<-h.released // the hung request was cancelled, so the server let go of it

	// The provider recovered: the next calls get a token from a new fetch.
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok-2", tok.Value.Reveal())
	tok, err = c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok-2", tok.Value.Reveal(), "the new token is cached")
	assert.Equal(t, int32(2), h.n.Load())

	tokentest.WaitNoFetch(t)
}

func TestAbandonedFetchThatAnswersLateCannotOverwrite(t *testing.T) {
	// A FetchFunc that ignores cancellation: the first fetch answers only
	// when the test lets it, long after its caller gave up.
	gate := make(chan struct{})
	first := make(chan struct{})
	var n atomic.Int32
	fetch := func(ctx context.Context, _ token.Token) (token.Token, error) {
		i := n.Add(1)
		if i == 1 {
			close(first)
			<-gate
			return token.Token{Value: "late", Expiry: time.Now().Add(time.Hour)}, nil
		}
		return token.Token{Value: secret.Secret(fmt.Sprintf("tok-%d", i)), Expiry: time.Now().Add(time.Hour)}, nil
	}
	c := token.New(fetch, token.WithFetchTimeout(time.Hour))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.Token(ctx); done <- err }()
	<-first
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)

	// Ten seconds is a bound on liveness: joining the abandoned fetch would
	// wait for the gate.
	live, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	tok, err := c.Token(live)
	close(gate)
	require.NoError(t, err, "the next caller joined the abandoned fetch")
	assert.Equal(t, "tok-2", tok.Value.Reveal(), "the next caller fetched afresh")

	tokentest.WaitNoFetch(t)
	got, ok := c.Peek()
	require.True(t, ok)
	assert.Equal(t, "tok-2", got.Value.Reveal(), "the abandoned fetch did not overwrite the newer token")
	assert.Equal(t, int32(2), n.Load())
}

func TestFetchPastItsBoundIsReplacedAndCannotOverwrite(t *testing.T) {
	// A FetchFunc that ignores cancellation: the first fetch blocks until the
	// test lets it go, then answers a token that is stale by then.
	gate := make(chan struct{})
	firstCtx := make(chan context.Context, 1)
	var n atomic.Int32
	fetch := func(ctx context.Context, _ token.Token) (token.Token, error) {
		i := n.Add(1)
		if i == 1 {
			firstCtx <- ctx
			<-gate
			return token.Token{Value: "stale", Expiry: time.Now().Add(time.Hour)}, nil
		}
		return token.Token{Value: secret.Secret(fmt.Sprintf("tok-%d", i)), Expiry: time.Now().Add(time.Hour)}, nil
	}
	c := token.New(fetch, token.WithFetchTimeout(50*time.Millisecond))

	var wg sync.WaitGroup
	var firstTok token.Token
	wg.Add(1)
	go func() {
		defer wg.Done()
		firstTok, _ = c.Token(context.Background())
	}()
	ctx := <-firstCtx
	<-ctx.Done() // the first fetch is now past its bound

	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok-2", tok.Value.Reveal(), "a caller after the bound starts a fresh fetch")

	close(gate)
	wg.Wait()
	assert.Equal(t, "stale", firstTok.Value.Reveal(), "the first caller gets its own fetch's answer")
	tokentest.WaitNoFetch(t)
	got, ok := c.Peek()
	require.True(t, ok)
	assert.Equal(t, "tok-2", got.Value.Reveal(), "the superseded fetch did not overwrite the newer token")
	tok, err = c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok-2", tok.Value.Reveal())
	assert.Equal(t, int32(2), n.Load())
}

func TestFetchDoesNotOverwriteATokenSetMeanwhile(t *testing.T) {
	gate := make(chan struct{})
	started := make(chan struct{})
	c := token.New(func(ctx context.Context, _ token.Token) (token.Token, error) {
		close(started)
		<-gate
		return token.Token{Value: "fetched", Expiry: time.Now().Add(time.Hour)}, nil
	})
	done := make(chan token.Token)
	go func() {
		tok, _ := c.Token(context.Background())
		done <- tok
	}()
	<-started
	c.Set(token.Token{Value: "restored", Expiry: time.Now().Add(time.Hour)})
	close(gate)
	assert.Equal(t, "fetched", (<-done).Value.Reveal())
	tokentest.WaitNoFetch(t)
	got, _ := c.Peek()
	assert.Equal(t, "restored", got.Value.Reveal())
}

func TestDefaultFetchBound(t *testing.T) {
	assert.Equal(t, 30*time.Second, token.DefaultFetchTimeout)
	// The bound reaches the FetchFunc as a deadline, even when the caller's
	// context has none.
	var deadline time.Time
	var has bool
	c := token.New(func(ctx context.Context, _ token.Token) (token.Token, error) {
		deadline, has = ctx.Deadline()
		return token.Token{Value: "t"}, nil
	})
	start := time.Now()
	_, err := c.Token(context.Background())
	require.NoError(t, err)
	require.True(t, has)
	assert.WithinDuration(t, start.Add(token.DefaultFetchTimeout), deadline, 5*time.Second)
}
