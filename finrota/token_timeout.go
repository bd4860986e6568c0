package finrota

import (
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// WithTokenTimeout bounds each fetch of an access token, retries included
// (default 30 s). Many calls share one fetch: it goes on while any of them
// still waits and is cancelled as soon as the last one gives up, so a token
// request the gateway accepts and never answers costs each call no more than
// its own context's deadline, and the next call fetches afresh. This bound
// is for calls whose context has no deadline, even when the HTTP client has
// no timeout either: past it the fetch is cancelled and they fail with an
// error that says so.
func WithTokenTimeout(d time.Duration) Option { return httpx.WithTokenTimeout(d) }
