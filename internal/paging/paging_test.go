package paging

import (
	"context"
	"errors"
	"testing"
)

func pages(n, size int) func(context.Context, int) ([]int, bool, error) {
	return func(_ context.Context, page int) ([]int, bool, error) {
		var out []int
		for i := page * size; i < (page+1)*size && i < n; i++ {
			out = append(out, i)
		}
		return out, len(out) == size, nil
	}
}

func TestAllWalksEveryPage(t *testing.T) {
	var got []int
	for v, err := range All(context.Background(), 0, pages(7, 3)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if len(got) != 7 || got[6] != 6 {
		t.Fatalf("got %v", got)
	}
}

func TestAllStopsOnBreakAndError(t *testing.T) {
	fetched := 0
	fetch := func(ctx context.Context, page int) ([]int, bool, error) {
		fetched++
		return pages(100, 2)(ctx, page)
	}
	for v := range All(context.Background(), 0, fetch) {
		if v == 2 {
			break
		}
	}
	if fetched != 2 {
		t.Fatalf("fetched %d pages after a break on the second, want 2", fetched)
	}
	boom := errors.New("boom")
	n := 0
	for _, err := range All(context.Background(), 1, func(context.Context, int) ([]int, bool, error) { return nil, true, boom }) {
		n++
		if !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
	}
	if n != 1 {
		t.Fatalf("yielded %d times, want the error once", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range All(ctx, 0, pages(5, 1)) {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
	}
}
