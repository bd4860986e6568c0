// Package chaos is the acceptance run of the SDK's exactly-once promise: many
// payments over all five providers, several merchant replicas sharing one
// claims store, the merchant's own loop repeating every call on a random
// replica until it is settled, and the fakes misbehaving all the while
// (connections dropped before and after processing, 5xx, replies slower
// than the client's timeout, HTTP/2 resets and GOAWAY, hung token
// endpoints, redelivered and concurrent notifications, a replica stopped
// mid-run). It prints one line of counts; the run passes only with no
// payment charged twice, none left unsettled, and every payment the shopper
// completed charged once and reported once.
//
// Each provider plays its part through a Provider (see the _test files);
// the loop, the faults, the replicas and the counting are written once,
// here. The run is TestChaos; PAYWIDGET_CHAOS_N sets the number of payments
// and PAYWIDGET_POSTGRES_DSN makes the replicas share a PostgreSQL store.
package chaos

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/internal/fake"
)

// Fake is what the run needs of a provider's fake: its fault script.
type Fake interface {
	Fail(method, path string, faults ...fake.Fault)
}

// Target is an endpoint the run may strike with a fault, and the faults
// that make sense there.
type Target struct {
	Method, Path string
	// Kinds are the faults to play on it; nil means every transport fault
	// of the wire (see faultsFor).
	Kinds []string
}

// Env is what a Provider gets to build its replicas.
type Env struct {
	// Store is the claims store every replica shares.
	Store claims.Store
	// Replicas is how many merchant replicas to build.
	Replicas int
	// HTTPS makes the fake serve HTTPS with HTTP/2 (its NewTLSServer) and
	// the replicas speak HTTP/2 to it.
	HTTPS bool
	// Client returns a fresh *http.Client for one replica: the run's short
	// timeout, TLS trusting the fakes when HTTPS.
	Client func() *http.Client
	// Lease is the claim lease every replica's client and handler uses.
	Lease time.Duration
	// Live reports whether replica i is still running: a stopped replica's
	// handlers answer 503, as a load balancer with a dead backend would.
	Live func(i int) bool
}

// Step is what one call of Payment.Step achieved.
type Step int

const (
	// Progressed: the step was done (or found done); call again for the next.
	Progressed Step = iota + 1
	// Finished: the payment reached its end (paid and, where the flow has
	// them, refunded or captured; or declined).
	Finished
)

// Payment is one payment's flow at one provider: a state machine the
// merchant's loop drives, one step at a time, on whichever replica it
// picks. Step must be safe to call concurrently for one payment (the loop
// sometimes repeats a step in two replicas at once, as a second tab would).
type Payment interface {
	// Step runs the payment's next step on replica r.
	Step(ctx context.Context, r int) (Step, error)
	// Completed counts the money operations of the payment that were
	// completed (a charge, a capture, a refund): each must have reached the
	// provider exactly once.
	Completed() int
	// String says where the payment stands (its reference and step), for
	// the report of an unsettled one; never a secret.
	String() string
}

// Rig is one provider brought up for the run.
type Rig interface {
	// Fake is the fake the faults are scripted on.
	Fake() Fake
	// Targets lists the endpoints to strike.
	Targets() []Target
	// NewPayment starts payment i.
	NewPayment(i int) Payment
	// Charges counts, for each payment the fake was asked to charge, how
	// many charging requests of it the fake processed.
	Charges() map[string]int
	// Reports counts, for each payment, how many times the merchant's
	// Report ran for its notification; nil when the flow has none.
	Reports() map[string]int
	// Redeliver sends the notifications of up to n paid payments again,
	// each twice concurrently, and returns how many it sent.
	Redeliver(ctx context.Context, n int) int
	// Close stops the fake and the replicas' servers.
	Close()
}

// Provider is one provider's part of the run.
type Provider struct {
	Name  string
	Start func(env Env) (Rig, error)
}

