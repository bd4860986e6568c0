package httpx_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

// The tests below give httpx a merchant's http.Client whose transport
// retries by itself, and check that a money call still reaches the provider
// at most once: the resend is stopped before it is written and the call
// reports an outcome unknown naming the cause.

// resender is a hand-written retrying transport, as merchants write them:
// it buffers the body and sends a clone of the request again (same
// context) after a transport error or a 5xx, up to three times. With
// keepFirst it returns the first reply when a later try fails.
type resender struct {
	inner     http.RoundTripper
	keepFirst bool
	tries     atomic.Int32
}

func (r *resender) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
	}
	var first *http.Response
	var resp *http.Response
	var err error
	for range 3 {
		r.tries.Add(1)
		clone := req.Clone(req.Context())
		if body != nil {
			clone.Body = io.NopCloser(bytes.NewReader(body))
		}
		resp, err = r.inner.RoundTrip(clone)
		if err == nil && resp.StatusCode < 500 {
			return resp, nil
		}
		if err == nil {
			if first == nil && r.keepFirst {
				b, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				resp.Body = io.NopCloser(bytes.NewReader(b))
				first = resp
			} else {
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		}
	}
	if first != nil {
		return first, nil
	}
	return resp, err
}

// retrying builds the merchant's retrying clients over inner.
var retrying = map[string]func(inner *http.Client) (*http.Client, *atomic.Int32){
	"retryablehttp.RoundTripper": func(inner *http.Client) (*http.Client, *atomic.Int32) {
		var tries atomic.Int32
		rc := retryablehttp.NewClient()
		rc.HTTPClient = inner
		rc.Logger = nil
		rc.RetryWaitMin, rc.RetryWaitMax = time.Millisecond, 2*time.Millisecond
		rc.RequestLogHook = func(retryablehttp.Logger, *http.Request, int) { tries.Add(1) }
		return &http.Client{Timeout: 5 * time.Second, Transport: &retryablehttp.RoundTripper{Client: rc}}, &tries
	},
	"hand-written resender": func(inner *http.Client) (*http.Client, *atomic.Int32) {
		r := &resender{inner: inner.Transport}
		return &http.Client{Timeout: 5 * time.Second, Transport: r}, &r.tries
	},
	"resender returning the first reply": func(inner *http.Client) (*http.Client, *atomic.Int32) {
		r := &resender{inner: inner.Transport, keepFirst: true}
		return &http.Client{Timeout: 5 * time.Second, Transport: r}, &r.tries
	},
}

// wires are the fakes and the merchant's inner clients for them.
var wires = []struct {
	name  string
	proto string
	start func(t *testing.T, h http.Handler) (*fake.Server, *http.Client)
	// reset is a fault after the request was processed on this wire.
	reset fake.Kind
}{
	{"HTTP/1.1", "HTTP/1.1", func(t *testing.T, h http.Handler) (*fake.Server, *http.Client) {
		srv := fake.New(h)
		t.Cleanup(srv.Close)
		return srv, &http.Client{Transport: &http.Transport{}}
	}, fake.DropAfter},
	{"HTTP/2 TLS", "HTTP/2.0", func(t *testing.T, h http.Handler) (*fake.Server, *http.Client) {
		srv, err := fake.NewTLS(h)
		require.NoError(t, err)
		t.Cleanup(srv.Close)
		return srv, &http.Client{Transport: &http.Transport{TLSClientConfig: trust(t), ForceAttemptHTTP2: true}}
	}, fake.ResetInternal},
}

func TestRetryingTransportNeverResendsAMoneyCall(t *testing.T) {
	for _, w := range wires {
		for rname, mk := range retrying {
			for _, fl := range []struct {
				name string
				f    fake.Fault
			}{
				{"502", fake.Fault{Kind: fake.Status, Status: 502}},
				{"reset after processing", fake.Fault{Kind: w.reset}},
			} {
				for _, body := range [][]byte{[]byte(`{"amount":"10.00"}`), nil} {
					name := w.name + "/" + rname + "/" + fl.name + "/with body"
					if body == nil {
						name = w.name + "/" + rname + "/" + fl.name + "/no body"
					}
					t.Run(name, func(t *testing.T) {
						var processed atomic.Int32
						srv, inner := w.start(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
							if r.Method == http.MethodPost {
								processed.Add(1)
							}
							rw.Header().Set("Content-Type", "application/json")
							_, _ = rw.Write([]byte(`{"ok":true}`))
						}))
						hc, tries := mk(inner)
						c := newClient(t, srv.URL, money(hc, srv.URL))
						// A first payment warms the connection, so that the
						// resend would go out on a reused one.
						_, err := pay(c, body)
						require.NoError(t, err)
						tries.Store(0)

						srv.Fail(http.MethodPost, "/pay", fl.f)
						_, err = pay(c, body)
						require.Error(t, err)
						assert.ErrorIs(t, err, httpx.ErrOutcomeUnknown)
						assert.Contains(t, err.Error(), "the client's transport re-sends requests")
						var te *httpx.TransportError
						require.ErrorAs(t, err, &te)
						assert.True(t, te.Sent)
						assert.Equal(t, 1, te.Attempts, "httpx itself made one attempt")
						assert.GreaterOrEqual(t, tries.Load(), int32(2), "the transport did try to send it again")
						assert.Equal(t, 2, srv.Count(http.MethodPost, "/pay"), "the faulted payment reached the provider exactly once")
						if fl.f.Kind != fake.Status {
							assert.Equal(t, int32(2), processed.Load())
						}

						// The client goes on working: the next payment is
						// sent once and succeeds.
						_, err = pay(c, body)
						require.NoError(t, err)
						assert.Equal(t, 3, srv.Count(http.MethodPost, "/pay"))
						for _, r := range srv.Requests() {
							assert.Equal(t, w.proto, r.Proto)
						}
					})
				}
			}
		}
	}
}

