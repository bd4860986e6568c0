package httpx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/paywidget/paywidget-go/internal/benchcpu"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

type benchPayment struct {
	OrderID  string `json:"orderId"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type benchResult struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

func benchServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"pay_123","status":"APPROVED"}`))
	}))
}

// BenchmarkRoundTrip compares one JSON POST through httpx with the same
// exchange written with plain net/http and encoding/json. Both clients carry
// the same finite 60 s timeout (net/http arms a timer per request for it):
// a payment client without one is not a fair baseline, it is a bug.
func BenchmarkRoundTrip(b *testing.B) {
	srv := benchServer()
	defer srv.Close()
	b.Run("httpx", func(b *testing.B) { benchSDK(b, newClient(b, srv.URL)) })
	b.Run("plain", func(b *testing.B) {
		benchPlain(b, &http.Client{Timeout: 60 * time.Second, Transport: http.DefaultTransport.(*http.Transport).Clone()}, srv.URL)
	})
}

// BenchmarkParallel is BenchmarkRoundTrip with 16 callers at once sharing
// one client (and its connection pool), as a busy shop's checkout does.
func BenchmarkParallel(b *testing.B) {
	srv := benchServer()
	defer srv.Close()
	b.Run("httpx", func(b *testing.B) {
		c := newClient(b, srv.URL)
		parallel(b, func() error { return sdkOnce(c) })
	})
	b.Run("plain", func(b *testing.B) {
		// The same pool as httpx's default client: 16 idle connections per
		// host (net/http's default of 2 would make plain dial anew).
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 16
		hc := &http.Client{Timeout: 60 * time.Second, Transport: tr}
		parallel(b, func() error { return plainOnce(hc, srv.URL) })
	})
}

// parallel runs op from 16 goroutines.
func parallel(b *testing.B, op func() error) {
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((16 + procs - 1) / procs)
	b.ReportAllocs()
	stop := benchcpu.Measure(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	stop()
}

// cannedTransport answers every request in memory, so BenchmarkLayer
// measures what the SDK's layers cost without the loopback round trip
// (whose scheduling noise on a shared machine is larger than the layers).
type cannedTransport struct{}

func (cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	const reply = `{"id":"pay_123","status":"APPROVED"}`
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		ContentLength: int64(len(reply)), Body: io.NopCloser(bytes.NewReader([]byte(reply))), Request: r}, nil
}

// BenchmarkLayer is BenchmarkRoundTrip over an in-memory transport: the
// same JSON POST through httpx and by hand, both through an http.Client
// with a 60 s timeout, neither touching a socket.
func BenchmarkLayer(b *testing.B) {
	hc := &http.Client{Timeout: 60 * time.Second, Transport: cannedTransport{}}
	b.Run("httpx", func(b *testing.B) {
		benchSDK(b, newClient(b, "http://pay.example", func(_ *httpx.Config, s *httpx.Settings) { s.HTTPClient = hc }))
	})
	b.Run("plain", func(b *testing.B) { benchPlain(b, hc, "http://pay.example") })
}

var benchIn = benchPayment{OrderID: "order-1", Amount: 1050, Currency: "CAD"}

// benchSDK sends the payment through httpx, as a money call, and decodes
// the reply: the SDK side of both benchmarks.
func benchSDK(b *testing.B, c *httpx.Client) {
	b.ReportAllocs()
	stop := benchcpu.Measure(b)
	for b.Loop() {
		if err := sdkOnce(c); err != nil {
			b.Fatal(err)
		}
	}
	stop()
}

func sdkOnce(c *httpx.Client) error {
	body, err := json.Marshal(benchIn)
	if err != nil {
		return err
	}
	resp, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodPost, Path: "/pay", Body: body, Retry: httpx.RetryIfNotSent})
	if err != nil {
		return err
	}
	var out benchResult
	if err := httpx.DecodeJSON("testpay", resp.Body, &out); err != nil {
		return err
	}
	if out.ID != "pay_123" {
		return errors.New("wrong reply")
	}
	return nil
}

// benchPlain is the same exchange written by hand with net/http and
// encoding/json: the baseline of both benchmarks.
func benchPlain(b *testing.B, hc *http.Client, base string) {
	b.ReportAllocs()
	stop := benchcpu.Measure(b)
	for b.Loop() {
		if err := plainOnce(hc, base); err != nil {
			b.Fatal(err)
		}
	}
	stop()
}

// nopTracer is the cheapest tracer there is: what the hook itself costs
// when one is set.
type nopTracer struct{}

func (nopTracer) TraceCallStart(ctx context.Context, _ httpx.TraceCallStartData) context.Context {
	return ctx
}
func (nopTracer) TraceCallEnd(context.Context, httpx.TraceCallEndData) {}

// BenchmarkTracer is BenchmarkLayer's money call three ways: "bare" calls
// Do alone; "off" wraps it in Trace and End as every SDK method does, on a
// client without a tracer (what merchants who do not trace run: it must
// cost no allocation and no measurable time over "bare"); "on" sets a tracer
// that does nothing, the price of the hook itself.
func BenchmarkTracer(b *testing.B) {
	hc := &http.Client{Timeout: 60 * time.Second, Transport: cannedTransport{}}
	client := func(t httpx.Tracer) *httpx.Client {
		return newClient(b, "http://pay.example", func(_ *httpx.Config, s *httpx.Settings) { s.HTTPClient, s.Tracer = hc, t })
	}
	traced := func(c *httpx.Client) func(ctx context.Context) error {
		return func(ctx context.Context) (err error) {
			ctx, sp := c.Trace(ctx, "testpay.Pay", "order-1")
			defer sp.End(&err)
			return benchCall(ctx, c)
		}
	}
	bare := client(nil)
	b.Run("bare", func(b *testing.B) { benchLoop(b, func(ctx context.Context) error { return benchCall(ctx, bare) }) })
	b.Run("off", func(b *testing.B) { benchLoop(b, traced(client(nil))) })
	b.Run("on", func(b *testing.B) { benchLoop(b, traced(client(nopTracer{}))) })
}

func benchCall(ctx context.Context, c *httpx.Client) error {
	body, err := json.Marshal(benchIn)
	if err != nil {
		return err
	}
	resp, err := c.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: "/pay", Body: body, Retry: httpx.RetryIfNotSent})
	if err != nil {
		return err
	}
	var out benchResult
	return httpx.DecodeJSON("testpay", resp.Body, &out)
}

func benchLoop(b *testing.B, call func(ctx context.Context) error) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := call(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func plainOnce(hc *http.Client, base string) error {
	body, err := json.Marshal(benchIn)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, base+"/pay", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if err != nil {
		return err
	}
	var out benchResult
	if err := json.Unmarshal(data, &out); err != nil {
		return err
	}
	if out.ID != "pay_123" {
		return errors.New("wrong reply")
	}
	return nil
}
