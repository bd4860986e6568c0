package claims_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

// The replica test's knobs. Time is compressed: a lease of one second, and
// the providers' retry schedules stretched or left so that their last
// retries come after it (IOTPay: 5 attempts, the n-th retry n × 300 ms after
// the one before, 3 s in all; KTPay: ktwidgettest.RetrySchedule, 7
// attempts over 6.3 s).
const (
	replicaPayments    = 1000 // half IOTPay, half KTPay
	replicaLease       = time.Second
	replicaWait        = 50 * time.Millisecond // a busy delivery waits this long, then is told to come back
	iotpayInterval     = 300 * time.Millisecond
	failRate           = 0.10 // the merchant's Report fails
	maxFailsPerPayment = 2    // ... at most this often for one payment, so that the providers' retries outlast it
	slowRate           = 0.20 // the merchant's Report is slow (20 to 300 ms)
	duplicateRate      = 0.25 // an extra, concurrent delivery of a notification
	declineRate        = 0.10 // KTPay payments denied: a failed verdict, reported once too
	killAfterReports   = 60   // replica 1 dies during its 60th Report
)

// replica is one merchant process: its own provider clients, handlers,
// *sql.DB and claims store, sharing the database with the others.
type replica struct {
	id      int
	db      *sql.DB
	handler http.Handler
	dead    atomic.Bool
	died    chan struct{}
	reports atomic.Int32
}

var errDead = errors.New("replica is dead")

// mortalStore is the replica's claims store: once the replica is dead it
// writes nothing more (no completion, no release), like a killed process.
type mortalStore struct {
	inner *claims.SQL
	r     *replica
}

func (m mortalStore) Claim(ctx context.Context, key string, lease time.Duration) (claims.Claim, error) {
	if m.r.dead.Load() {
		return claims.Claim{}, errDead
	}
	return m.inner.Claim(ctx, key, lease)
}

func (m mortalStore) Complete(ctx context.Context, key, token string) error {
	if m.r.dead.Load() {
		return errDead
	}
	return m.inner.Complete(ctx, key, token)
}

func (m mortalStore) Release(ctx context.Context, key, token string) error {
	if m.r.dead.Load() {
		return errDead
	}
	return m.inner.Release(ctx, key, token)
}

func (m mortalStore) CompleteWith(ctx context.Context, key, token string, work func(context.Context) error) error {
	return m.inner.CompleteWith(ctx, key, token, func(ctx context.Context) error {
		if err := work(ctx); err != nil {
			return err
		}
		if m.r.dead.Load() {
			return errDead // the process died before it committed
		}
		return nil
	})
}

// replicaStats are the test's counts.
type replicaStats struct {
	reportCalls, reportFails, slowReports, deadReports atomic.Int32
	frontRequests, acks, busy, failures, lostToDeath   atomic.Int32
	duplicates, status3Duplicates, ackViolations       atomic.Int32
}

// merchant is the shop's shared state: its orders (KTPay's cross-check)
// and, in PostgreSQL, the ledger Report writes.
type merchant struct {
	ledger string
	mu     sync.Mutex
	orders map[string]ktwidget.Expectation
	fails  map[string]int // injected Report failures per payment
	killed string         // the payment whose Report was running when replica 1 died
	rng    *rand.Rand
}

func (m *merchant) Expect(_ context.Context, n *ktwidget.Notification) (ktwidget.Expectation, error) {
	id := n.OrderID
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.orders[id]
	if !ok {
		return r, errors.New("unknown order")
	}
	return r, nil
}

func (m *merchant) chance(p float64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rng.Float64() < p
}

func (m *merchant) slowFor() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return time.Duration(20+m.rng.IntN(280)) * time.Millisecond
}

