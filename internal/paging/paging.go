// Package paging turns a provider's hand-paged listing into the iterator
// every provider package offers beside it (iter.Seq2[T, error], in the
// manner of stripe-go v82's List).
package paging

import (
	"context"
	"iter"
)

// All yields every item of every page, starting at page first. fetch
// returns one page's items and whether another page may follow. The first
// error is yielded (with T's zero value) and ends the walk; so does a
// cancelled ctx. Breaking out of the loop stops fetching.
func All[T any](ctx context.Context, first int, fetch func(ctx context.Context, page int) (items []T, more bool, err error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for page := first; ; page++ {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			items, more, err := fetch(ctx, page)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if !more || len(items) == 0 {
				return
			}
		}
	}
}
