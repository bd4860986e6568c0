package httpx_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

// The tests below run real HTTP/2 over TLS against internal/fake's frame
// relay, which resets streams and sends GOAWAY after the whole request was
// read, and check that a money call is never sent twice below httpx.

// payServer is a fake over HTTPS (HTTP/2 offered) that counts the payments
// it processed (POST requests handled to the end).
func payServer(t *testing.T) (*fake.Server, *atomic.Int32) {
	t.Helper()
	var processed atomic.Int32
	srv, err := fake.NewTLS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			processed.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv, &processed
}

// clients are the ways a merchant's client may reach an HTTPS provider.
func clients(t *testing.T) map[string]func(*fake.Server) *http.Client {
	return map[string]func(*fake.Server) *http.Client{
		// the fake's own client: http.Transport with ForceAttemptHTTP2
		"fake client": func(s *fake.Server) *http.Client { return s.Client() },
		// a merchant transport that only speaks HTTP/2
		"HTTP/2 only": func(*fake.Server) *http.Client {
			var p http.Protocols
			p.SetHTTP2(true)
			return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: trust(t), Protocols: &p}}
		},
		// a merchant transport behind an HTTPS proxy (CONNECT)
		"through a proxy": func(*fake.Server) *http.Client {
			proxy := connectProxy(t)
			return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
				TLSClientConfig: trust(t), ForceAttemptHTTP2: true, Proxy: http.ProxyURL(proxy),
			}}
		},
	}
}

func money(hc *http.Client, base string) func(*httpx.Config, *httpx.Settings) {
	return func(c *httpx.Config, s *httpx.Settings) {
		c.BaseURL = base
		s.HTTPClient = hc
	}
}

func pay(c *httpx.Client, body []byte) (*httpx.Response, error) {
	return c.Do(context.Background(), &httpx.Request{Method: http.MethodPost, Path: "/pay", Body: body, Retry: httpx.RetryIfNotSent})
}

func TestHTTP2ResetAfterRequestReadIsOutcomeUnknownAndSentOnce(t *testing.T) {
	for cname, mk := range clients(t) {
		for _, kind := range []struct {
			name string
			kind fake.Kind
		}{
			{"RST_STREAM PROTOCOL_ERROR", fake.ResetProtocol},
			{"RST_STREAM INTERNAL_ERROR", fake.ResetInternal},
			{"GOAWAY after processing", fake.GoAwayAfter},
		} {
			for _, body := range [][]byte{[]byte(`{"amount":"10.00"}`), nil} {
				name := cname + "/" + kind.name + "/with body"
				if body == nil {
					name = cname + "/" + kind.name + "/no body"
				}
				t.Run(name, func(t *testing.T) {
					srv, processed := payServer(t)
					hc := mk(srv)
					c := newClient(t, srv.URL, money(hc, srv.URL))
					// A first payment warms the connection, so that the
					// fault strikes a reused one.
					resp, err := pay(c, body)
					require.NoError(t, err)
					require.Equal(t, "HTTP/2.0", protoOf(t, hc, srv.URL), "the client must speak HTTP/2")
					require.Equal(t, 1, resp.Attempts)

					srv.Fail(http.MethodPost, "/pay", fake.Fault{Kind: kind.kind})
					_, err = pay(c, body)
					require.Error(t, err)
					assert.ErrorIs(t, err, httpx.ErrOutcomeUnknown)
					var te *httpx.TransportError
					require.ErrorAs(t, err, &te)
					assert.Equal(t, 1, te.Attempts)
					assert.True(t, te.Sent)
					assert.Equal(t, 2, srv.Count(http.MethodPost, "/pay"), "the faulted payment must reach the server exactly once")
					assert.Equal(t, int32(2), processed.Load())
				})
			}
		}
	}
}

func TestHTTP2RefusedStreamIsRetriedAsNeverProcessed(t *testing.T) {
	for cname, mk := range clients(t) {
		for _, kind := range []struct {
			name string
			kind fake.Kind
		}{
			{"REFUSED_STREAM", fake.RefusedStream},
			{"GOAWAY below the stream", fake.GoAwayBefore},
		} {
			t.Run(cname+"/"+kind.name, func(t *testing.T) {
				srv, processed := payServer(t)
				hc := mk(srv)
				c := newClient(t, srv.URL, money(hc, srv.URL))
				srv.Fail(http.MethodPost, "/pay", fake.Fault{Kind: kind.kind})
				resp, err := pay(c, []byte(`{"amount":"10.00"}`))
				require.NoError(t, err, "a stream the server promised it did not process may be sent again")
				assert.Equal(t, 2, resp.Attempts, "httpx retried it, not the transport")
				assert.Equal(t, int32(1), processed.Load(), "processed exactly once")
				assert.Equal(t, 2, srv.Count(http.MethodPost, "/pay"))
			})
		}
	}
}

func TestHTTP2RefusedEveryTimeIsNotSent(t *testing.T) {
	srv, processed := payServer(t)
	c := newClient(t, srv.URL, money(srv.Client(), srv.URL))
	srv.Fail(http.MethodPost, "/pay", fake.Fault{Kind: fake.RefusedStream}, fake.Fault{Kind: fake.RefusedStream}, fake.Fault{Kind: fake.RefusedStream})
	_, err := pay(c, []byte(`{}`))
	require.Error(t, err)
	assert.NotErrorIs(t, err, httpx.ErrOutcomeUnknown)
	var te *httpx.TransportError
	require.ErrorAs(t, err, &te)
	assert.False(t, te.Sent)
	assert.Equal(t, 3, te.Attempts)
	assert.Zero(t, processed.Load())
}

