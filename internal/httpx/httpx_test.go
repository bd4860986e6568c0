package httpx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

// fastRetry keeps retry tests quick: 2 retries, millisecond waits.
var fastRetry = httpx.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond}

func newClient(t testing.TB, base string, mut ...func(*httpx.Config, *httpx.Settings)) *httpx.Client {
	t.Helper()
	cfg := httpx.Config{Provider: "testpay", BaseURL: base}
	s := httpx.DefaultSettings()
	s.Retry = fastRetry
	for _, m := range mut {
		m(&cfg, &s)
	}
	c, err := httpx.New(cfg, s)
	require.NoError(t, err)
	return c
}

// refusedURL returns the URL of a loopback port nobody listens on.
func refusedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

func ok(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"ok":true}`))
}

type failure struct {
	name  string
	fault *fake.Fault // nil with refused
	// refused points the client at a closed port.
	refused bool
	// timeout gives the client a short timeout and the server a long hang.
	timeout bool
}

func TestRetryClassTable(t *testing.T) {
	status := func(code int) *fake.Fault {
		return &fake.Fault{Kind: fake.Status, Status: code, Body: []byte(`{"error":"x"}`)}
	}
	failures := []failure{
		{name: "dial refused", refused: true},
		{name: "reset after request written", fault: &fake.Fault{Kind: fake.DropAfter}},
		{name: "response timeout", fault: &fake.Fault{Kind: fake.Hang, Delay: 5 * time.Second}, timeout: true},
		{name: "408", fault: status(408)},
		{name: "429", fault: status(429)},
		{name: "500", fault: status(500)},
		{name: "502", fault: status(502)},
		{name: "503", fault: status(503)},
		{name: "504", fault: status(504)},
		{name: "400", fault: status(400)},
		{name: "401", fault: status(401)},
	}
	type want struct {
		received       int  // requests the server saw
		attempts       int  // attempts the client made
		outcomeUnknown bool // errors.Is(err, ErrOutcomeUnknown)
	}
	// What each class must do with each failure, every attempt failing.
	expect := map[httpx.RetryClass]map[string]want{
		httpx.RetrySafe: {
			"dial refused": {0, 3, false}, "reset after request written": {3, 3, false}, "response timeout": {3, 3, false},
			"408": {3, 3, false}, "429": {3, 3, false}, "500": {3, 3, false}, "502": {3, 3, false}, "503": {3, 3, false},
			"504": {3, 3, false}, "400": {1, 1, false}, "401": {1, 1, false},
		},
		httpx.RetryIfNotSent: {
			"dial refused": {0, 3, false}, "reset after request written": {1, 1, true}, "response timeout": {1, 1, true},
			"408": {1, 1, true}, "429": {1, 1, false}, "500": {1, 1, true}, "502": {1, 1, true}, "503": {1, 1, true},
			"504": {1, 1, true}, "400": {1, 1, false}, "401": {1, 1, false},
		},
		httpx.RetryDefault: { // an undeclared POST never retries, not even a dial failure
			"dial refused": {0, 1, false}, "reset after request written": {1, 1, false}, "response timeout": {1, 1, false},
			"408": {1, 1, false}, "429": {1, 1, false}, "500": {1, 1, false}, "502": {1, 1, false}, "503": {1, 1, false},
			"504": {1, 1, false}, "400": {1, 1, false}, "401": {1, 1, false},
		},
	}
	classNames := map[httpx.RetryClass]string{httpx.RetrySafe: "RetrySafe", httpx.RetryIfNotSent: "RetryIfNotSent", httpx.RetryDefault: "undeclared POST"}

	for class, rows := range expect {
		for _, f := range failures {
			w := rows[f.name]
			t.Run(classNames[class]+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				srv := fake.New(http.HandlerFunc(ok))
				defer srv.Close()
				base := srv.URL
				if f.refused {
					base = refusedURL(t)
				}
				if f.fault != nil {
					srv.Fail(http.MethodPost, "/pay", *f.fault, *f.fault, *f.fault)
				}
				c := newClient(t, base, func(_ *httpx.Config, s *httpx.Settings) {
					if f.timeout {
						s.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond}
					}
				})
				resp, err := c.Do(context.Background(), &httpx.Request{
					Method: http.MethodPost, Path: "/pay", Body: []byte(`{"amount":100}`), Retry: class,
				})
				require.Error(t, err)
				assert.Equal(t, w.received, srv.Count(http.MethodPost, "/pay"), "requests received by the server")
				assert.Equal(t, w.outcomeUnknown, errors.Is(err, httpx.ErrOutcomeUnknown), "outcome unknown: %v", err)
				if w.outcomeUnknown {
					assert.Contains(t, err.Error(), "outcome unknown — query before retrying")
				}

				var te *httpx.TransportError
				var se *httpx.StatusError
				switch {
				case f.refused:
					require.ErrorAs(t, err, &te)
					assert.False(t, te.Sent, "a refused dial never sent anything")
					assert.Equal(t, w.attempts, te.Attempts)
				case f.fault.Kind == fake.Status:
					require.ErrorAs(t, err, &se)
					assert.Equal(t, f.fault.Status, se.HTTPStatus)
					require.NotNil(t, resp, "the last response is kept")
					assert.Equal(t, w.attempts, resp.Attempts)
					assert.Equal(t, `{"error":"x"}`, string(se.Body))
				default:
					require.ErrorAs(t, err, &te)
					assert.True(t, te.Sent)
					assert.Equal(t, w.attempts, te.Attempts)
				}
				if f.name == "401" {
					assert.ErrorIs(t, err, httpx.ErrUnauthorized)
				}
				if f.name == "429" {
					assert.ErrorIs(t, err, httpx.ErrRateLimited)
				}
			})
		}
	}
}

func TestRetryRecoversAfterTransientFailures(t *testing.T) {
	srv := fake.New(http.HandlerFunc(ok))
	defer srv.Close()
	srv.Fail(http.MethodGet, "/status", fake.Fault{Kind: fake.Status, Status: 503}, fake.Fault{Kind: fake.Status, Status: 502})
	c := newClient(t, srv.URL)
	resp, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodGet, Path: "/status"})
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	assert.Equal(t, 3, srv.Count(http.MethodGet, "/status"))
	assert.JSONEq(t, `{"ok":true}`, string(resp.Body))
}

func TestRetryIfNotSentRetriesDialFailureThenSendsOnce(t *testing.T) {
	// The first two attempts fail to dial; the third reaches the server.
	srv := fake.New(http.HandlerFunc(ok))
	defer srv.Close()
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) <= 2 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	c := newClient(t, srv.URL, func(_ *httpx.Config, s *httpx.Settings) { s.HTTPClient = &http.Client{Transport: tr} })
	resp, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodPost, Path: "/pay", Body: []byte(`{}`), Retry: httpx.RetryIfNotSent})
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	assert.Equal(t, 1, srv.Count(http.MethodPost, "/pay"))
}

func TestRetryIfNotSentNeverRetriesWithHTTPMockReset(t *testing.T) {
	// The same promise through an httpmock transport: a reset after sending
	// is final for a money call, and a dial failure is retried.
	tr := httpmock.NewMockTransport()
	tr.RegisterResponder(http.MethodPost, "https://pay.example/pay", httpmock.NewErrorResponder(io.ErrUnexpectedEOF))
	tr.RegisterResponder(http.MethodPost, "https://pay.example/dial",
		httpmock.NewErrorResponder(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("no route to host")}))
	c := newClient(t, "https://pay.example", func(_ *httpx.Config, s *httpx.Settings) { s.HTTPClient = &http.Client{Transport: tr} })

	_, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodPost, Path: "/pay", Body: []byte(`{}`), Retry: httpx.RetryIfNotSent})
	assert.ErrorIs(t, err, httpx.ErrOutcomeUnknown)
	assert.Equal(t, 1, tr.GetCallCountInfo()["POST https://pay.example/pay"])

	_, err = c.Do(context.Background(), &httpx.Request{Method: http.MethodPost, Path: "/dial", Body: []byte(`{}`), Retry: httpx.RetryIfNotSent})
	assert.NotErrorIs(t, err, httpx.ErrOutcomeUnknown)
	assert.Equal(t, 3, tr.GetCallCountInfo()["POST https://pay.example/dial"])
}

func TestRetryAfterIsCapped(t *testing.T) {
	srv := fake.New(http.HandlerFunc(ok))
	defer srv.Close()
	hdr := http.Header{"Retry-After": {"3600"}}
	srv.Fail(http.MethodGet, "/rates", fake.Fault{Kind: fake.Status, Status: 429, Header: hdr}, fake.Fault{Kind: fake.Status, Status: 429, Header: hdr})
	c := newClient(t, srv.URL, func(_ *httpx.Config, s *httpx.Settings) {
		s.Retry = httpx.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond}
	})
	// Were the hour honoured, the deadline would end the call with an error.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := c.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: "/rates"})
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
}

func TestCancelDuringBackoffReturnsPromptly(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		arrived <- struct{}{}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, func(_ *httpx.Config, s *httpx.Settings) {
		s.Retry = httpx.RetryPolicy{MaxRetries: 2, MinWait: time.Hour, MaxWait: time.Hour}
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, err := c.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: "/slow"})
	require.ErrorIs(t, err, context.Canceled)
}

type providerError struct {
	Status int
	Code   string
}

func (e *providerError) Error() string { return fmt.Sprintf("testpay: %s (HTTP %d)", e.Code, e.Status) }

func TestExhaustedRetryKeepsProviderErrorBody(t *testing.T) {
	srv := fake.New(http.HandlerFunc(ok))
	defer srv.Close()
	body := []byte(`{"code":"GATEWAY_BUSY","message":"try later"}`)
	f := fake.Fault{Kind: fake.Status, Status: 503, Body: body}
	srv.Fail(http.MethodGet, "/orders/1", f, f, f)
	c := newClient(t, srv.URL, func(cfg *httpx.Config, _ *httpx.Settings) {
		cfg.DecodeError = func(r *httpx.Response) error {
			if r.StatusCode < 300 {
				return nil
			}
			var env struct{ Code string }
			if err := json.Unmarshal(r.Body, &env); err != nil {
				return err
			}
			return &providerError{Status: r.StatusCode, Code: env.Code}
		}
	})
	resp, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodGet, Path: "/orders/1"})
	var pe *providerError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "GATEWAY_BUSY", pe.Code)
	assert.Equal(t, 503, pe.Status)
	assert.Equal(t, 3, resp.Attempts)
	assert.Equal(t, 3, srv.Count(http.MethodGet, "/orders/1"))
}

func TestHostileHugeResponseIsBoundedAndTyped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		chunk := bytes.Repeat([]byte("A"), 64<<10)
		for i := 0; i < 1600; i++ { // 100 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodPost, Path: "/pay", Body: []byte(`{}`), Retry: httpx.RetryIfNotSent})
	runtime.ReadMemStats(&after)

	require.ErrorIs(t, err, httpx.ErrResponseTooLarge)
	assert.ErrorIs(t, err, httpx.ErrOutcomeUnknown, "an unreadable reply to a money call leaves its outcome unknown")
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(16<<20), "reading a 100 MiB reply must not buffer it")
}

func TestMalformedAndDeeplyNestedJSONAreTyped(t *testing.T) {
	var v map[string]any
	for name, body := range map[string]string{
		"truncated":   `{"data": {"id": 1`,
		"not json":    `<html>gateway error</html>`,
		"deep":        strings.Repeat("[", 100000) + strings.Repeat("]", 100000),
		"wrong type":  `["a list"]`,
		"invalid utf": "{\"a\":\"\xff\xfe\"}x",
	} {
		err := httpx.DecodeJSON("testpay", []byte(body), &v)
		require.Error(t, err, name)
		assert.ErrorIs(t, err, httpx.ErrMalformedResponse, name)
		var de *httpx.DecodeError
		assert.ErrorAs(t, err, &de, name)
		assert.NotContains(t, err.Error(), "gateway error", "errors never quote the body")
	}
}

func TestSequentialCallsReuseOneConnection(t *testing.T) {
	var conns atomic.Int32
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		switch n.Add(1) % 3 {
		case 0:
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":"boom"}`))
		case 1:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"bad"}`))
		default:
			ok(w, nil)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := newClient(t, srv.URL, func(_ *httpx.Config, s *httpx.Settings) { s.Retry.MaxRetries = 0 })
	errs := 0
	for i := 0; i < 1000; i++ {
		_, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodPost, Path: "/pay", Body: []byte(`{}`), Retry: httpx.RetryIfNotSent})
		if err != nil {
			errs++
		}
	}
	assert.Equal(t, 667, errs, "calls 1, 3, 4, 6, … fail: 334 with 400 and 333 with 500")
	assert.Equal(t, int32(1), conns.Load(), "1000 calls, errors included, on one TCP connection")
}

func TestSignHookSeesExactBytesAndRunsPerAttempt(t *testing.T) {
	srv := fake.New(http.HandlerFunc(ok))
	defer srv.Close()
	srv.Fail(http.MethodGet, "/q", fake.Fault{Kind: fake.Status, Status: 502})
	c := newClient(t, srv.URL)
	var calls atomic.Int32
	body := []byte(`{"name":"Zeytinyağı <&>"}`)
	_, err := c.Do(context.Background(), &httpx.Request{
		Method: http.MethodGet, Path: "/q", Body: body,
		Query: map[string][]string{"name": {"Zeytinyağı Üretim"}},
		Sign: func(r *http.Request, b []byte) error {
			assert.Equal(t, body, b)
			assert.Equal(t, srv.URL+"/q?name=Zeytinya%C4%9F%C4%B1%20%C3%9Cretim", r.URL.String())
			r.Header.Set("X-Sig", fmt.Sprint(calls.Add(1)))
			return nil
		},
	})
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	for i, r := range reqs {
		assert.Equal(t, body, []byte(r.Body), "the bytes signed are the bytes sent")
		assert.Equal(t, fmt.Sprint(i+1), r.Header.Get("X-Sig"), "signed afresh for every attempt")
		assert.Equal(t, "paywidget-go/"+httpx.Version+" testpay", r.Header.Get("User-Agent"))
	}
}

func TestSignErrorStopsBeforeSending(t *testing.T) {
	srv := fake.New(http.HandlerFunc(ok))
	defer srv.Close()
	c := newClient(t, srv.URL)
	boom := errors.New("no key")
	_, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodPost, Path: "/pay", Sign: func(*http.Request, []byte) error { return boom }})
	require.ErrorIs(t, err, boom)
	assert.Empty(t, srv.Requests())
}

func TestCallerClientIsCopiedNotMutated(t *testing.T) {
	tr := &http.Transport{}
	jar := http.Client{}.Jar
	caller := &http.Client{Transport: tr, Timeout: 7 * time.Second, Jar: jar}
	snapshot := *caller
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		ok(w, r)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, func(_ *httpx.Config, s *httpx.Settings) { s.HTTPClient = caller })
	resp, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodGet, Path: "/moved"})
	var se *httpx.StatusError
	require.ErrorAs(t, err, &se, "redirects are returned, not followed")
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Same(t, snapshot.Transport, caller.Transport)
	assert.Nil(t, caller.CheckRedirect)
	assert.Equal(t, 7*time.Second, caller.Timeout)
}

func TestFollowRedirectsWhenProviderAllows(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/here", http.StatusFound)
			return
		}
		ok(w, r)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, func(cfg *httpx.Config, _ *httpx.Settings) { cfg.FollowRedirects = true })
	resp, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodGet, Path: "/moved"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestNewRejectsBadBaseURLAndOptions(t *testing.T) {
	_, err := httpx.New(httpx.Config{Provider: "p", BaseURL: "not a url"}, httpx.DefaultSettings())
	assert.Error(t, err)
	s := httpx.DefaultSettings()
	assert.Error(t, s.Apply([]httpx.Option{httpx.WithHTTPClient(nil)}))
	assert.Error(t, s.Apply([]httpx.Option{httpx.WithRetry(httpx.RetryPolicy{MaxRetries: -1})}))
	assert.Error(t, s.Apply([]httpx.Option{httpx.WithBaseURL("ftp://x")}))
	assert.Error(t, s.Apply([]httpx.Option{httpx.WithUserAgent("a\r\nX-Evil: 1")}))
	assert.Error(t, s.Apply([]httpx.Option{httpx.WithMaxResponseBytes(0)}))
	require.NoError(t, s.Apply([]httpx.Option{httpx.WithBaseURL("http://127.0.0.1:9/"), httpx.WithoutRetries(), httpx.WithUserAgent("shop/1")}))
	assert.Equal(t, "http://127.0.0.1:9", s.BaseURL)
	assert.Equal(t, 0, s.Retry.MaxRetries)
}

// TestRedaction runs successes, retries and failures with a debug logger
// and checks that no secret reaches the log or an error string.
func TestRedaction(t *testing.T) {
	const (
		apiKey    = "sk_live_SECRETKEY123"
		bearer    = "tok_BEARER_456"
		signature = "c2lnbmF0dXJlLXNlY3JldA=="
		card      = "4111111111111111"
		// Not a bare "737": three digits turn up in log timestamps and
		// durations by chance (TestRedaction failed 1 run in 12 that way).
		cvv = "cvv-737"
	)
	srv := fake.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-1")
		switch r.URL.Path {
		case "/fail":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"bad card ` + card + `","cvv":"` + cvv + `"}`))
		default:
			_, _ = w.Write([]byte(`{"token":"` + bearer + `"}`))
		}
	}))
	defer srv.Close()
	srv.Fail(http.MethodGet, "/retry", fake.Fault{Kind: fake.Status, Status: 503, Body: []byte(signature)})
	srv.Fail(http.MethodPost, "/drop", fake.Fault{Kind: fake.DropAfter})

	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, srv.URL, func(_ *httpx.Config, s *httpx.Settings) { s.Logger = logger })

	var errs []string
	body := []byte(`{"pan":"` + card + `","cvv":"` + cvv + `"}`)
	sign := func(r *http.Request, _ []byte) error {
		r.Header.Set("Authorization", "Bearer "+bearer)
		r.Header.Set("X-Signature", signature)
		return nil
	}
	q := map[string][]string{"api_key": {apiKey}}
	for _, r := range []*httpx.Request{
		{Method: http.MethodPost, Path: "/ok", Query: q, Body: body, Sign: sign, Retry: httpx.RetryIfNotSent},
		{Method: http.MethodGet, Path: "/retry", Query: q, Sign: sign},
		{Method: http.MethodPost, Path: "/fail", Query: q, Body: body, Sign: sign, Retry: httpx.RetryIfNotSent},
		{Method: http.MethodPost, Path: "/drop", Query: q, Body: body, Sign: sign, Retry: httpx.RetryIfNotSent},
	} {
		if _, err := c.Do(context.Background(), r); err != nil {
			errs = append(errs, err.Error(), fmt.Sprintf("%+v", err))
		}
	}
	refused := newClient(t, refusedURL(t), func(_ *httpx.Config, s *httpx.Settings) { s.Logger = logger })
	_, err := refused.Do(context.Background(), &httpx.Request{Method: http.MethodGet, Path: "/x", Query: q, Sign: sign})
	require.Error(t, err)
	errs = append(errs, err.Error())

	require.Len(t, errs, 5, "a 400 and a drop (each printed twice) and a refused dial; the retried GET succeeds")
	out := logs.String() + strings.Join(errs, "\n")
	require.Contains(t, logs.String(), `"path":"/retry"`, "the log names the path")
	require.Contains(t, logs.String(), `"status":503`)
	require.Contains(t, logs.String(), `"attempt":2`)
	for _, s := range []string{apiKey, bearer, signature, card, cvv, "api_key"} {
		assert.NotContains(t, out, s)
	}
}

