package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Recorder is a Tracer that keeps every span it saw: which call started,
// inside which span, and what its end reported.
type Recorder struct {
	mu    sync.Mutex
	spans []*Recorded
}

// Recorded is one span as the Recorder saw it.
type Recorded struct {
	ID, Parent int // Parent is 0 for a call made outside any span
	Start      httpx.TraceCallStartData
	Ends       []httpx.TraceCallEndData // exactly one when all is well
}

type recKey struct{}

// TraceCallStart records the start and returns a context that carries the
// span's id, so that a nested call names it as its parent.
func (r *Recorder) TraceCallStart(ctx context.Context, d httpx.TraceCallStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	parent, _ := ctx.Value(recKey{}).(int)
	s := &Recorded{ID: len(r.spans) + 1, Parent: parent, Start: d}
	r.spans = append(r.spans, s)
	return context.WithValue(ctx, recKey{}, s.ID)
}

// TraceCallEnd records the end against the span the context names.
func (r *Recorder) TraceCallEnd(ctx context.Context, d httpx.TraceCallEndData) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, _ := ctx.Value(recKey{}).(int)
	if id < 1 || id > len(r.spans) {
		r.spans = append(r.spans, &Recorded{ID: -1, Ends: []httpx.TraceCallEndData{d}}) // an end without a start
		return
	}
	s := r.spans[id-1]
	s.Ends = append(s.Ends, d)
}

// Reset forgets every span.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans = nil
}

// Spans returns a copy of what was recorded.
func (r *Recorder) Spans() []Recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Recorded, len(r.spans))
	for i, s := range r.spans {
		out[i] = *s
		out[i].Ends = append([]httpx.TraceCallEndData(nil), s.Ends...)
	}
	return out
}

// Tree renders the recorded spans in start order as "parent > child"
// operation paths, each followed by " [class]" when it failed.
func (r *Recorder) Tree() []string {
	spans := r.Spans()
	byID := map[int]Recorded{}
	for _, s := range spans {
		byID[s.ID] = s
	}
	var out []string
	for _, s := range spans {
		path := s.Start.Operation
		for p := s.Parent; p != 0; p = byID[p].Parent {
			path = byID[p].Start.Operation + " > " + path
		}
		if len(s.Ends) == 1 && s.Ends[0].Class != "" {
			path += " [" + string(s.Ends[0].Class) + "]"
		}
		out = append(out, path)
	}
	return out
}

// root checks that exactly one call was traced at the top (no parent), that
// every span started once and ended once with its start's names, and
// returns the top one and all.
func (r *Recorder) root(t *testing.T, provider string) (Recorded, []Recorded) {
	t.Helper()
	all := r.Spans()
	var roots []Recorded
	for _, s := range all {
		if s.ID < 0 {
			t.Fatalf("an end without a start: %+v", s.Ends[0])
		}
		if len(s.Ends) != 1 {
			t.Fatalf("%s: %d ends for one start", s.Start.Operation, len(s.Ends))
		}
		e := s.Ends[0]
		if e.Provider != provider || s.Start.Provider != provider || e.Operation != s.Start.Operation || e.Reference != s.Start.Reference {
			t.Fatalf("end %+v does not match start %+v", e, s.Start)
		}
		if !strings.HasPrefix(s.Start.Operation, provider+".") {
			t.Fatalf("operation %q is not named after %s", s.Start.Operation, provider)
		}
		if (e.Err == nil) != (e.Class == "") {
			t.Fatalf("%s: class %q with error %v", e.Operation, e.Class, e.Err)
		}
		if e.Duration <= 0 {
			t.Fatalf("%s: duration %v", e.Operation, e.Duration)
		}
		if s.Parent == 0 {
			roots = append(roots, s)
		}
	}
	if len(roots) != 1 {
		var ops []string
		for _, s := range roots {
			ops = append(ops, s.Start.Operation)
		}
		t.Fatalf("%d top-level spans for one call (%v), want 1", len(roots), ops)
	}
	return roots[0], all
}

// traceCase is one row of the tracer table: a call under a fault and what
// its single span must report.
type traceCase struct {
	name string
	// pick chooses the call from a session.
	pick  func(s *Session) (Call, bool)
	fault fake.Fault // zero Kind: none, unless dial is set
	// times queues the fault for that many requests (default 1).
	times int
	dial  bool // every dial fails: the request never leaves
	// want is the span's end.
	attempts int
	status   int
	class    httpx.ErrorClass
}

func firstMoney(s *Session) (Call, bool) {
	if len(s.Money) == 0 {
		return Call{}, false
	}
	return s.Money[0], true
}
func firstRead(s *Session) (Call, bool) {
	if len(s.Reads) == 0 {
		return Call{}, false
	}
	return s.Reads[0], true
}

