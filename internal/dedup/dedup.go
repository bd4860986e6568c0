// Package dedup is what the provider notification handlers (IOTPay's
// notify, KTPay's notification, OderoPay's callback) share on top of package
// claims: the in-memory default store, the handler settings' defaults, and
// the Retry-After of an answer that asks the provider to come back.
package dedup

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/paywidget/paywidget-go/internal/claims"
)

// DefaultWait is how long a delivery that finds its event being reported by
// another delivery waits for it before asking the provider to come back.
const DefaultWait = 2 * time.Second

// Fallback is the in-memory Store a handler uses when the merchant gave it
// none; it is created on first use. The zero value is ready.
type Fallback struct {
	once sync.Once
	m    *claims.Memory
}

// Or returns s, or the fallback Memory when s is nil.
func (f *Fallback) Or(s claims.Store) claims.Store {
	if s != nil {
		return s
	}
	f.once.Do(func() { f.m = claims.NewMemory(0, 0) })
	return f.m
}

// Report hands an event to report once for key, with a handler's Lease and
// Wait settings (zero Wait: DefaultWait; negative: none). nil is the only
// answer that may be acknowledged to the provider; an error matching
// claims.ErrBusy means another delivery is reporting it right now.
func Report(ctx context.Context, store claims.Store, key string, lease, wait time.Duration, report func(context.Context) error) error {
	switch {
	case wait == 0:
		wait = DefaultWait
	case wait < 0:
		wait = 0
	}
	_, err := claims.Run(ctx, store, key, claims.Options{Lease: lease, Wait: wait}, report)
	return err
}

// RetryAfter returns the Retry-After header value (seconds) for an answer to
// a delivery that found its event in progress, capped at a minute.
func RetryAfter(err error) string {
	var b *claims.BusyError
	if !errors.As(err, &b) {
		return "1"
	}
	return strconv.Itoa(int(b.RetryAfter(time.Minute) / time.Second))
}
