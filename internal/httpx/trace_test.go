package httpx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// spanRec is a Tracer that keeps starts and ends, and names each span's
// parent through the context it returns.
type spanRec struct {
	mu     sync.Mutex
	starts []httpx.TraceCallStartData
	parent []int
	ends   map[int]httpx.TraceCallEndData
	nilCtx bool // return a nil context from TraceCallStart
}

type recID struct{}

func (r *spanRec) TraceCallStart(ctx context.Context, d httpx.TraceCallStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, _ := ctx.Value(recID{}).(int)
	r.starts = append(r.starts, d)
	r.parent = append(r.parent, p)
	if r.nilCtx {
		return nil
	}
	return context.WithValue(ctx, recID{}, len(r.starts))
}

func (r *spanRec) TraceCallEnd(ctx context.Context, d httpx.TraceCallEndData) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ends == nil {
		r.ends = map[int]httpx.TraceCallEndData{}
	}
	id, _ := ctx.Value(recID{}).(int)
	if _, dup := r.ends[id]; dup {
		panic("two ends for one span")
	}
	r.ends[id] = d
}

func withTracer(t httpx.Tracer) func(*httpx.Config, *httpx.Settings) {
	return func(_ *httpx.Config, s *httpx.Settings) {
		if err := s.Apply([]httpx.Option{httpx.WithTracer(t)}); err != nil {
			panic(err)
		}
	}
}

// TestTraceOffAllocatesNothing: without a tracer, opening and ending a span
// returns the caller's context unchanged and allocates nothing.
func TestTraceOffAllocatesNothing(t *testing.T) {
	c := newClient(t, "http://pay.example")
	ctx := context.Background()
	var err error
	allocs := testing.AllocsPerRun(1000, func() {
		got, sp := c.Trace(ctx, "testpay.Pay", "order-1")
		if got != ctx || sp != nil {
			t.Fatal("Trace without a tracer changed the context")
		}
		err = errors.New("x")
		sp.End(&err)
	})
	// errors.New is the one allocation of the loop body itself.
	assert.Equal(t, 1.0, allocs, "Trace and End without a tracer must not allocate")
}

// TestTraceNestsAndCountsOwnAttempts: a call's span counts its own attempts
// and reply; a call made inside it gets its own span, whose parent is the
// outer one, with its own attempts (a 503 retried: 2).
func TestTraceNestsAndCountsOwnAttempts(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/inner" && n.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("X-Request-Id", "req-"+r.URL.Path[1:])
		ok(w, r)
	}))
	defer srv.Close()
	rec := &spanRec{}
	c := newClient(t, srv.URL, withTracer(rec))

	outer := func(ctx context.Context) (err error) {
		ctx, sp := c.Trace(ctx, "testpay.Outer", "order-9")
		defer sp.End(&err)
		inner := func(ctx context.Context) (err error) {
			ctx, sp := c.Trace(ctx, "testpay.token", "")
			defer sp.End(&err)
			_, err = c.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: "/inner"})
			return err
		}
		if err := inner(ctx); err != nil {
			return err
		}
		_, err = c.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: "/outer", Body: []byte(`{}`), Retry: httpx.RetryIfNotSent})
		return err
	}
	require.NoError(t, outer(context.Background()))

	require.Len(t, rec.starts, 2)
	assert.Equal(t, httpx.TraceCallStartData{Provider: "testpay", Operation: "testpay.Outer", Reference: "order-9"}, rec.starts[0])
	assert.Equal(t, "testpay.token", rec.starts[1].Operation)
	assert.Equal(t, []int{0, 1}, rec.parent, "the inner span starts from the context the outer start returned")
	require.Len(t, rec.ends, 2)
	o, i := rec.ends[1], rec.ends[2]
	assert.Equal(t, 1, o.Attempts, "the outer call's own attempts only")
	assert.Equal(t, 200, o.StatusCode)
	assert.Equal(t, "req-outer", o.RequestID)
	assert.Equal(t, 2, i.Attempts, "the 503 and its retry")
	assert.Equal(t, 200, i.StatusCode)
	assert.Equal(t, "req-inner", i.RequestID)
	assert.Equal(t, "order-9", o.Reference)
	assert.Empty(t, o.Class)
	assert.NoError(t, o.Err)
	assert.GreaterOrEqual(t, o.Duration, i.Duration)
}

