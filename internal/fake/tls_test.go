package fake_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/fake"
)

func tlsServer(t *testing.T) (*fake.Server, *atomic.Int32, *atomic.Value) {
	t.Helper()
	var processed atomic.Int32
	var state atomic.Value
	srv, err := fake.NewTLS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		processed.Add(1)
		if r.TLS != nil {
			state.Store(r.TLS.NegotiatedProtocol)
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv, &processed, &state
}

func TestTLSNegotiatesHTTP2AndFallsBackToHTTP1(t *testing.T) {
	srv, _, state := tlsServer(t)
	require.True(t, strings.HasPrefix(srv.URL, "https://"))

	resp, err := srv.Client().Get(srv.URL + "/a")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, "HTTP/2.0", resp.Proto)
	assert.Equal(t, "h2", state.Load(), "the handler sees the client's TLS state through the relay")

	// A merchant transport with its own TLS config and no ForceAttemptHTTP2
	// speaks HTTP/1.1 to the same fake.
	h1 := &http.Client{Transport: &http.Transport{TLSClientConfig: trust(t)}}
	resp, err = h1.Get(srv.URL + "/b")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, "HTTP/1.1", resp.Proto)

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "HTTP/2.0", reqs[0].Proto)
	assert.Equal(t, "HTTP/1.1", reqs[1].Proto)

	// An untrusting client is refused: the certificate is the fake's own.
	_, err = (&http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}).Get(srv.URL)
	require.Error(t, err)
}

func TestStartTLSMovesAPlainServer(t *testing.T) {
	srv := fake.New(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("x")) }))
	defer srv.Close()
	plain := srv.URL
	srv.Fail(http.MethodGet, "/a", fake.Fault{Kind: fake.Status, Status: 503})
	require.NoError(t, srv.StartTLS())
	require.True(t, strings.HasPrefix(srv.URL, "https://"))
	resp, err := srv.Client().Get(srv.URL + "/a")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 503, resp.StatusCode, "faults queued before StartTLS are kept")
	_, err = (&http.Client{Timeout: time.Second}).Get(plain)
	assert.Error(t, err, "the plain listener is closed")
}

// TestHTTP2FrameFaults posts without GetBody, so that net/http's HTTP/2
// client cannot resend, and reads which frame the fake sent.
func TestHTTP2FrameFaults(t *testing.T) {
	for _, tc := range []struct {
		kind      fake.Kind
		text      string
		processed int32
	}{
		{fake.ResetProtocol, "PROTOCOL_ERROR", 1},
		{fake.ResetInternal, "INTERNAL_ERROR", 1},
		{fake.GoAwayAfter, "GOAWAY", 1},
		{fake.RefusedStream, "REFUSED_STREAM", 0},
		{fake.GoAwayBefore, "graceful shutdown GOAWAY", 0},
		{fake.DropBefore, "", 0},
		{fake.DropAfter, "", 1},
	} {
		srv, processed, _ := tlsServer(t)
		srv.Fail(http.MethodPost, "/pay", fake.Fault{Kind: tc.kind})
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/pay", io.NopCloser(strings.NewReader(`{"a":1}`)))
		require.NoError(t, err)
		require.Nil(t, req.GetBody)
		resp, err := srv.Client().Do(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			_ = resp.Body.Close()
		}
		require.Error(t, err, "kind %d", tc.kind)
		assert.Contains(t, err.Error(), tc.text, "kind %d", tc.kind)
		assert.Equal(t, tc.processed, processed.Load(), "kind %d", tc.kind)
		assert.Equal(t, 1, srv.Count(http.MethodPost, "/pay"), "kind %d", tc.kind)
		// The fake keeps serving after the fault.
		resp, err = srv.Client().Get(srv.URL + "/after")
		require.NoError(t, err, "kind %d", tc.kind)
		_ = resp.Body.Close()
	}
}

func TestTruncateOverHTTP2(t *testing.T) {
	srv, processed, _ := tlsServer(t)
	srv.Fail(http.MethodGet, "/a", fake.Fault{Kind: fake.Truncate})
	resp, err := srv.Client().Get(srv.URL + "/a")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "HTTP/2.0", resp.Proto)
	assert.EqualValues(t, len(`{"ok":true}`), resp.ContentLength)
	_, err = io.ReadAll(resp.Body)
	assert.Error(t, err)
	assert.Equal(t, int32(1), processed.Load())
}

