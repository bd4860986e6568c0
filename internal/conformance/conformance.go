// Package conformance is one table of checks that every provider client
// must pass, driven through the provider's public client and its
// <provider>test fake: faults at every point of the exchange, hostile
// replies, bad input, secrets in logs and errors, and concurrency. Each
// provider contributes a Subject (see the _test files); the checks are
// written once, here.
package conformance

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Subject is one provider as the suite sees it.
type Subject struct {
	Name string
	// New starts a fresh fake (over HTTPS with HTTP/2 offered when https is
	// set, the provider's NewTLSServer) and a client of it with opts applied
	// after the provider's own (so a later WithBaseURL wins).
	New func(t *testing.T, https bool, opts ...httpx.Option) *Session
}

// Fake is what the suite needs of a provider's fake: its fault script and
// request log (every <provider>test.Server has them).
type Fake interface {
	Fail(method, path string, faults ...fake.Fault)
	Count(method, path string) int
	Requests() []fake.Request
}

// Session is a client bound to a fresh fake.
type Session struct {
	Fake Fake
	// Money lists every call that moves money or creates something.
	Money []Call
	// Reads lists calls that are safe to retry (queries, token exchanges).
	Reads []Call
	// Invalid lists requests that break one documented rule each.
	Invalid []Case
	// Refused is a valid call the provider refuses with its own API error
	// (an unknown id or token), for the tracer table.
	Refused Case
	// Secrets returns the strings (keys, tokens, signatures, card numbers…)
	// that must never reach a log line or an error message; it is called
	// after the session's calls, so it can list signatures that were sent.
	Secrets func() []string
	// Fetches reports how many tokens were fetched, for token providers.
	Fetches func() int
	// APIError reports whether err is the provider's own typed API error.
	APIError func(error) bool
}

// Call is one provider endpoint.
type Call struct {
	Name   string
	Method string
	// Path is the endpoint's path; empty when it carries an id (then every
	// request of Method counts, and faults apply to every path).
	Path string
	// Prepare makes what the call needs (a paid payment to refund…); its
	// requests are not counted.
	Prepare func(ctx context.Context) error
	// Do makes the call.
	Do func(ctx context.Context) error
	// Created counts the objects this call creates at the fake (money calls).
	Created func() int
}

// Case is one invalid request.
type Case struct {
	Name string
	Do   func(ctx context.Context) error
}

// Wire is one way a merchant's client reaches a provider. The fault table
// runs over each.
type Wire struct {
	Name string
	// HTTPS makes the fake serve HTTPS with HTTP/2 offered and the client
	// negotiate HTTP/2 (http.Transport with ForceAttemptHTTP2).
	HTTPS bool
	// Proxy sends the client through a CONNECT proxy (HTTPS_PROXY).
	Proxy bool
}

// Wires are the transports the fault table runs over.
var Wires = []Wire{
	{Name: "HTTP1"},
	{Name: "HTTP2-TLS", HTTPS: true},
	{Name: "HTTPS-proxy", HTTPS: true, Proxy: true},
}

// link is the wire of one run of the table and its proxy.
type link struct {
	Wire
	proxy *fake.Proxy
	tls   *tls.Config // trusts the fakes, for an HTTPS wire
}

// proto is the protocol the fake must see requests in.
func (l *link) proto() string {
	if l.HTTPS {
		return "HTTP/2.0"
	}
	return "HTTP/1.1"
}

// newLink starts the proxy a wire needs, closed and checked when t ends.
func newLink(t *testing.T, w Wire) *link {
	l := &link{Wire: w}
	if w.HTTPS {
		cfg, err := fake.ClientTLSConfig()
		if err != nil {
			t.Fatal(err)
		}
		l.tls = cfg
	}
	if w.Proxy {
		p, err := fake.NewProxy()
		if err != nil {
			t.Fatal(err)
		}
		l.proxy = p
		t.Cleanup(func() {
			p.Close()
			if p.Tunnels() == 0 {
				t.Error("the proxy tunnelled nothing: the run did not go through it")
			}
		})
	}
	return l
}

