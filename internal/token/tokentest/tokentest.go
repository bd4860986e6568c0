// Package tokentest checks, for the SDK's own tests, that no token fetch
// of internal/token outlives what it was started for.
package tokentest

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// Fetches counts the goroutines running a token Cache's shared fetch, read
// from the runtime's goroutine stacks rather than from the cache's own
// bookkeeping, so that a leaked fetch shows even if that bookkeeping is
// wrong.
func Fetches() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "internal/token.(*Cache).run(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// WaitNoFetch waits, at most ten seconds, until no fetch goroutine is
// left, and fails tb if one still runs then.
func WaitNoFetch(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for Fetches() > 0 {
		if time.Now().After(deadline) {
			tb.Fatalf("%d token fetch goroutine(s) left behind", Fetches())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
