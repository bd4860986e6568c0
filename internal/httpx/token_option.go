package httpx

import (
	"errors"
	"time"
)

// WithTokenTimeout bounds each access-token fetch, retries included, for the
// providers that use one (default 30 s). The fetch is shared by every call
// waiting for a token and is cancelled only when the last of them gives up,
// so calls whose context has no deadline need this bound even when the HTTP
// client has no timeout: past it the fetch is cancelled and the next call
// starts a fresh one.
func WithTokenTimeout(d time.Duration) Option {
	return func(s *Settings) error {
		if d <= 0 {
			return errors.New("WithTokenTimeout: need a positive duration")
		}
		s.TokenTimeout = d
		return nil
	}
}