// quick are the options every session gets: short waits, a short timeout,
// a debug logger into buf, and a transport over the link whose dials can be
// made to fail.
func quick(buf *syncBuffer, sw *switchDialer, l *link) []httpx.Option {
	if sw == nil {
		sw = &switchDialer{}
	}
	return []httpx.Option{
		httpx.WithRetry(httpx.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond}),
		httpx.WithHTTPClient(&http.Client{Timeout: 500 * time.Millisecond, Transport: sw.transport(l)}),
		httpx.WithLogger(slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}
}

// slow is quick with a generous timeout, for large replies and many calls.
func slow(buf *syncBuffer, l *link, timeout time.Duration) []httpx.Option {
	o := quick(buf, nil, l)
	o[1] = httpx.WithHTTPClient(&http.Client{Timeout: timeout, Transport: (&switchDialer{}).transport(l)})
	return o
}

// switchDialer dials normally until refuse is set, then dials a port that
// is closed: a connection refused before anything is sent.
type switchDialer struct {
	refuse atomic.Bool
	d      net.Dialer
	closed string
	tr     *http.Transport
}

func (s *switchDialer) transport(l *link) *http.Transport {
	s.tr = &http.Transport{DialContext: s.dial}
	if l != nil && l.HTTPS {
		s.tr.TLSClientConfig = l.tls
		s.tr.ForceAttemptHTTP2 = true
	}
	if l != nil && l.proxy != nil {
		s.tr.Proxy = http.ProxyURL(l.proxy.URL())
	}
	return s.tr
}

// refuseFromNow makes every later dial fail and drops idle connections so
// that the next request must dial.
func (s *switchDialer) refuseFromNow() {
	s.refuse.Store(true)
	s.tr.CloseIdleConnections()
}

func (s *switchDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if s.refuse.Load() {
		addr = s.closed
	}
	return s.d.DialContext(ctx, network, addr)
}

// Counts is what a run of the suite measured, for the README.
type Counts struct {
	FaultCases, HostileCases, InvalidCases, ConcurrentCalls int
	// FaultCasesByWire splits FaultCases by Wires (same order).
	FaultCasesByWire [3]int
}

var (
	countsMu sync.Mutex
	counts   = map[string]*Counts{}
)

// Totals returns what every Run measured so far, by provider.
func Totals() map[string]Counts {
	countsMu.Lock()
	defer countsMu.Unlock()
	out := map[string]Counts{}
	for k, v := range counts {
		out[k] = *v
	}
	return out
}

func count(name string, f func(c *Counts)) {
	countsMu.Lock()
	defer countsMu.Unlock()
	if counts[name] == nil {
		counts[name] = &Counts{}
	}
	f(counts[name])
}

// fault is one row of the fault table.
type fault struct {
	name string
	// f is scripted on the call's endpoint; zero Kind means a refused dial.
	f fake.Fault
	// created is whether the fake processed the request.
	created bool
	// status is whether the failure was an HTTP answer (no transport error).
	status int
	// h2 marks an HTTP/2 frame fault, played only over HTTPS.
	h2 bool
	// unprocessed marks a fault HTTP/2 promises was not processed: the
	// money call is retried once and succeeds (two requests, one object).
	unprocessed bool
}

var faults = []fault{
	{name: "refused dial"},
	{name: "reset before processing", f: fake.Fault{Kind: fake.DropBefore}},
	{name: "reset after arrival", f: fake.Fault{Kind: fake.DropAfter}, created: true},
	{name: "response timeout", f: fake.Fault{Kind: fake.Hang, Delay: 3 * time.Second}, created: true},
	{name: "truncated body", f: fake.Fault{Kind: fake.Truncate}, created: true},
	{name: "500", f: fake.Fault{Kind: fake.Status, Status: 500}, status: 500},
	{name: "502", f: fake.Fault{Kind: fake.Status, Status: 502}, status: 502},
	{name: "503", f: fake.Fault{Kind: fake.Status, Status: 503}, status: 503},
	{name: "504", f: fake.Fault{Kind: fake.Status, Status: 504}, status: 504},
	{name: "429 Retry-After", f: fake.Fault{Kind: fake.Status, Status: 429, Header: http.Header{"Retry-After": {"1"}}}, status: 429},
	{name: "RST_STREAM PROTOCOL_ERROR after processing", f: fake.Fault{Kind: fake.ResetProtocol}, created: true, h2: true},
	{name: "RST_STREAM INTERNAL_ERROR after processing", f: fake.Fault{Kind: fake.ResetInternal}, created: true, h2: true},
	{name: "GOAWAY after processing", f: fake.Fault{Kind: fake.GoAwayAfter}, created: true, h2: true},
	{name: "REFUSED_STREAM", f: fake.Fault{Kind: fake.RefusedStream}, h2: true, unprocessed: true},
	{name: "GOAWAY below the stream", f: fake.Fault{Kind: fake.GoAwayBefore}, h2: true, unprocessed: true},
}

