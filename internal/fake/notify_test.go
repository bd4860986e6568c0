package fake

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// okAfter answers 503 n times, then 200 "ok".
func okAfter(n int32) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) <= n {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	return srv, &calls
}

func checkOK(resp *http.Response, body []byte) string {
	if resp.StatusCode != http.StatusOK || string(body) != "ok" {
		return "status " + resp.Status
	}
	return ""
}

func newTestNotifier(srv *httptest.Server, acked *atomic.Int32) *Notifier {
	return NewNotifier("faketest", func(string) *http.Client { return srv.Client() }, checkOK, func(string) { acked.Add(1) })
}

func TestNotifierRetriesUntilAcknowledged(t *testing.T) {
	srv, calls := okAfter(2)
	defer srv.Close()
	var acked atomic.Int32
	n := newTestNotifier(srv, &acked)
	defer n.Close()
	n.Send("id-1", srv.URL, "application/json", []byte(`{}`), []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := n.WaitNotified(ctx, "id-1")
	if err != nil || !d.Acknowledged || string(d.Body) != "ok" {
		t.Fatalf("WaitNotified = %+v, %v", d, err)
	}
	ds := n.Deliveries("id-1")
	if len(ds) != 3 || ds[0].Acknowledged || ds[0].Refused == "" || ds[0].Status != http.StatusServiceUnavailable {
		t.Fatalf("deliveries %+v", ds)
	}
	if calls.Load() != 3 || acked.Load() != 1 {
		t.Fatalf("%d calls, %d acks", calls.Load(), acked.Load())
	}
	again, err := n.Redeliver(ctx, "id-1")
	if err != nil || !again.Acknowledged || len(n.Deliveries("id-1")) != 4 {
		t.Fatalf("Redeliver = %+v, %v", again, err)
	}
}

func TestNotifierSaysWhyItWasNotAcknowledged(t *testing.T) {
	srv, _ := okAfter(100)
	defer srv.Close()
	var acked atomic.Int32
	n := newTestNotifier(srv, &acked)
	defer n.Close()
	ctx := context.Background()
	if _, err := n.Redeliver(ctx, "never"); !errors.Is(err, ErrNothingToRedeliver) {
		t.Fatalf("Redeliver of nothing: %v", err)
	}

	n.Send("id-2", srv.URL, "application/json", nil, []time.Duration{time.Millisecond})
	_, err := n.WaitNotified(ctx, "id-2")
	if !errors.Is(err, errGaveUp) || !containsAll(err.Error(), "id-2", "2 deliveries", "503") {
		t.Fatalf("after the schedule: %v", err)
	}

	// Still refused when the caller stops waiting.
	n.Send("id-3", srv.URL, "application/json", nil, []time.Duration{time.Hour})
	short, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := n.WaitNotified(short, "id-3"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
	n.Close() // stops the hour-long wait
	if got := len(n.Deliveries("id-3")); got != 1 {
		t.Fatalf("%d deliveries after Close, want 1", got)
	}
	if acked.Load() != 0 {
		t.Fatal("nothing was acknowledged")
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