var traceCases = []traceCase{
	{name: "read succeeds", pick: firstRead, attempts: 1, status: 200},
	{name: "read retried after a 503", pick: firstRead, fault: fake.Fault{Kind: fake.Status, Status: 503}, attempts: 2, status: 200},
	{name: "read refused by three 503s", pick: firstRead, fault: fake.Fault{Kind: fake.Status, Status: 503}, times: 3,
		attempts: 3, status: 503, class: httpx.ClassRefused},
	{name: "money call succeeds", pick: firstMoney, attempts: 1, status: 200},
	{name: "money call reset after arrival", pick: firstMoney, fault: fake.Fault{Kind: fake.DropAfter},
		attempts: 1, class: httpx.ClassOutcomeUnknown},
	{name: "money call answered 500", pick: firstMoney, fault: fake.Fault{Kind: fake.Status, Status: 500},
		attempts: 1, status: 500, class: httpx.ClassOutcomeUnknown},
	{name: "money call refused with 429", pick: firstMoney, fault: fake.Fault{Kind: fake.Status, Status: 429},
		attempts: 1, status: 429, class: httpx.ClassRefused},
	{name: "money call answered malformed", pick: firstMoney, fault: fake.Fault{Kind: fake.Malformed},
		attempts: 1, status: 200, class: httpx.ClassOutcomeUnknown},
	{name: "money call never dialled", pick: firstMoney, dial: true, attempts: 3, class: httpx.ClassTransport},
}