// Run runs every check for s: the fault tables over every wire, the rest
// over plain HTTP/1.1, and concurrency over HTTP/1.1 and HTTP/2.
func Run(t *testing.T, s Subject) {
	for i, w := range Wires {
		t.Run("money calls under faults/"+w.Name, func(t *testing.T) { moneyFaults(t, s, newLink(t, w), i) })
		t.Run("reads under faults/"+w.Name, func(t *testing.T) { readFaults(t, s, newLink(t, w), i) })
		t.Run("money calls through a retrying transport/"+w.Name, func(t *testing.T) { resendingTransport(t, s, newLink(t, w)) })
	}
	plain := &link{Wire: Wires[0]}
	t.Run("hostile replies", func(t *testing.T) { hostile(t, s, plain) })
	t.Run("bad input sends nothing", func(t *testing.T) { invalid(t, s, plain) })
	t.Run("concurrency/"+Wires[0].Name, func(t *testing.T) { concurrent(t, s, plain) })
	t.Run("concurrency/"+Wires[1].Name, func(t *testing.T) { concurrent(t, s, newLink(t, Wires[1])) })
}

func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func moneyFaults(t *testing.T, s Subject, l *link, wire int) {
	var logs syncBuffer
	var errs []string
	var sessions []*Session
	probe := s.New(t, l.HTTPS, quick(&logs, nil, l)...)
	for i := range probe.Money {
		call := probe.Money[i]
		for _, fl := range faults {
			if fl.h2 && !l.HTTPS {
				continue // no streams to reset on HTTP/1.1
			}
			t.Run(call.Name+"/"+fl.name, func(t *testing.T) {
				count(s.Name, func(c *Counts) { c.FaultCases++; c.FaultCasesByWire[wire]++ })
				sw := &switchDialer{closed: closedAddr(t)}
				sess := s.New(t, l.HTTPS, quick(&logs, sw, l)...)
				sessions = append(sessions, sess)
				mc := sess.Money[i]
				ctx := context.Background()
				if mc.Prepare != nil {
					if err := mc.Prepare(ctx); err != nil {
						t.Fatalf("prepare: %v", err)
					}
				}
				before := countOf(sess.Fake, mc)
				created := mc.Created()
				if fl.f.Kind == 0 {
					sw.refuseFromNow()
					err := mc.Do(ctx)
					if err == nil {
						t.Fatal("a refused dial succeeded")
					}
					errs = append(errs, err.Error())
					if errors.Is(err, httpx.ErrOutcomeUnknown) {
						t.Fatalf("a request that never left is not of unknown outcome: %v", err)
					}
					var te *httpx.TransportError
					if !errors.As(err, &te) || te.Sent || te.Attempts != 3 {
						t.Fatalf("want an unsent transport error after 3 dials, got %#v", err)
					}
					if got := countOf(sess.Fake, mc) - before; got != 0 {
						t.Fatalf("a refused dial reached the provider %d times", got)
					}
					return
				}
				failOn(sess.Fake, mc, fl.f)
				err := mc.Do(ctx)
				if fl.unprocessed {
					// HTTP/2 promised the stream was not processed: one
					// retry by the SDK, one object, no error.
					if err != nil {
						t.Fatalf("a stream refused unprocessed must be retried: %v", err)
					}
					if got := countOf(sess.Fake, mc) - before; got != 2 {
						t.Fatalf("%d requests, want the refused one and one retry", got)
					}
					if got := mc.Created() - created; got != 1 {
						t.Fatalf("%d objects at the provider, want 1", got)
					}
					return
				}
				if err == nil {
					t.Fatal("the fault went unnoticed")
				}
				errs = append(errs, err.Error())
				if got := countOf(sess.Fake, mc) - before; got != 1 {
					t.Fatalf("the money call reached the provider %d times, want exactly 1", got)
				}
				want := created
				if fl.created {
					want++
				}
				if got := mc.Created(); got != want {
					t.Fatalf("%d objects at the provider, want %d", got-created, want-created)
				}
				switch {
				case fl.status == 429:
					if !errors.Is(err, httpx.ErrRateLimited) || errors.Is(err, httpx.ErrOutcomeUnknown) {
						t.Fatalf("429 on a money call: want ErrRateLimited, got %v", err)
					}
				default:
					if !errors.Is(err, httpx.ErrOutcomeUnknown) {
						t.Fatalf("want ErrOutcomeUnknown, got %v", err)
					}
					if !strings.Contains(err.Error(), "outcome unknown — ") || strings.Contains(err.Error(), httpx.ErrOutcomeUnknown.Error()) {
						t.Fatalf("the message must say what this provider's merchant can do: %q", err.Error())
					}
				}
			})
		}
	}
	t.Run("spoke "+l.proto(), func(t *testing.T) {
		n := 0
		for _, sess := range sessions {
			for _, r := range sess.Fake.Requests() {
				n++
				if r.Proto != l.proto() {
					t.Fatalf("%s %s came in over %s", r.Method, r.Path, r.Proto)
				}
			}
		}
		if n == 0 {
			t.Fatal("no requests recorded")
		}
	})
	t.Run("no secret in logs or errors", func(t *testing.T) {
		all := logs.String() + strings.Join(errs, "\n")
		var secrets []string
		for _, sess := range sessions {
			secrets = append(secrets, sess.Secrets()...)
		}
		if len(secrets) == 0 {
			t.Fatal("no secrets listed: the check would prove nothing")
		}
		for _, sec := range secrets {
			if sec != "" && strings.Contains(all, sec) {
				t.Fatalf("a secret (%d characters) reached a log line or an error", len(sec))
			}
		}
		if !strings.Contains(logs.String(), "attempt") {
			t.Fatal("the debug logger saw nothing: the check above proves nothing")
		}
	})
}