// TestStockClientResendsOnHTTP2 shows that the faults are real: net/http's
// HTTP/2 client sends a POST with GetBody again by itself — after
// REFUSED_STREAM on every Go version, and after RST_STREAM(PROTOCOL_ERROR),
// a stream the server processed, up to Go 1.26 (Go 1.27 stopped that one).
func TestStockClientResendsOnHTTP2(t *testing.T) {
	post := func(t *testing.T, kind fake.Kind) (*fake.Server, *atomic.Int32, error) {
		srv, processed := payServer(t)
		srv.Fail(http.MethodPost, "/pay", fake.Fault{Kind: kind})
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/pay", bytes.NewReader([]byte(`{"amount":"10.00"}`)))
		require.NoError(t, err)
		require.NotNil(t, req.GetBody, "NewRequest sets GetBody for a bytes.Reader")
		resp, err := srv.Client().Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		return srv, processed, err
	}
	t.Run("REFUSED_STREAM", func(t *testing.T) {
		srv, processed, err := post(t, fake.RefusedStream)
		require.NoError(t, err)
		assert.Equal(t, 2, srv.Count(http.MethodPost, "/pay"), "the transport sent it again")
		assert.Equal(t, int32(1), processed.Load())
	})
	t.Run("RST_STREAM PROTOCOL_ERROR", func(t *testing.T) {
		srv, processed, err := post(t, fake.ResetProtocol)
		if strings.HasPrefix(runtime.Version(), "go1.26") {
			require.NoError(t, err)
			assert.Equal(t, 2, srv.Count(http.MethodPost, "/pay"), "the transport sent it again")
			assert.Equal(t, int32(2), processed.Load(), "and the server processed it twice")
		} else {
			require.Error(t, err)
			assert.Equal(t, 1, srv.Count(http.MethodPost, "/pay"))
		}
	})
}

func TestSafeCallsStillRecoverFromHTTP2Resets(t *testing.T) {
	for _, k := range []fake.Kind{fake.ResetProtocol, fake.ResetInternal, fake.GoAwayAfter, fake.RefusedStream} {
		srv, _ := payServer(t)
		c := newClient(t, srv.URL, money(srv.Client(), srv.URL))
		srv.Fail(http.MethodGet, "/q", fake.Fault{Kind: k})
		_, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodGet, Path: "/q", Retry: httpx.RetrySafe})
		require.NoError(t, err, "kind %d", k)
	}
}

// TestHTTP1KeepAliveReplayIsRefused: HTTP/1.1 resends a request carrying an
// Idempotency-Key when a reused connection dies before the answer. A money
// call must not be resent.
func TestHTTP1KeepAliveReplayIsRefused(t *testing.T) {
	var processed atomic.Int32
	srv := fake.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		processed.Add(1)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	hdr := http.Header{"Idempotency-Key": {"order-1"}}

	t.Run("stock client replays", func(t *testing.T) {
		hc := &http.Client{Transport: &http.Transport{}}
		post := func() error {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/stock", bytes.NewReader([]byte(`{}`)))
			req.Header = hdr.Clone()
			resp, err := hc.Do(req)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
			return err
		}
		require.NoError(t, post())
		srv.Fail(http.MethodPost, "/stock", fake.Fault{Kind: fake.DropAfter})
		require.NoError(t, post())
		assert.Equal(t, 3, srv.Count(http.MethodPost, "/stock"), "the dropped request was sent again")
	})

	for _, body := range [][]byte{[]byte(`{"amount":"1.00"}`), nil} {
		t.Run("money call, body "+map[bool]string{true: "set", false: "empty"}[body != nil], func(t *testing.T) {
			c := newClient(t, srv.URL, money(&http.Client{Transport: &http.Transport{}}, srv.URL))
			do := func() (*httpx.Response, error) {
				return c.Do(context.Background(), &httpx.Request{Method: http.MethodPost, Path: "/pay", Body: body, Header: hdr, Retry: httpx.RetryIfNotSent})
			}
			before := srv.Count(http.MethodPost, "/pay")
			_, err := do()
			require.NoError(t, err)
			srv.Fail(http.MethodPost, "/pay", fake.Fault{Kind: fake.DropAfter})
			_, err = do()
			require.Error(t, err)
			assert.ErrorIs(t, err, httpx.ErrOutcomeUnknown)
			assert.Equal(t, 2, srv.Count(http.MethodPost, "/pay")-before, "sent exactly once")
		})
	}
}

// TestGuardDoesNotChangeTheRequest: the guarded attempt sends the same
// bytes and headers, and a merchant's own trace still sees the attempt.
func TestGuardDoesNotChangeTheRequest(t *testing.T) {
	srv, _ := payServer(t)
	c := newClient(t, srv.URL, money(srv.Client(), srv.URL))
	body := []byte(`{"amount":"10.00","currency":"TRY"}`)
	_, err := pay(c, body)
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, body, []byte(reqs[0].Body))
	assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
}

func protoOf(t *testing.T, hc *http.Client, base string) string {
	t.Helper()
	resp, err := hc.Get(base + "/proto")
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp.Proto
}

// connectProxy starts a CONNECT proxy for the test and returns its URL.
func connectProxy(t *testing.T) *url.URL {
	t.Helper()
	p, err := fake.NewProxy()
	require.NoError(t, err)
	t.Cleanup(func() {
		p.Close()
		assert.Positive(t, p.Tunnels(), "the proxy was never used")
	})
	return p.URL()
}

// trust is a TLS configuration that trusts the fakes' certificate.
func trust(t *testing.T) *tls.Config {
	t.Helper()
	cfg, err := fake.ClientTLSConfig()
	require.NoError(t, err)
	return cfg
}