// Trace checks what a tracer sees of s's calls: one span per call with its
// attempts, status and class right under faults, a span with class
// validation for each invalid request (nothing sent), token fetches nested in
// the call that needed them, and a span per call under concurrency.
func Trace(t *testing.T, s Subject) {
	for _, tc := range traceCases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &Recorder{}
			var logs syncBuffer
			sw := &switchDialer{closed: closedAddr(t)}
			sess := s.New(t, false, append(quick(&logs, sw, &link{Wire: Wires[0]}), httpx.WithTracer(rec))...)
			call, ok := tc.pick(sess)
			if !ok {
				t.Fatalf("%s lists no such call", s.Name)
			}
			ctx := context.Background()
			if call.Prepare != nil {
				if err := call.Prepare(ctx); err != nil {
					t.Fatalf("prepare: %v", err)
				}
			}
			// Tokens are fetched before the fault is scripted, so that the
			// fault strikes the call's own request.
			if warm, ok := firstRead(sess); ok && warm.Prepare == nil && sess.Fetches != nil {
				if err := warm.Do(ctx); err != nil {
					t.Fatalf("warm-up: %v", err)
				}
			}
			rec.Reset()
			switch {
			case tc.dial:
				sw.refuseFromNow()
			case tc.fault.Kind != 0:
				for range max(tc.times, 1) {
					failOn(sess.Fake, call, tc.fault)
				}
			}
			err := call.Do(ctx)
			top, _ := rec.root(t, s.Name)
			e := top.Ends[0]
			if !strings.HasSuffix(top.Start.Operation, "."+call.Name) {
				t.Errorf("operation %q for the call %s", top.Start.Operation, call.Name)
			}
			if !errors.Is(e.Err, err) || (err == nil) != (e.Err == nil) {
				t.Errorf("the span ended with %v, the call returned %v", e.Err, err)
			}
			if e.Attempts != tc.attempts || e.StatusCode != tc.status || e.Class != tc.class {
				t.Errorf("span: attempts %d, status %d, class %q (err %v); want %d, %d, %q",
					e.Attempts, e.StatusCode, e.Class, e.Err, tc.attempts, tc.status, tc.class)
			}
			// Nothing the tracer was handed holds a secret.
			seen := fmt.Sprintf("%+v", rec.Spans())
			for _, sec := range sess.Secrets() {
				if sec != "" && strings.Contains(seen, sec) {
					t.Fatalf("a secret (%d characters) reached the tracer", len(sec))
				}
			}
		})
	}
	t.Run("refused by the provider: class refused", func(t *testing.T) {
		rec := &Recorder{}
		var logs syncBuffer
		sess := s.New(t, false, append(quick(&logs, nil, &link{Wire: Wires[0]}), httpx.WithTracer(rec))...)
		if sess.Refused.Do == nil {
			t.Fatalf("%s lists no call the provider refuses", s.Name)
		}
		err := sess.Refused.Do(context.Background())
		if err == nil || sess.APIError == nil || !sess.APIError(err) {
			t.Fatalf("%s: want the provider's API error, got %v", sess.Refused.Name, err)
		}
		top, _ := rec.root(t, s.Name)
		e := top.Ends[0]
		if e.Class != httpx.ClassRefused || e.Attempts != 1 || e.StatusCode == 0 || !errors.Is(e.Err, err) {
			t.Errorf("%s: span %s class %q attempts %d status %d err %v; want refused, 1, the reply's status",
				sess.Refused.Name, e.Operation, e.Class, e.Attempts, e.StatusCode, e.Err)
		}
	})
	t.Run("invalid requests: one span each, class validation, nothing sent", func(t *testing.T) {
		rec := &Recorder{}
		var logs syncBuffer
		sess := s.New(t, false, append(quick(&logs, nil, &link{Wire: Wires[0]}), httpx.WithTracer(rec))...)
		for _, c := range sess.Invalid {
			rec.Reset()
			err := c.Do(context.Background())
			top, all := rec.root(t, s.Name)
			e := top.Ends[0]
			if e.Class != httpx.ClassValidation || e.Attempts != 0 || e.StatusCode != 0 || !errors.Is(e.Err, err) {
				t.Errorf("%s: span %s class %q attempts %d status %d err %v; want validation, 0, 0, the call's error",
					c.Name, e.Operation, e.Class, e.Attempts, e.StatusCode, e.Err)
			}
			if len(all) != 1 {
				t.Errorf("%s: %d spans for a call refused before sending", c.Name, len(all))
			}
		}
		if n := len(sess.Fake.Requests()); n != 0 {
			t.Fatalf("%d requests sent for invalid input", n)
		}
	})
	t.Run("token fetch nests in the call that needed it", func(t *testing.T) {
		rec := &Recorder{}
		var logs syncBuffer
		sess := s.New(t, false, append(quick(&logs, nil, &link{Wire: Wires[0]}), httpx.WithTracer(rec))...)
		var call Call
		for _, c := range append(append([]Call{}, sess.Reads...), sess.Money...) {
			if c.Prepare == nil {
				call = c
				break
			}
		}
		if call.Do == nil {
			call, _ = firstRead(sess)
			if sess.Fetches != nil {
				t.Fatalf("%s: every call needs preparation; the check needs one on a fresh client", s.Name)
			}
			if err := call.Prepare(context.Background()); err != nil {
				t.Fatal(err)
			}
			rec.Reset()
		}
		if err := call.Do(context.Background()); err != nil {
			t.Fatal(err)
		}
		top, all := rec.root(t, s.Name)
		if top.Ends[0].Attempts != 1 {
			t.Errorf("the call counts %d attempts, want its own 1 (the token fetch has its own span)", top.Ends[0].Attempts)
		}
		var nested []Recorded
		for _, sp := range all {
			if sp.Parent == top.ID {
				nested = append(nested, sp)
			}
		}
		if sess.Fetches == nil {
			if len(all) != 1 {
				t.Fatalf("%d spans for one call of a provider without tokens", len(all))
			}
			return
		}
		if len(nested) != 1 || nested[0].Start.Operation != s.Name+".token" {
			t.Fatalf("want one %s.token span inside %s, got %+v", s.Name, top.Start.Operation, nested)
		}
		if e := nested[0].Ends[0]; e.Attempts != 1 || e.StatusCode != 200 || e.Err != nil {
			t.Fatalf("token span: %+v", e)
		}
		if len(all) != 2 {
			t.Fatalf("%d spans, want the call and its token fetch", len(all))
		}
	})
	t.Run("concurrent calls: one span each, one token fetch", func(t *testing.T) {
		rec := &Recorder{}
		var logs syncBuffer
		sess := s.New(t, false, append(slow(&logs, &link{Wire: Wires[0]}, 60*time.Second), httpx.WithTracer(rec))...)
		call, _ := firstRead(sess)
		if call.Prepare != nil {
			if err := call.Prepare(context.Background()); err != nil {
				t.Fatal(err)
			}
			rec.Reset()
		}
		const n = 20
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() { errs <- call.Do(context.Background()) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		roots, tokens := 0, 0
		for _, sp := range rec.Spans() {
			if len(sp.Ends) != 1 || sp.ID < 0 {
				t.Fatalf("span %+v: want one start and one end", sp)
			}
			switch {
			case sp.Parent == 0:
				roots++
			case sp.Start.Operation == s.Name+".token":
				tokens++
			}
		}
		if roots != n {
			t.Fatalf("%d top-level spans for %d calls", roots, n)
		}
		// One shared fetch for a token provider (unless preparing fetched
		// it already), none otherwise.
		if sess.Fetches == nil && tokens != 0 || sess.Fetches != nil && call.Prepare == nil && tokens != 1 {
			t.Fatalf("%d token spans", tokens)
		}
	})
}
