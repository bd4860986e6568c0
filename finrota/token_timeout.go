package finrota

import (
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// WithTokenTimeout bounds each fetch of an access token, retries included
// (default 30 s). Many calls share one fetch and it outlives the call that
// started it, so it has this bound of its own even when the HTTP client has
// no timeout: a token request the gateway accepts and never answers is
// cancelled when the bound passes, and the next call fetches afresh.
func WithTokenTimeout(d time.Duration) Option { return httpx.WithTokenTimeout(d) }