// TestTraceClasses drives real failures through Do and checks the class
// each span ends with, a composite call (no reply of its own) taking its
// nested call's class.
func TestTraceClasses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/refuse":
			w.WriteHeader(http.StatusBadRequest)
		case "/broken":
			_, _ = w.Write([]byte(`{`))
		case "/down":
			w.WriteHeader(http.StatusBadGateway)
		default:
			ok(w, r)
		}
	}))
	defer srv.Close()
	decode := func(c *httpx.Config, _ *httpx.Settings) {
		c.DecodeError = func(r *httpx.Response) error {
			if r.StatusCode >= 400 {
				return errors.New("provider says no")
			}
			return nil
		}
	}
	rec := &spanRec{}
	c := newClient(t, srv.URL, withTracer(rec), decode)
	dead := newClient(t, refusedURL(t), withTracer(rec))
	call := func(c *httpx.Client, ctx context.Context, path string, class httpx.RetryClass) (err error) {
		ctx, sp := c.Trace(ctx, "testpay.Call", "")
		defer sp.End(&err)
		if path == "" {
			return httpx.Invalid("testpay", "amount", "required")
		}
		resp, err := c.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: path, Body: []byte(`{}`), Retry: class})
		if err != nil {
			return err
		}
		var v struct{ OK bool }
		if err := httpx.DecodeJSON("testpay", resp.Body, &v); err != nil {
			if class == httpx.RetryIfNotSent {
				return httpx.OutcomeUnknown("testpay", err)
			}
			return err
		}
		return nil
	}
	composite := func(ctx context.Context, path string) (err error) {
		ctx, sp := c.Trace(ctx, "testpay.CallOnce", "")
		defer sp.End(&err)
		return call(c, ctx, path, httpx.RetrySafe)
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	cases := []struct {
		name     string
		do       func() error
		class    httpx.ErrorClass
		attempts int
		status   int
	}{
		{"validation", func() error { return call(c, bg, "", httpx.RetrySafe) }, httpx.ClassValidation, 0, 0},
		{"refused", func() error { return call(c, bg, "/refuse", httpx.RetryIfNotSent) }, httpx.ClassRefused, 1, 400},
		{"5xx on a money call", func() error { return call(c, bg, "/down", httpx.RetryIfNotSent) }, httpx.ClassOutcomeUnknown, 1, 502},
		{"5xx on a read, retried out", func() error { return call(c, bg, "/down", httpx.RetrySafe) }, httpx.ClassRefused, 3, 502},
		{"malformed read", func() error { return call(c, bg, "/broken", httpx.RetrySafe) }, httpx.ClassMalformed, 1, 200},
		{"malformed money reply", func() error { return call(c, bg, "/broken", httpx.RetryIfNotSent) }, httpx.ClassOutcomeUnknown, 1, 200},
		{"dial refused", func() error { return call(dead, bg, "/x", httpx.RetryIfNotSent) }, httpx.ClassTransport, 3, 0},
		{"canceled", func() error { return call(c, canceled, "/x", httpx.RetrySafe) }, httpx.ClassCanceled, 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec.mu.Lock()
			first := len(rec.starts) + 1
			rec.mu.Unlock()
			err := tc.do()
			require.Error(t, err)
			e := rec.ends[first]
			assert.Equal(t, tc.class, e.Class, "%v", err)
			assert.Equal(t, tc.attempts, e.Attempts)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.Same(t, err, e.Err)
		})
	}
	t.Run("a composite call takes its nested call's class", func(t *testing.T) {
		rec.mu.Lock()
		first := len(rec.starts) + 1
		rec.mu.Unlock()
		require.Error(t, composite(bg, "/refuse"))
		outer, inner := rec.ends[first], rec.ends[first+1]
		assert.Equal(t, httpx.ClassRefused, inner.Class)
		assert.Equal(t, httpx.ClassRefused, outer.Class, "no reply of its own, but its nested call was refused")
		assert.Equal(t, 0, outer.Attempts)
	})
}

// TestTraceTracerReturningNilContext: a tracer that returns nil from
// TraceCallStart does not break the call.
func TestTraceTracerReturningNilContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(ok))
	defer srv.Close()
	rec := &spanRec{nilCtx: true}
	c := newClient(t, srv.URL, withTracer(rec))
	ctx, sp := c.Trace(context.Background(), "testpay.Call", "")
	require.NotNil(t, ctx)
	_, err := c.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: "/"})
	require.NoError(t, err)
	sp.End(&err)
	require.Len(t, rec.ends, 1)
	assert.Equal(t, 1, rec.ends[0].Attempts)
}

// TestWithTracerNilDisables: WithTracer(nil) is no tracer.
func TestWithTracerNilDisables(t *testing.T) {
	s := httpx.DefaultSettings()
	require.NoError(t, s.Apply([]httpx.Option{httpx.WithTracer(&spanRec{}), httpx.WithTracer(nil)}))
	c, err := httpx.New(httpx.Config{Provider: "testpay", BaseURL: "http://pay.example"}, s)
	require.NoError(t, err)
	_, sp := c.Trace(context.Background(), "testpay.Call", "")
	assert.Nil(t, sp)
}

// TestTraceOffCostsNoAllocationInACall: a whole money call wrapped in Trace
// and End as the SDK's methods are, on a client without a tracer, allocates
// exactly what the bare call does (see BenchmarkTracer for the time).
func TestTraceOffCostsNoAllocationInACall(t *testing.T) {
	hc := &http.Client{Transport: cannedTransport{}}
	c := newClient(t, "http://pay.example", func(_ *httpx.Config, s *httpx.Settings) { s.HTTPClient = hc })
	ctx := context.Background()
	bare := testing.AllocsPerRun(500, func() {
		if err := benchCall(ctx, c); err != nil {
			t.Fatal(err)
		}
	})
	off := testing.AllocsPerRun(500, func() {
		func() (err error) {
			ctx, sp := c.Trace(ctx, "testpay.Pay", "order-1")
			defer sp.End(&err)
			return benchCall(ctx, c)
		}()
	})
	assert.Equal(t, bare, off, "allocations per call without a tracer: bare %v, wrapped %v", bare, off)
	assert.Positive(t, bare, "the call allocated nothing: the comparison proves nothing")
}