// Config sets up a run.
type Config struct {
	Providers []Provider
	// Payments is the total number of payments, spread over the providers.
	Payments int
	// Workers is how many payments are in flight at once.
	Workers  int
	Replicas int
	Store    claims.Store
	// Timeout is each replica's HTTP client timeout; Lease must exceed it.
	Timeout, Lease time.Duration
	// FaultRate is the chance that a step's request meets a fault.
	FaultRate float64
	// HTTPS runs every provider over HTTP/2 with TLS; false alternates
	// providers between the wires.
	HTTPS bool
	// Budget bounds how long the loop keeps repeating one payment.
	Budget time.Duration
	// Client builds a replica's HTTP client for the wire.
	Client func(https bool) *http.Client
	Seed   uint64
}

// Tally is what a run measured.
type Tally struct {
	Payments, Completed, Repeats int64
	Faults                       map[string]int64
	ChargedOnce, ChargedTwice    int64
	ChargedNever                 int64 // completed payments the fake never charged
	Unsettled                    int64
	ReportedOnce, ReportedTwice  int64
	ReportedNever                int64
	StoppedReplicas              int64
	Wall                         time.Duration
	Errors                       []string // a sample of what unsettled payments last saw
	// Twice names (a sample of) the references charged more than once.
	Twice []string
}

