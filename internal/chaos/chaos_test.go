package chaos_test

import (
	"context"
	"crypto/tls"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/paywidget/paywidget-go/internal/chaos"
	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/internal/fake"
)

// chaosN is how many payments a plain go test runs; PAYWIDGET_CHAOS_N
// overrides it (.ci/run runs 10 000 on PostgreSQL).
func chaosN(t *testing.T) int {
	n := defaultN
	if v := os.Getenv("PAYWIDGET_CHAOS_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("PAYWIDGET_CHAOS_N=%q: want a positive number", v)
		}
	}
	return n
}

// sharedStore is the claims store the replicas share: PostgreSQL when
// PAYWIDGET_POSTGRES_DSN is set (a fresh table), memory otherwise.
func sharedStore(t *testing.T) (claims.Store, string) {
	dsn := os.Getenv("PAYWIDGET_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("PAYWIDGET_REQUIRE_POSTGRES") == "1" {
			t.Fatal("PAYWIDGET_REQUIRE_POSTGRES=1 but PAYWIDGET_POSTGRES_DSN is not set")
		}
		return claims.NewMemory(0, 0), "memory"
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(32)
	t.Cleanup(func() { db.Close() })
	table := fmt.Sprintf("chaos_%d", time.Now().UnixNano())
	s, err := claims.NewSQL(db, claims.WithTable(table))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateTable(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = db.Exec("DROP TABLE " + table) })
	return s, "postgresql"
}

// clientFor is a replica's HTTP client: a short timeout, HTTP/2 over TLS
// trusting the fakes when https.
func clientFor(t *testing.T, timeout time.Duration) func(https bool) *http.Client {
	return func(https bool) *http.Client {
		tr := &http.Transport{MaxIdleConnsPerHost: 64}
		if https {
			cfg, err := fake.ClientTLSConfig()
			if err != nil {
				t.Fatal(err)
			}
			tr.TLSClientConfig = cfg
			tr.ForceAttemptHTTP2 = true
		}
		t.Cleanup(tr.CloseIdleConnections)
		return &http.Client{Timeout: timeout, Transport: tr}
	}
}

func TestChaos(t *testing.T) {
	n := chaosN(t)
	store, kind := sharedStore(t)
	timeout := 500 * time.Millisecond
	cfg := chaos.Config{
		Providers: providers(t),
		Payments:  n,
		Workers:   64,
		Replicas:  3,
		Store:     store,
		Timeout:   timeout,
		Lease:     4 * timeout,
		FaultRate: 0.15,
		Budget:    30 * time.Second,
		Client:    clientFor(t, timeout),
		Seed:      uint64(time.Now().UnixNano()),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tally, err := chaos.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	line := tally.Line() + " store=" + kind
	fmt.Println(line)
	t.Log(line)
	if !tally.OK() {
		t.Errorf("the exactly-once promise was broken: %s; charged twice: %q; unsettled payments: %q", line, tally.Twice, tally.Errors)
	}
	if tally.Payments < int64(n) || tally.Completed == 0 {
		t.Errorf("the run did not do its payments: %s", line)
	}
}

// balancer is the load balancer in front of the replicas' handlers: each
// delivery goes to a random replica that passes its health check; a
// replica that stopped is taken out.
type balancer struct {
	env      chaos.Env
	handlers []http.Handler
	srv      *httptest.Server
}

func newBalancer(env chaos.Env, handlers []http.Handler) *balancer {
	b := &balancer{env: env, handlers: handlers}
	b.srv = httptest.NewUnstartedServer(b)
	if l, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		b.srv.Listener.Close()
		b.srv.Listener = l
	}
	b.srv.Start()
	return b
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var live []int
	for i := range b.handlers {
		if b.env.Live(i) {
			live = append(live, i)
		}
	}
	if len(live) == 0 {
		http.Error(w, "no replica up", http.StatusBadGateway)
		return
	}
	b.handlers[live[rand.IntN(len(live))]].ServeHTTP(w, r)
}

func (b *balancer) URL() string { return b.srv.URL }
func (b *balancer) Close()      { b.srv.Close() }

// ledger is the merchant's own record, shared by the replicas (their
// database): how many times each payment's notification was reported.
type ledger struct {
	mu      sync.Mutex
	reports map[string]int
}

func newLedger() *ledger { return &ledger{reports: map[string]int{}} }

func (l *ledger) report(ref string) {
	l.mu.Lock()
	l.reports[ref]++
	l.mu.Unlock()
}

func (l *ledger) reported(ref string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reports[ref] > 0
}

// expect makes ref a payment whose report is due (counted as never when
// it does not come).
func (l *ledger) expect(ref string) {
	l.mu.Lock()
	if _, ok := l.reports[ref]; !ok {
		l.reports[ref] = 0
	}
	l.mu.Unlock()
}

func (l *ledger) snapshot() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int, len(l.reports))
	for k, v := range l.reports {
		out[k] = v
	}
	return out
}

// charged counts, by the reference ref returns for each request body, the
// requests of method and path the fake processed and accepted (a refusal
// charges nothing and frees the reference for another try).
func charged(reqs []fake.Request, method, path string, ref func([]byte) string, accepted func(fake.Request) bool) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		if r.Method == method && r.Path == path && r.Processed && accepted(r) {
			if k := ref(r.Body); k != "" {
				out[k]++
			}
		}
	}
	return out
}

// tlsConfigured keeps the import used where a provider needs its own TLS.
var _ = tls.VersionTLS12

// unique makes references that no earlier run of the same fake used.
var runID atomic.Int64

func refPrefix(p string) string {
	return fmt.Sprintf("%s%d%d", p, time.Now().Unix()%100000, runID.Add(1))
}

// redeliverSome sends the notifications of up to n of the ids (picked at
// random) again, each twice at once as a provider's concurrent retries
// would, with redeliver (a fake's Redeliver), and returns how many it sent.
func redeliverSome(ctx context.Context, ids []string, n int, redeliver func(context.Context, string) (fake.Delivery, error)) int {
	sent := 0
	for i := 0; i < n && len(ids) > 0; i++ {
		id := ids[rand.IntN(len(ids))]
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = redeliver(ctx, id)
			}()
		}
		wg.Wait()
		sent += 2
	}
	return sent
}