func TestHTTP2KindsOverHTTP1HangUp(t *testing.T) {
	srv, processed, _ := tlsServer(t)
	h1 := &http.Client{Transport: &http.Transport{TLSClientConfig: trust(t)}}
	srv.Fail(http.MethodPost, "/pay", fake.Fault{Kind: fake.ResetProtocol}, fake.Fault{Kind: fake.RefusedStream})
	for _, want := range []int32{1, 1} {
		resp, err := h1.Post(srv.URL+"/pay", "application/json", io.NopCloser(strings.NewReader(`{}`)))
		if err == nil {
			_ = resp.Body.Close()
		}
		require.Error(t, err)
		assert.Equal(t, want, processed.Load())
	}
}

func TestProxyTunnels(t *testing.T) {
	srv, _, _ := tlsServer(t)
	p, err := fake.NewProxy()
	require.NoError(t, err)
	defer p.Close()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: trust(t), ForceAttemptHTTP2: true, Proxy: http.ProxyURL(p.URL())}}
	resp, err := hc.Get(srv.URL + "/a")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, "HTTP/2.0", resp.Proto)
	assert.Equal(t, 1, p.Tunnels())
	// A plain request to the proxy is not forwarded.
	resp, err = (&http.Client{Transport: &http.Transport{}}).Get(p.URL().String() + "/x")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

// trust is a TLS configuration that trusts the fakes' certificate.
func trust(t *testing.T) *tls.Config {
	t.Helper()
	cfg, err := fake.ClientTLSConfig()
	require.NoError(t, err)
	return cfg
}

// A GOAWAY after processing names every stream the client opened as
// received: another request in flight on the connection, which the server
// may have processed, is not retried by the client as unprocessed (the
// fake once named only the faulted stream, and an HTTP/2 client re-sent
// the later one: a second charge the fake caused, not the client).
func TestGoAwayAfterDoesNotClaimLaterStreamsUnprocessed(t *testing.T) {
	var others atomic.Int32
	srv, err := fake.NewTLS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/pay":
			time.Sleep(300 * time.Millisecond) // the other stream opens meanwhile
		case "/other":
			others.Add(1)
			time.Sleep(600 * time.Millisecond) // still in flight at the GOAWAY
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	srv.Fail(http.MethodPost, "/pay", fake.Fault{Kind: fake.GoAwayAfter})
	cfg, err := fake.ClientTLSConfig()
	require.NoError(t, err)
	tr := &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	// One connection for both: warm it up first.
	resp, err := hc.Get(srv.URL + "/warm")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "HTTP/2.0", resp.Proto)

	done := make(chan error, 1)
	go func() {
		resp, err := hc.Post(srv.URL+"/pay", "application/json", strings.NewReader(`{}`))
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	resp, err = hc.Get(srv.URL + "/other")
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, <-done, "the faulted request got an answer")
	assert.Equal(t, int32(1), others.Load(), "the request in flight at the GOAWAY was processed %d times", others.Load())
}

// Frame faults on several connections at once each reach their own stream:
// a stream refused unprocessed on one connection is never played on another
// connection's processed stream (which its client would then re-send).
func TestHTTP2FaultsOnConcurrentConnectionsKeepToTheirStreams(t *testing.T) {
	var processed atomic.Int32
	srv, err := fake.NewTLS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/processed" {
			processed.Add(1)
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	cfg, err := fake.ClientTLSConfig()
	require.NoError(t, err)
	client := func() *http.Client {
		tr := &http.Transport{TLSClientConfig: cfg.Clone(), ForceAttemptHTTP2: true} // a transport writes to its config
		t.Cleanup(tr.CloseIdleConnections)
		return &http.Client{Transport: tr, Timeout: 5 * time.Second}
	}
	const rounds = 200
	a, b := client(), client()
	for range rounds {
		srv.Fail(http.MethodGet, "/processed", fake.Fault{Kind: fake.ResetInternal})
		srv.Fail(http.MethodGet, "/refused", fake.Fault{Kind: fake.RefusedStream})
		var wg sync.WaitGroup
		for _, c := range []struct {
			hc   *http.Client
			path string
		}{{a, "/processed"}, {b, "/refused"}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if resp, err := c.hc.Get(srv.URL + c.path); err == nil {
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
	}
	assert.Equal(t, int32(rounds), processed.Load(), "a processed stream was reset as refused and re-sent")
}