// Line is the run's one printed line.
func (t *Tally) Line() string {
	kinds := make([]string, 0, len(t.Faults))
	for k := range t.Faults {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var f strings.Builder
	for i, k := range kinds {
		if i > 0 {
			f.WriteByte(' ')
		}
		fmt.Fprintf(&f, "%s=%d", k, t.Faults[k])
	}
	return fmt.Sprintf("chaos: payments=%d completed=%d repeats=%d faults{%s} charged once=%d twice=%d never=%d unsettled=%d notifications reported once=%d twice=%d never=%d replicas stopped=%d wall=%s",
		t.Payments, t.Completed, t.Repeats, f.String(), t.ChargedOnce, t.ChargedTwice, t.ChargedNever,
		t.Unsettled, t.ReportedOnce, t.ReportedTwice, t.ReportedNever, t.StoppedReplicas, t.Wall.Round(time.Millisecond))
}

// OK reports whether the run kept the promise: nothing charged twice,
// nothing unsettled, every completed payment charged once and reported once.
func (t *Tally) OK() bool {
	return t.ChargedTwice == 0 && t.Unsettled == 0 && t.ChargedNever == 0 &&
		t.ReportedTwice == 0 && t.ReportedNever == 0 && t.Completed == t.ChargedOnce
}

type counter struct {
	mu sync.Mutex
	m  map[string]int64
}

func (c *counter) add(k string, n int64) {
	c.mu.Lock()
	c.m[k] += n
	c.mu.Unlock()
}

// faultKinds are the faults the run plays, by name; h2 ones only over HTTPS.
var faultKinds = map[string]struct {
	f  fake.Fault
	h2 bool
}{
	"drop-before": {f: fake.Fault{Kind: fake.DropBefore}},
	"drop-after":  {f: fake.Fault{Kind: fake.DropAfter}},
	"5xx":         {f: fake.Fault{Kind: fake.Status, Status: http.StatusBadGateway}},
	"503":         {f: fake.Fault{Kind: fake.Status, Status: http.StatusServiceUnavailable}},
	"slow":        {f: fake.Fault{Kind: fake.Hang}}, // Delay set from the timeout
	"rst-stream":  {f: fake.Fault{Kind: fake.ResetProtocol}, h2: true},
	"goaway":      {f: fake.Fault{Kind: fake.GoAwayAfter}, h2: true},
	"refused":     {f: fake.Fault{Kind: fake.RefusedStream}, h2: true},
}

// faultsFor lists the fault names that apply to a target over a wire.
func faultsFor(t Target, https bool) []string {
	var out []string
	names := t.Kinds
	if names == nil {
		for k := range faultKinds {
			names = append(names, k)
		}
		sort.Strings(names)
	}
	for _, k := range names {
		fk, ok := faultKinds[k]
		if !ok && k != "token-hang" {
			continue
		}
		if fk.h2 && !https {
			continue
		}
		out = append(out, k)
	}
	return out
}

// Run runs the chaos and returns what it measured.
func Run(ctx context.Context, cfg Config) (*Tally, error) {
	if cfg.Lease <= cfg.Timeout {
		return nil, errors.New("chaos: the lease must exceed the client timeout")
	}
	start := time.Now()
	tally := &Tally{}
	faults := &counter{m: map[string]int64{}}
	var stopped [16]atomic.Bool
	live := func(i int) bool { return !stopped[i].Load() }

	type rigged struct {
		p     Provider
		rig   Rig
		https bool
	}
	var rigs []rigged
	defer func() {
		for _, r := range rigs {
			r.rig.Close()
		}
	}()
	for i, p := range cfg.Providers {
		https := cfg.HTTPS || i%2 == 1
		rig, err := p.Start(Env{Store: cfg.Store, Replicas: cfg.Replicas, HTTPS: https,
			Client: func() *http.Client { return cfg.Client(https) }, Lease: cfg.Lease, Live: live})
		if err != nil {
			return nil, fmt.Errorf("chaos: start %s: %w", p.Name, err)
		}
		rigs = append(rigs, rigged{p, rig, https})
	}

	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	var rngMu sync.Mutex
	randN := func(n int) int {
		rngMu.Lock()
		defer rngMu.Unlock()
		return rng.IntN(n)
	}
	chance := func(p float64) bool {
		rngMu.Lock()
		defer rngMu.Unlock()
		return rng.Float64() < p
	}

	// strike scripts one fault on a random target of rig.
	strike := func(r rigged) {
		ts := r.rig.Targets()
		t := ts[randN(len(ts))]
		kinds := faultsFor(t, r.https)
		if len(kinds) == 0 {
			return
		}
		k := kinds[randN(len(kinds))]
		var f fake.Fault
		if k == "token-hang" {
			f = fake.Fault{Kind: fake.Hang, Delay: 3 * cfg.Timeout}
		} else {
			f = faultKinds[k].f
			if f.Kind == fake.Hang {
				f.Delay = 2 * cfg.Timeout
			}
		}
		r.rig.Fake().Fail(t.Method, t.Path, f)
		faults.add(k, 1)
	}

	pickReplica := func() int {
		for {
			i := randN(cfg.Replicas)
			if live(i) {
				return i
			}
		}
	}
	// Each replica's calls run under its own context: stopping a replica
	// cancels whatever it had in flight, as a process that dies would.
	repCtx := make([]context.Context, cfg.Replicas)
	repStop := make([]context.CancelFunc, cfg.Replicas)
	for i := range repCtx {
		repCtx[i], repStop[i] = context.WithCancel(ctx)
		defer repStop[i]()
	}
	step := func(p Payment) (Step, error) {
		r := pickReplica()
		return p.Step(repCtx[r], r)
	}

	type job struct {
		r rigged
		i int
	}
	jobs := make(chan job)
	var payments []Payment
	var pmu sync.Mutex
	var wg sync.WaitGroup
	var done atomic.Int64
	var errSample sync.Map
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				p := j.r.rig.NewPayment(j.i)
				pmu.Lock()
				payments = append(payments, p)
				pmu.Unlock()
				deadline := time.Now().Add(cfg.Budget)
				lastErr := ""
				repeat := false // the last step failed: the next call repeats it
				for {
					if ctx.Err() != nil || time.Now().After(deadline) {
						atomic.AddInt64(&tally.Unsettled, 1)
						errSample.Store(fmt.Sprintf("%s#%d", j.r.p.Name, j.i), fmt.Sprintf("%s: %s: %s", j.r.p.Name, p, lastErr))
						break
					}
					if repeat {
						atomic.AddInt64(&tally.Repeats, 1)
					}
					if chance(cfg.FaultRate) {
						strike(j.r)
					}
					var st Step
					var err error
					if chance(0.05) {
						// A second tab: the same step on two replicas at once.
						var w2 sync.WaitGroup
						w2.Add(1)
						go func() {
							defer w2.Done()
							_, _ = step(p)
						}()
						st, err = step(p)
						w2.Wait()
						atomic.AddInt64(&tally.Repeats, 1)
					} else {
						st, err = step(p)
					}
					if err != nil {
						lastErr = err.Error()
						wait := time.Duration(1+randN(20)) * time.Millisecond
						var later *LaterError
						repeat = true
						if errors.As(err, &later) {
							wait = min(max(later.After, wait), cfg.Lease/4)
							repeat = !later.Poll
						}
						time.Sleep(wait)
						continue
					}
					repeat = false
					if st == Finished {
						break
					}
				}
				if n := done.Add(1); n == int64(cfg.Payments/2) && cfg.Replicas > 1 {
					// One replica stops mid-run: whatever it held waits for
					// its lease, and the others take over.
					stopped[cfg.Replicas-1].Store(true)
					repStop[cfg.Replicas-1]()
					atomic.AddInt64(&tally.StoppedReplicas, 1)
				}
			}
		}()
	}

	// Redeliveries run beside the payments.
	redeliverCtx, stopRedeliver := context.WithCancel(ctx)
	var rwg sync.WaitGroup
	rwg.Add(1)
	go func() {
		defer rwg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-redeliverCtx.Done():
				return
			case <-t.C:
				r := rigs[randN(len(rigs))]
				if n := r.rig.Redeliver(redeliverCtx, 2); n > 0 {
					faults.add("redelivered", int64(n))
				}
			}
		}
	}()

	for i := range cfg.Payments {
		jobs <- job{rigs[i%len(rigs)], i}
	}
	close(jobs)
	wg.Wait()
	stopRedeliver()
	rwg.Wait()

	tally.Payments = int64(cfg.Payments)
	for _, p := range payments {
		tally.Completed += int64(p.Completed())
	}
	for _, r := range rigs {
		for k, n := range r.rig.Charges() {
			switch {
			case n == 1:
				tally.ChargedOnce++
			case n > 1:
				tally.ChargedTwice++
			}
			if n > 1 && len(tally.Twice) < 10 {
				tally.Twice = append(tally.Twice, fmt.Sprintf("%s:%s×%d", r.p.Name, k, n))
			}
		}
		if reps := r.rig.Reports(); reps != nil {
			for _, n := range reps {
				switch {
				case n == 0:
					tally.ReportedNever++
				case n == 1:
					tally.ReportedOnce++
				default:
					tally.ReportedTwice++
				}
			}
		}
	}
	tally.ChargedNever = max(0, tally.Completed-tally.ChargedOnce-tally.ChargedTwice)
	tally.Faults = faults.m
	tally.Wall = time.Since(start)
	errSample.Range(func(_, v any) bool {
		if len(tally.Errors) < 12 {
			tally.Errors = append(tally.Errors, v.(string))
		}
		return true
	})
	return tally, nil
}

// LaterError is what a Payment's Step returns when the step cannot be
// taken yet (another replica holds the reference, a notification is still
// on its way): the loop comes back after After.
type LaterError struct {
	After time.Duration
	Why   string
	// Poll marks a wait on the merchant's own records (a notification not
	// yet reported): coming back is not a repeated call to the provider.
	Poll bool
}

func (e *LaterError) Error() string { return "later: " + e.Why }

// Later is the LaterError of a call the SDK said to repeat after d (in
// progress elsewhere).
func Later(d time.Duration, why string) error { return &LaterError{After: d, Why: why} }

// Poll is the LaterError of a wait on the merchant's own records.
func Poll(d time.Duration, why string) error { return &LaterError{After: d, Why: why, Poll: true} }