// resendFaults are the replies on which a merchant's retrying transport
// sends a request again.
var resendFaults = []fault{
	{name: "502", f: fake.Fault{Kind: fake.Status, Status: 502}},
	{name: "reset after arrival", f: fake.Fault{Kind: fake.DropAfter}, created: true},
}

// resending is quick with the merchant's http.Client wrapped in a
// transport that retries by itself (go-retryablehttp's RoundTripper: it
// buffers the body and resends on 5xx and resets, keeping the context).
func resending(buf *syncBuffer, l *link) []httpx.Option {
	o := quick(buf, nil, l)
	rc := retryablehttp.NewClient()
	rc.HTTPClient = &http.Client{Timeout: 500 * time.Millisecond, Transport: (&switchDialer{}).transport(l)}
	rc.Logger = nil
	rc.RetryWaitMin, rc.RetryWaitMax = time.Millisecond, 2*time.Millisecond
	o[1] = httpx.WithHTTPClient(&http.Client{Timeout: 2 * time.Second, Transport: &retryablehttp.RoundTripper{Client: rc}})
	return o
}

// resendingTransport runs every money call through a merchant's transport
// that retries by itself, on the replies it retries: the provider receives
// the request exactly once, and the call reports an outcome unknown that
// names the cause.
func resendingTransport(t *testing.T, s Subject, l *link) {
	var logs syncBuffer
	probe := s.New(t, l.HTTPS, resending(&logs, l)...)
	for i := range probe.Money {
		for _, fl := range resendFaults {
			t.Run(probe.Money[i].Name+"/"+fl.name, func(t *testing.T) {
				sess := s.New(t, l.HTTPS, resending(&logs, l)...)
				mc := sess.Money[i]
				ctx := context.Background()
				if mc.Prepare != nil {
					if err := mc.Prepare(ctx); err != nil {
						t.Fatalf("prepare: %v", err)
					}
				}
				before := countOf(sess.Fake, mc)
				created := mc.Created()
				failOn(sess.Fake, mc, fl.f)
				err := mc.Do(ctx)
				if got := countOf(sess.Fake, mc) - before; got != 1 {
					t.Fatalf("the money call reached the provider %d times, want exactly 1 (err: %v)", got, err)
				}
				if !errors.Is(err, httpx.ErrOutcomeUnknown) {
					t.Fatalf("want ErrOutcomeUnknown, got %v", err)
				}
				if !strings.Contains(err.Error(), "the client's transport re-sends requests") {
					t.Fatalf("the message must name the cause: %q", err.Error())
				}
				want := created
				if fl.created {
					want++
				}
				if got := mc.Created(); got != want {
					t.Fatalf("%d objects at the provider, want %d", got-created, want-created)
				}
			})
		}
	}
}