// TestRetryingTransportStillRetriesSafeCalls: the guard is only on money
// calls; a read through the merchant's retrying transport is retried by it.
func TestRetryingTransportStillRetriesSafeCalls(t *testing.T) {
	for _, w := range wires {
		for rname, mk := range retrying {
			t.Run(w.name+"/"+rname, func(t *testing.T) {
				srv, inner := w.start(t, http.HandlerFunc(ok))
				hc, _ := mk(inner)
				c := newClient(t, srv.URL, money(hc, srv.URL))
				srv.Fail(http.MethodGet, "/q", fake.Fault{Kind: fake.Status, Status: 502})
				resp, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodGet, Path: "/q", Retry: httpx.RetrySafe})
				require.NoError(t, err)
				assert.Equal(t, 1, resp.Attempts, "the transport retried, within one attempt of httpx")
				assert.Equal(t, 2, srv.Count(http.MethodGet, "/q"))
			})
		}
	}
}

// TestRefusedResendSparesOtherStreams: on HTTP/2 the connection is shared;
// stopping one call's resend must not break another caller's stream on it.
func TestRefusedResendSparesOtherStreams(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	srv, inner := wires[1].start(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
		}
		ok(rw, r)
	}))
	hc, _ := retrying["retryablehttp.RoundTripper"](inner)
	c := newClient(t, srv.URL, money(hc, srv.URL))
	_, err := pay(c, []byte(`{}`))
	require.NoError(t, err)

	slow := make(chan error, 1)
	go func() {
		_, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodGet, Path: "/slow", Retry: httpx.RetryNever})
		slow <- err
	}()
	<-started
	srv.Fail(http.MethodPost, "/pay", fake.Fault{Kind: fake.Status, Status: 502})
	_, err = pay(c, []byte(`{}`))
	require.ErrorIs(t, err, httpx.ErrOutcomeUnknown)
	close(release)
	require.NoError(t, <-slow, "the other stream on the connection completes")
	assert.Equal(t, 1, srv.Count(http.MethodGet, "/slow"))
	assert.Equal(t, 2, srv.Count(http.MethodPost, "/pay"))
	for _, r := range srv.Requests() {
		assert.Equal(t, "HTTP/2.0", r.Proto)
	}
}

// TestClientTimeoutBoundsEachAttemptAndItsBody: the merchant's
// http.Client.Timeout, which httpx applies per attempt as a context
// deadline, still covers the whole reply, a body that stalls included, and
// reads as a timeout.
func TestClientTimeoutBoundsEachAttemptAndItsBody(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		w.Header().Set("Content-Length", "100")
		_, _ = w.Write([]byte(`{"ok":`))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	hc := &http.Client{Timeout: 150 * time.Millisecond}
	c := newClient(t, srv.URL, money(hc, srv.URL))
	for _, class := range []httpx.RetryClass{httpx.RetryIfNotSent, httpx.RetrySafe} {
		_, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodPost, Path: "/pay", Body: []byte(`{}`), Retry: class})
		require.Error(t, err)
		// Without the deadline the body would end short after 5 s: an
		// unexpected EOF, not a timeout.
		var ne interface{ Timeout() bool }
		require.ErrorAs(t, err, &ne)
		assert.True(t, ne.Timeout())
		assert.Contains(t, err.Error(), "timeout")
		assert.Equal(t, class == httpx.RetryIfNotSent, errors.Is(err, httpx.ErrOutcomeUnknown))
	}
	assert.Equal(t, 150*time.Millisecond, hc.Timeout, "the caller's client is not changed")
	assert.Equal(t, int32(1+3), posts.Load(), "the money call once, the safe call with its two retries")
}

// TestRefusedResendSparesOtherStreamsWithoutTLS: HTTP/2 without TLS (h2c)
// shares a plain TCP connection, which the guard must tell from an HTTP/1
// one by who took it.
func TestRefusedResendSparesOtherStreamsWithoutTLS(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	var posts atomic.Int32
	var fail atomic.Bool
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "HTTP/2.0", r.Proto)
		switch {
		case r.URL.Path == "/slow":
			close(started)
			<-release
		case r.Method == http.MethodPost:
			posts.Add(1)
			if fail.Swap(false) {
				rw.WriteHeader(http.StatusBadGateway)
				return
			}
		}
		ok(rw, r)
	}))
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	t.Cleanup(srv.Close)
	inner := &http.Client{Transport: &http.Transport{Protocols: new(http.Protocols)}}
	inner.Transport.(*http.Transport).Protocols.SetUnencryptedHTTP2(true)
	hc, _ := retrying["hand-written resender"](inner)
	c := newClient(t, srv.URL, money(hc, srv.URL))
	_, err := pay(c, []byte(`{}`))
	require.NoError(t, err)

	slow := make(chan error, 1)
	go func() {
		_, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodGet, Path: "/slow", Retry: httpx.RetryNever})
		slow <- err
	}()
	<-started
	fail.Store(true)
	_, err = pay(c, []byte(`{}`))
	require.ErrorIs(t, err, httpx.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "re-sends requests")
	close(release)
	require.NoError(t, <-slow, "the other stream on the connection completes")
	assert.Equal(t, int32(2), posts.Load(), "the failed payment was received once")
}
