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

func TestHungTokenRequestDoesNotWedgeTheCache(t *testing.T) {
	h := &hangFirst{released: make(chan struct{})}
	srv := httptest.NewServer(h)
	defer srv.Close()
	hc := &http.Client{} // no Timeout
	defer hc.CloseIdleConnections()
	tokentest.WaitNoFetch(t) // none left over from other tests

	c := token.New(httpFetch(srv.URL, hc), token.WithFetchTimeout(200*time.Millisecond))

	// A caller with a short deadline gives up first; the shared fetch goes on.
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	_, err := c.Token(short)
	cancel()
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// A patient caller joins the hung fetch and gets its bounded failure.
	_, err = c.Token(context.Background())
	require.ErrorIs(t, err, token.ErrFetchTimeout)
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