func readFaults(t *testing.T, s Subject, l *link, wire int) {
	var logs syncBuffer
	probe := s.New(t, l.HTTPS, quick(&logs, nil, l)...)
	for i := range probe.Reads {
		name := probe.Reads[i].Name
		for _, fl := range faults {
			if fl.f.Kind == 0 || fl.f.Kind == fake.Hang {
				continue // a refused dial is retried into the same refusal; a hang only costs time
			}
			if fl.h2 && !l.HTTPS {
				continue
			}
			t.Run(name+"/"+fl.name, func(t *testing.T) {
				count(s.Name, func(c *Counts) { c.FaultCases++; c.FaultCasesByWire[wire]++ })
				sess := s.New(t, l.HTTPS, quick(&logs, nil, l)...)
				rc := sess.Reads[i]
				ctx := context.Background()
				if rc.Prepare != nil {
					if err := rc.Prepare(ctx); err != nil {
						t.Fatalf("prepare: %v", err)
					}
				}
				before := countOf(sess.Fake, rc)
				failOn(sess.Fake, rc, fl.f)
				if err := rc.Do(ctx); err != nil {
					t.Fatalf("a safe call must recover from one %s: %v", fl.name, err)
				}
				if got := countOf(sess.Fake, rc) - before; got < 2 {
					t.Fatalf("%d requests, want the failed one and a retry", got)
				}
			})
		}
	}
}

// hostile replies answer the first read (or money call) of the session.
var hostileBodies = map[string][]byte{
	"deeply nested": append(append([]byte(`{"data":`), bytes.Repeat([]byte("["), 100000)...), bytes.Repeat([]byte("]"), 100000)...),
	"wrong types":   []byte(`{"data":{"id":{"x":1},"amount":[true],"status":12,"token":false},"retCode":[],"code":{}}`),
	"invalid UTF-8": []byte("{\"data\":{\"status\":\"\xff\xfe\xfd\"},\"msg\":\"\xc3\x28\"}"),
	"unknown enums": []byte(`{"data":{"status":"QUANTUM","paymentStatus":"QUANTUM","currency":"XBT"},"retCode":"MAYBE","state":"QUANTUM"}`),
	"not JSON":      []byte(`<html><body>502 Bad Gateway</body></html>`),
	"empty":         {},
}

func hostile(t *testing.T, s Subject, l *link) {
	var logs syncBuffer
	probe := s.New(t, l.HTTPS, quick(&logs, nil, l)...)
	calls := append(append([]Call{}, probe.Reads...), probe.Money...)
	for i := range calls {
		name := calls[i].Name
		for kind, body := range hostileBodies {
			t.Run(name+"/"+kind, func(t *testing.T) {
				count(s.Name, func(c *Counts) { c.HostileCases++ })
				sess := s.New(t, l.HTTPS, quick(&logs, nil, l)...)
				c := append(append([]Call{}, sess.Reads...), sess.Money...)[i]
				ctx := context.Background()
				if c.Prepare != nil {
					if err := c.Prepare(ctx); err != nil {
						t.Fatalf("prepare: %v", err)
					}
				}
				failOn(sess.Fake, c, fake.Fault{Kind: fake.Status, Status: 200, Body: body})
				err := noPanic(t, func() error { return c.Do(ctx) })
				// Tolerated (unknown enums, invalid UTF-8 replaced) or a typed error.
				if err != nil && !typed(err) && (sess.APIError == nil || !sess.APIError(err)) {
					t.Fatalf("untyped error for a hostile reply: %T %v", err, err)
				}
			})
		}
		t.Run(name+"/100 MB body", func(t *testing.T) {
			count(s.Name, func(c *Counts) { c.HostileCases++ })
			sess := s.New(t, l.HTTPS, slow(&logs, l, 20*time.Second)...)
			c := append(append([]Call{}, sess.Reads...), sess.Money...)[i]
			ctx := context.Background()
			if c.Prepare != nil {
				if err := c.Prepare(ctx); err != nil {
					t.Fatalf("prepare: %v", err)
				}
			}
			huge := bytes.Repeat([]byte("a"), 100<<20)
			failOn(sess.Fake, c, fake.Fault{Kind: fake.Status, Status: 200, Body: huge})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := noPanic(t, func() error { return c.Do(ctx) })
			runtime.ReadMemStats(&after)
			if !errors.Is(err, httpx.ErrResponseTooLarge) {
				t.Fatalf("want ErrResponseTooLarge, got %v", err)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
				t.Fatalf("reading a 100 MB reply allocated %d MiB", grew>>20)
			}
		})
	}
}