// report is the merchant's Report on replica r: it records the payment in
// the ledger inside the claim's transaction, is slow at random, fails at
// random after writing (so the write must roll back), and on replica 1 the
// killAfterReports-th call kills the replica mid-report.
func (m *merchant) report(r *replica, st *replicaStats, payment, verdict string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		st.reportCalls.Add(1)
		n := r.reports.Add(1)
		if r.id == 1 && n == killAfterReports {
			m.mu.Lock()
			m.killed = payment
			m.mu.Unlock()
			r.dead.Store(true)
			close(r.died)
		}
		if r.dead.Load() {
			st.deadReports.Add(1)
			<-ctx.Done() // a dead process never finishes
			return ctx.Err()
		}
		tx, ok := claims.TxFrom(ctx)
		if !ok {
			return errors.New("no transaction")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+m.ledger+` (payment, verdict, replica) VALUES ($1, $2, $3)`, payment, verdict, r.id); err != nil {
			return err
		}
		if m.chance(slowRate) {
			st.slowReports.Add(1)
			select {
			case <-time.After(m.slowFor()):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		m.mu.Lock()
		fail := m.fails[payment] < maxFailsPerPayment && m.rng.Float64() < failRate
		if fail {
			m.fails[payment]++
		}
		m.mu.Unlock()
		if fail {
			st.reportFails.Add(1)
			return errors.New("merchant database write failed")
		}
		return nil
	}
}

// Three replicas sharing one PostgreSQL behind a round-robin front; the
// provider fakes deliver 1000 payments with their retry schedules
// (compressed), plus duplicate and concurrent deliveries; the merchant's
// Report fails and is slow at random; one replica dies mid-report. Every
// payment's verdict must end up reported exactly once, and no delivery may
// be acknowledged before its Report committed.
func TestReplicasReportEveryPaymentExactlyOnce(t *testing.T) {
	dsn := os.Getenv("PAYWIDGET_POSTGRES_DSN")
	admin := postgres(t)
	ctx := context.Background()
	table := freshTable(t, admin)
	ledger := freshTable(t, admin)
	_, err := admin.Exec(`CREATE TABLE ` + ledger + ` (payment TEXT NOT NULL, verdict TEXT NOT NULL, replica INT NOT NULL)`)
	require.NoError(t, err)

	iot := iotpaytest.NewServer(t)
	iot.SetNotifyInterval(iotpayInterval)
	iot.BindCard("card-1")
	kt := ktwidgettest.NewServer(t)

	m := &merchant{ledger: ledger, orders: map[string]ktwidget.Expectation{}, fails: map[string]int{}, rng: rand.New(rand.NewPCG(13, 2026))}
	st := &replicaStats{}
	replicas := make([]*replica, 3)
	for i := range replicas {
		r := &replica{id: i, died: make(chan struct{})}
		r.db, err = sql.Open("pgx", dsn)
		require.NoError(t, err)
		r.db.SetMaxOpenConns(20)
		t.Cleanup(func() { r.db.Close() })
		inner, err := claims.NewSQL(r.db, claims.WithTable(table), claims.WithWorkInTx())
		require.NoError(t, err)
		require.NoError(t, inner.CreateTable(ctx))
		store := mortalStore{inner: inner, r: r}
		iotClient, err := iot.NewClient()
		require.NoError(t, err)
		ktClient, err := kt.NewClient()
		require.NoError(t, err)
		mux := http.NewServeMux()
		mux.Handle("POST /iotpay/notify", &iotpay.NotificationHandler{Client: iotClient, Store: store, Lease: replicaLease, Wait: replicaWait,
			Expect: func(_ context.Context, o *iotpay.Order) (iotpay.Expectation, error) {
				return iotpay.Expectation{MchOrderNo: o.MchOrderNo, Amount: o.Amount}, nil // not what this test is about
			},
			Report: func(ctx context.Context, o *iotpay.Order) error {
				return m.report(r, st, "iotpay:"+o.PayOrderID, o.Status.Outcome())(ctx)
			}})
		mux.Handle("POST /kt/notify", &ktwidget.NotificationHandler{Client: ktClient, Expect: m.Expect, Store: store, Lease: replicaLease, Wait: replicaWait,
			Report: func(ctx context.Context, n *ktwidget.Notification) error {
				verdict := "failed"
				if n.Paid() {
					verdict = "paid"
				}
				return m.report(r, st, "ktpay:"+n.TransactionHash, verdict)(ctx)
			}})
		r.handler = mux
		replicas[i] = r
	}

	checker, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	checker.SetMaxOpenConns(8)
	t.Cleanup(func() { checker.Close() })
	committed := func(payment string) int {
		var n int
		if err := checker.QueryRow(`SELECT count(*) FROM `+ledger+` WHERE payment = $1`, payment).Scan(&n); err != nil {
			t.Errorf("ledger: %v", err)
		}
		return n
	}

	// The load balancer: round robin over live replicas. A request in
	// flight on a replica that dies gets a 502, as from a real balancer.
	var next atomic.Uint64
	var frontURL string
	var dupClient *http.Client
	var dupWG sync.WaitGroup
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		st.frontRequests.Add(1)
		body, _ := io.ReadAll(req.Body)
		payment, dup := paymentOf(req.URL.Path, body)
		// Now and then the provider (or a network hiccup) delivers the same
		// notification again, concurrently with this delivery and its own
		// retries; for IOTPay sometimes as status 3 (paid and acknowledged),
		// the same fact.
		if req.Header.Get("X-Duplicate") == "" && dup != nil && m.chance(duplicateRate) {
			st.duplicates.Add(1)
			again := dup
			if strings.HasPrefix(payment, "iotpay:") && m.chance(0.5) {
				st.status3Duplicates.Add(1)
				again = asStatus3(t, dup)
			}
			target := frontURL + req.URL.RequestURI()
			dupWG.Add(1)
			go func() {
				defer dupWG.Done()
				time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
				dreq, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(again))
				dreq.Header.Set("Content-Type", "application/json")
				dreq.Header.Set("X-Duplicate", "1")
				if resp, err := dupClient.Do(dreq); err == nil {
					resp.Body.Close()
				}
			}()
		}
		var r *replica
		for r == nil || r.dead.Load() {
			r = replicas[next.Add(1)%uint64(len(replicas))]
		}
		inner := req.Clone(req.Context())
		inner.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() { defer close(done); r.handler.ServeHTTP(rec, inner) }()
		select {
		case <-done:
		case <-r.died:
			st.lostToDeath.Add(1)
			http.Error(w, "upstream died", http.StatusBadGateway)
			return
		}
		ack := rec.Code == http.StatusOK && (strings.TrimSpace(rec.Body.String()) == "SUCCESS" || rec.Body.String() == ktwidget.Ack)
		switch {
		case ack:
			st.acks.Add(1)
			if n := committed(payment); n != 1 {
				st.ackViolations.Add(1)
				t.Errorf("%s acknowledged with %d committed reports", payment, n)
			}
		case rec.Code == http.StatusServiceUnavailable:
			st.busy.Add(1)
		default:
			st.failures.Add(1)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	defer front.Close()
	frontURL = front.URL
	dupClient = front.Client()

	// The shoppers pay, a few at a time.
	start := time.Now()
	type payment struct {
		key, verdict string
		ack          func() bool
	}
	var pmu sync.Mutex
	var payments []payment
	// The shop's notification addresses are configuration: the front.
	iotCfg := iot.Config()
	iotCfg.NotifyURL = front.URL + "/iotpay/notify"
	iotClient, err := iotpay.New(iotCfg, iotpay.WithBaseURL(iot.URL), iotpay.WithHTTPClient(iot.Client()))
	require.NoError(t, err)
	ktCfg := kt.Config()
	ktCfg.CallbackBase = front.URL + "/kt/notify"
	ktClient, err := ktwidget.New(ktCfg, ktwidget.WithBaseURL(kt.URL), ktwidget.WithHTTPClient(kt.Client()))
	require.NoError(t, err)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if i%2 == 0 {
					o, err := iotClient.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: fmt.Sprint("o-", i), CardID: "card-1",
						Amount: iotpay.AmountFromMinor(int64(100 + i))})
					if !assert.NoError(t, err) {
						continue
					}
					id := o.PayOrderID
					pmu.Lock()
					payments = append(payments, payment{key: "iotpay:" + id, verdict: "paid", ack: func() bool { return acknowledged(iot.Deliveries(id)) }})
					pmu.Unlock()
					continue
				}
				orderID := fmt.Sprint("kt-", i)
				o := &ktwidget.Order{OrderID: orderID, Amount: ktwidget.MustParseAmount(fmt.Sprint(1000+i, ".50")), Type: ktwidget.TypeEcom,
					Description: "Copper kettle"}
				p, err := ktClient.CreatePayment(ctx, o, nil)
				if !assert.NoError(t, err) {
					continue
				}
				m.mu.Lock()
				m.orders[orderID] = ktwidget.Expectation{TransactionHash: p.TransactionHash, Amount: o.Amount}
				m.mu.Unlock()
				card, verdict := "4111111111111111", "paid"
				if m.chance(declineRate) {
					card, verdict = "4000000000000002", "failed"
				}
				resp, err := kt.Client().PostForm(kt.URL+"/payment-card/pay", url.Values{"hash": {p.TransactionHash}, "card": {card}, "expiry": {"12/30"}, "cvc": {"123"}})
				if !assert.NoError(t, err) {
					continue
				}
				resp.Body.Close()
				hash := p.TransactionHash
				pmu.Lock()
				payments = append(payments, payment{key: "ktpay:" + hash, verdict: verdict, ack: func() bool { return acknowledged(kt.Deliveries(hash)) }})
				pmu.Unlock()
			}
		}()
	}
	for i := range replicaPayments {
		jobs <- i
		time.Sleep(4 * time.Millisecond) // about 250 payments a second
	}
	close(jobs)
	wg.Wait()
	created := time.Now()

	// Wait for the providers: every notification acknowledged, or their
	// retries run out (KTPay's schedule is the longer: 6.3 s).
	deadline := created.Add(10 * time.Second)
	for time.Now().Before(deadline) {
		pending := 0
		for _, p := range payments {
			if !p.ack() {
				pending++
			}
		}
		if pending == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	dupWG.Wait()

	// The ledger: one committed report per payment, with its verdict.
	rows, err := admin.Query(`SELECT payment, verdict, count(*) FROM ` + ledger + ` GROUP BY payment, verdict`)
	require.NoError(t, err)
	got := map[string]map[string]int{}
	byReplica := map[int]int{}
	for rows.Next() {
		var p, v string
		var n int
		require.NoError(t, rows.Scan(&p, &v, &n))
		if got[p] == nil {
			got[p] = map[string]int{}
		}
		got[p][v] = n
	}
	require.NoError(t, rows.Err())
	rrows, err := admin.Query(`SELECT replica, count(*) FROM ` + ledger + ` GROUP BY replica`)
	require.NoError(t, err)
	for rrows.Next() {
		var r, n int
		require.NoError(t, rrows.Scan(&r, &n))
		byReplica[r] = n
	}
	var paid, failed, acked, unacked, twice, missing int
	for _, p := range payments {
		switch n := got[p.key][p.verdict]; {
		case n == 0:
			missing++
			t.Errorf("%s (%s) was never reported", p.key, p.verdict)
		case n > 1:
			twice++
			t.Errorf("%s (%s) was reported %d times", p.key, p.verdict, n)
		}
		if len(got[p.key]) > 1 {
			t.Errorf("%s reported with several verdicts: %v", p.key, got[p.key])
		}
		if p.verdict == "paid" {
			paid++
		} else {
			failed++
		}
		if p.ack() {
			acked++
		} else {
			unacked++
		}
	}
	assert.Equal(t, replicaPayments, len(payments))
	assert.Len(t, got, len(payments), "no report of a payment that was not made")
	assert.Zero(t, st.ackViolations.Load(), "acknowledged before the report committed")
	assert.Zero(t, unacked, "every notification acknowledged before the providers' retries ran out")
	require.True(t, replicas[1].dead.Load(), "replica 1 died mid-report")
	assert.Positive(t, st.deadReports.Load())
	// The dead replica's claim was left in progress; once its lease ran out
	// a live replica took it over and reported it.
	var takenOverBy int
	require.NoError(t, admin.QueryRow(`SELECT replica FROM `+ledger+` WHERE payment = $1`, m.killed).Scan(&takenOverBy))
	assert.NotEqual(t, 1, takenOverBy)
	assert.Positive(t, st.busy.Load(), "some deliveries found their notification in progress and were told to come back")
	assert.Positive(t, st.reportFails.Load())

	summary := fmt.Sprintf("replica test: %d payments (%d paid, %d failed) in %.1fs; front requests %d (duplicates %d, of them IOTPay status 3: %d); "+
		"acks %d, come-back 503s %d, other failures %d, lost with the dead replica %d; Report calls %d (failed %d, slow %d, hung on the dead replica %d); "+
		"the payment hung on the dead replica taken over by replica %d after the lease; ledger by replica %v; reported once %d, twice %d, never %d; acknowledged %d, unacknowledged %d; acknowledged before commit %d",
		len(payments), paid, failed, time.Since(start).Seconds(), st.frontRequests.Load(), st.duplicates.Load(), st.status3Duplicates.Load(),
		st.acks.Load(), st.busy.Load(), st.failures.Load(), st.lostToDeath.Load(), st.reportCalls.Load(), st.reportFails.Load(), st.slowReports.Load(),
		st.deadReports.Load(), takenOverBy, byReplica, len(payments)-twice-missing, twice, missing, acked, unacked, st.ackViolations.Load())
	t.Log(summary)
	if testing.Verbose() {
		fmt.Println(summary) // one line .ci/run shows
	}
}

// paymentOf returns the ledger key a notification is about, and its body
// for a duplicate delivery.
func paymentOf(path string, body []byte) (string, []byte) {
	var v struct {
		PayOrderID string `json:"payOrderId"`
		Hash       string `json:"transaction_hash"`
	}
	if json.Unmarshal(body, &v) != nil {
		return "", nil
	}
	if strings.HasPrefix(path, "/iotpay/") {
		return "iotpay:" + v.PayOrderID, body
	}
	return "ktpay:" + v.Hash, body
}

// asStatus3 re-signs an IOTPay notification with status 3 (paid and
// acknowledged): the same fact, to be reported once with status 2's.
func asStatus3(t *testing.T, body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var p iotpay.Params
	if err := dec.Decode(&p); err != nil {
		t.Errorf("notification: %v", err)
		return body
	}
	delete(p, "sign")
	p["status"] = json.Number("3")
	p["sign"] = iotpay.Sign(p, iotpaytest.Key)
	b, _ := json.Marshal(map[string]any(p))
	return b
}

// acknowledged reports whether one of the deliveries was acknowledged.
func acknowledged(ds []ktwidgettest.Delivery) bool {
	for _, d := range ds {
		if d.Acknowledged {
			return true
		}
	}
	return false
}
