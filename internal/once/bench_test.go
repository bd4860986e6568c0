package once_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/internal/once"
)

// BenchmarkDo measures what the repeatable form adds to a call, with the
// provider's look-up and send stubbed out (they cost what the plain calls
// cost): the claim with its fingerprint, the done mark, the deadline and
// the bookkeeping, on the in-memory claims store, each iteration a new
// reference as in real use. "repeat" is a repeat of a done reference (the
// claim answers Done and the record is looked up).
func BenchmarkDo(b *testing.B) {
	ctx := context.Background()
	var g once.Guard
	call := func(ref string) once.Call[int64] {
		return once.Call[int64]{
			Provider: "bench", Key: "bench:pay:" + ref, Reference: ref,
			Fingerprint: once.Fingerprint("1999", "CAD", "card-1"),
			Lookup:      func(context.Context) (int64, bool, error) { return 0, false, nil },
			Send:        func(context.Context) (int64, error) { return 1999, nil },
		}
	}
	b.Run("new reference", func(b *testing.B) {
		g = once.Guard{Store: claims.NewMemory(1<<22, time.Hour), Lease: time.Minute}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if _, err := once.Do(ctx, g, call("r"+strconv.Itoa(i))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("repeat", func(b *testing.B) {
		g = once.Guard{Store: claims.NewMemory(0, 0), Lease: time.Minute}
		c := call("done")
		if _, err := once.Do(ctx, g, c); err != nil {
			b.Fatal(err)
		}
		c.Lookup = func(context.Context) (int64, bool, error) { return 1999, true, nil }
		b.ReportAllocs()
		for b.Loop() {
			if _, err := once.Do(ctx, g, c); err != nil {
				b.Fatal(err)
			}
		}
	})
}