// typed reports whether err is one of the SDK's error kinds.
func typed(err error) bool {
	for _, s := range []error{httpx.ErrMalformedResponse, httpx.ErrResponseTooLarge, httpx.ErrOutcomeUnknown, httpx.ErrUnauthorized, httpx.ErrInvalidRequest} {
		if errors.Is(err, s) {
			return true
		}
	}
	var st *httpx.StatusError
	return errors.As(err, &st)
}

func noPanic(t *testing.T, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	return f()
}

func invalid(t *testing.T, s Subject, l *link) {
	var logs syncBuffer
	sess := s.New(t, l.HTTPS, quick(&logs, nil, l)...)
	if len(sess.Invalid) == 0 {
		t.Fatal("no invalid requests listed")
	}
	for _, c := range sess.Invalid {
		err := c.Do(context.Background())
		var ve *httpx.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, httpx.ErrInvalidRequest) {
			t.Errorf("%s: want a *ValidationError, got %v", c.Name, err)
		}
	}
	if n := len(sess.Fake.Requests()); n != 0 {
		t.Fatalf("%d requests sent for invalid input", n)
	}
	count(s.Name, func(c *Counts) { c.InvalidCases += len(sess.Invalid) })
	t.Logf("%s: %d invalid requests, each refused before sending", s.Name, len(sess.Invalid))
}

func concurrent(t *testing.T, s Subject, l *link) {
	var logs syncBuffer
	// 200 calls at once on two cores under -race: a generous timeout, so
	// that the check is about correctness, not speed.
	sess := s.New(t, l.HTTPS, slow(&logs, l, 60*time.Second)...)
	call := sess.Money[0]
	ctx := context.Background()
	if call.Prepare != nil && len(sess.Reads) > 0 {
		call = sess.Reads[0]
	}
	if call.Prepare != nil {
		if err := call.Prepare(ctx); err != nil {
			t.Fatal(err)
		}
	}
	const n = 200
	var wg sync.WaitGroup
	var failed atomic.Int32
	var first atomic.Value
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := call.Do(ctx); err != nil {
				failed.Add(1)
				first.CompareAndSwap(nil, err.Error())
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d of %d concurrent calls failed: %v", failed.Load(), n, first.Load())
	}
	if sess.Fetches != nil {
		if got := sess.Fetches(); got != 1 {
			t.Fatalf("%d token fetches for %d concurrent calls, want 1", got, n)
		}
	}
	count(s.Name, func(c *Counts) { c.ConcurrentCalls += n })
}

func failOn(f Fake, c Call, fl fake.Fault) {
	path := c.Path
	if path == "" {
		path = "*"
	}
	f.Fail(c.Method, path, fl)
}

func countOf(f Fake, c Call) int {
	if c.Path != "" {
		return f.Count(c.Method, c.Path)
	}
	n := 0
	for _, r := range f.Requests() {
		if r.Method == c.Method {
			n++
		}
	}
	return n
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Options converts the shared options the tables build into one provider
// package's own Option type (each package has its own, so that another
// provider's option does not compile for it).
func Options[O ~func(*httpx.Settings) error](opts []httpx.Option) []O {
	out := make([]O, len(opts))
	for i, o := range opts {
		out[i] = O(o)
	}
	return out
}
