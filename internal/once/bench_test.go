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
// cost): the fingerprint, the claim, the done mark, the deadline and the
// bookkeeping, on the in-memory claims store a Config without Claims gets
// (NewMemory(0, 0): 100 000 keys), each iteration a new reference as in
// real use. "new reference" runs with the store full, as a merchant's is
// after its first 100 000 payments (each new key evicts the oldest);
// "new reference, growing store" with a store that only grows (its map's
// growth included). "repeat" is a repeat of a done reference (the claim
// answers Done and the record is looked up).
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
	newReferences := func(b *testing.B, store *claims.Memory, i int) {
		g = once.Guard{Store: store, Lease: time.Minute}
		b.ReportAllocs()
		for b.Loop() {
			i++
			if _, err := once.Do(ctx, g, call("r"+strconv.Itoa(i))); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("new reference", func(b *testing.B) {
		full := claims.NewMemory(0, 0)
		const capacity = 100_000 // NewMemory's default
		for i := range capacity {
			if _, err := once.Do(ctx, once.Guard{Store: full, Lease: time.Minute}, call("r"+strconv.Itoa(i))); err != nil {
				b.Fatal(err)
			}
		}
		if full.Len() != capacity {
			b.Fatalf("store holds %d keys, want %d", full.Len(), capacity)
		}
		newReferences(b, full, capacity)
	})
	b.Run("new reference, growing store", func(b *testing.B) {
		newReferences(b, claims.NewMemory(1<<22, time.Hour), 0)
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