func TestConcurrentUseIsSafe(t *testing.T) {
	srv := fake.New(http.HandlerFunc(ok))
	defer srv.Close()
	c := newClient(t, srv.URL)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := c.Do(context.Background(), &httpx.Request{
				Method: http.MethodPost, Path: "/pay", Body: []byte(fmt.Sprintf(`{"n":%d}`, i)), Retry: httpx.RetryIfNotSent,
				Sign: func(r *http.Request, b []byte) error { r.Header.Set("X-Body", string(b)); return nil },
			})
			assert.NoError(t, err)
		}(i)
	}
	wg.Wait()
	for _, r := range srv.Requests() {
		assert.Equal(t, string(r.Body), r.Header.Get("X-Body"), "each request keeps its own headers")
	}
	assert.Len(t, srv.Requests(), 50)
}

func TestOutcomeUnknownWraps(t *testing.T) {
	require.NoError(t, httpx.OutcomeUnknown("p", nil))
	base := &httpx.DecodeError{Provider: "p", Into: "x", Err: errors.New("bad")}
	err := httpx.OutcomeUnknown("p", base)
	require.ErrorIs(t, err, httpx.ErrOutcomeUnknown)
	require.ErrorIs(t, err, httpx.ErrMalformedResponse)
	var de *httpx.DecodeError
	require.ErrorAs(t, err, &de)
	require.Equal(t, err, httpx.OutcomeUnknown("p", err), "wrapping twice must not nest")
	require.Contains(t, err.Error(), "query before retrying")
}

func TestBearerAndCallHeaders(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)
	callHeader := http.Header{"X-Reference-Id": {"ref-1"}, "User-Agent": {"spoofed"}}
	_, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodGet, Path: "/x", Bearer: "tok-1", Header: callHeader})
	require.NoError(t, err)
	assert.Equal(t, "Bearer tok-1", got.Get("Authorization"))
	assert.Equal(t, "ref-1", got.Get("X-Reference-Id"))
	assert.True(t, strings.HasPrefix(got.Get("User-Agent"), "paywidget-go/"), "a call cannot replace the User-Agent")
	assert.Equal(t, http.Header{"X-Reference-Id": {"ref-1"}, "User-Agent": {"spoofed"}}, callHeader, "the call's header is not modified")
}
