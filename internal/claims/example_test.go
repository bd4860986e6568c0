package claims_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/paywidget/paywidget-go/internal/claims"
)

// Serialising one authorization per order reference, whichever replica and
// however many shoppers' tabs ask for it.
func ExampleRun() {
	store := claims.NewMemory(0, 0) // claims.NewSQL(db) across replicas
	ctx := context.Background()
	authorize := func(context.Context) error { fmt.Println("authorizing ref-42"); return nil }

	for range 2 {
		r, err := claims.Run(ctx, store, "authorize:ref-42", claims.Options{Lease: time.Minute, Wait: 5 * time.Second}, authorize)
		switch {
		case errors.Is(err, claims.ErrBusy):
			fmt.Println("another request is authorizing; try again later")
		case err != nil:
			fmt.Println("failed, released for the next attempt:", err)
		default:
			fmt.Println("done; ran now:", r.Ran)
		}
	}
	// Output:
	// authorizing ref-42
	// done; ran now: true
	// done; ran now: false
}

// The three states, by hand.
func ExampleStore() {
	store := claims.NewMemory(0, 0)
	ctx := context.Background()
	c, _ := store.Claim(ctx, "notify:PC123:paid", 30*time.Second)
	fmt.Println(c.State)
	again, _ := store.Claim(ctx, "notify:PC123:paid", 30*time.Second)
	fmt.Println(again.State) // in progress elsewhere: do not acknowledge
	_ = store.Complete(ctx, "notify:PC123:paid", c.Token)
	done, _ := store.Claim(ctx, "notify:PC123:paid", 30*time.Second)
	fmt.Println(done.State)
	// Output:
	// claimed
	// busy
	// done
}
