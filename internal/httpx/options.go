package httpx

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Settings are the transport knobs every provider client shares. Providers
// fill them from their Option values and hand them to New.
type Settings struct {
	// HTTPClient is copied, never mutated. Nil selects a client with a 60 s
	// timeout, TLS 1.2 or newer and proxies from the environment.
	HTTPClient *http.Client
	// Logger receives one debug record per attempt (method, host, path,
	// status, attempt, duration). Nil disables logging.
	Logger *slog.Logger
	// Retry bounds retries of calls that may be retried.
	Retry RetryPolicy
	// UserAgent is appended to "paywidget-go/<version> <provider>".
	UserAgent string
	// BaseURL replaces the environment's host, for fakes and proxies.
	BaseURL string
	// MaxResponseBytes bounds how much of a reply is read (default 1 MiB).
	MaxResponseBytes int64
	// TokenTimeout bounds one access-token fetch, retries included, for
	// providers with a token cache. Zero selects the cache's default (30 s).
	TokenTimeout time.Duration
	// Tracer sees the start and end of every SDK call (WithTracer). Nil
	// disables tracing.
	Tracer Tracer
}

// RetryPolicy bounds the retries of a call whose retry class allows them.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt (default 2).
	MaxRetries int
	// MinWait and MaxWait bound the jittered exponential backoff
	// (defaults 0.5 s and 5 s). MaxWait also caps a server's Retry-After.
	MinWait time.Duration
	MaxWait time.Duration
}

// DefaultRetryPolicy is the policy used when none is given.
var DefaultRetryPolicy = RetryPolicy{MaxRetries: 2, MinWait: 500 * time.Millisecond, MaxWait: 5 * time.Second}

// DefaultMaxResponseBytes is the default bound on a reply body.
const DefaultMaxResponseBytes = 1 << 20

// Option adjusts Settings. Every provider package re-exports the With…
// functions below so that merchants configure all five clients the same way.
type Option func(*Settings) error

// DefaultSettings returns the settings a client starts from before options.
func DefaultSettings() Settings {
	return Settings{Retry: DefaultRetryPolicy, MaxResponseBytes: DefaultMaxResponseBytes}
}

// Apply runs opts over s, stopping at the first error.
func (s *Settings) Apply(opts []Option) error {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(s); err != nil {
			return err
		}
	}
	return nil
}

// WithHTTPClient sends requests through a copy of hc (its Transport, Timeout
// and Jar are kept; hc itself is never modified). Its Timeout bounds each
// attempt, the reply's body included. Its Transport may retry by itself: a
// money call is still sent at most once (a second send is stopped before
// anything is written and the call fails with ErrOutcomeUnknown), as long
// as the transport uses net/http and keeps the request's context.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *Settings) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil client")
		}
		s.HTTPClient = hc
		return nil
	}
}

// WithLogger logs each HTTP attempt at debug level through l: method, host,
// path, status, attempt and duration, never headers, queries or bodies.
func WithLogger(l *slog.Logger) Option {
	return func(s *Settings) error { s.Logger = l; return nil }
}

// WithRetry replaces the retry policy. It never makes a money-moving call
// retry after its request may have been sent.
func WithRetry(p RetryPolicy) Option {
	return func(s *Settings) error {
		if p.MaxRetries < 0 || p.MinWait < 0 || p.MaxWait < p.MinWait {
			return errors.New("WithRetry: need MaxRetries >= 0 and 0 <= MinWait <= MaxWait")
		}
		s.Retry = p
		return nil
	}
}

// WithoutRetries makes every call a single attempt.
func WithoutRetries() Option {
	return func(s *Settings) error { s.Retry.MaxRetries = 0; return nil }
}

// WithUserAgent appends product tokens (for example "acme-shop/2.1") to the
// SDK's User-Agent.
func WithUserAgent(ua string) Option {
	return func(s *Settings) error {
		if strings.ContainsAny(ua, "\r\n") {
			return errors.New("WithUserAgent: line break in user agent")
		}
		s.UserAgent = ua
		return nil
	}
}

// WithBaseURL sends requests to base instead of the environment's host, for
// example to a local fake or an egress proxy. It must be an absolute http or
// https URL; a trailing slash is removed.
func WithBaseURL(base string) Option {
	return func(s *Settings) error {
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("WithBaseURL: need an absolute http(s) URL")
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return errors.New("WithBaseURL: base URL must not carry a query or fragment")
		}
		s.BaseURL = strings.TrimRight(base, "/")
		return nil
	}
}

// WithMaxResponseBytes bounds how many bytes of a reply are read.
func WithMaxResponseBytes(n int64) Option {
	return func(s *Settings) error {
		if n <= 0 {
			return errors.New("WithMaxResponseBytes: need a positive size")
		}
		s.MaxResponseBytes = n
		return nil
	}
}

// RequireEnvironment enforces the rule every provider shares: a client with
// no explicit environment and no base URL never talks to a production host.
// set says whether the merchant chose an environment; choices names them for
// the message ("Sandbox or Production").
func (s *Settings) RequireEnvironment(provider string, set bool, choices string) error {
	if set || s.BaseURL != "" {
		return nil
	}
	return Invalid(provider, "Environment", "required: choose "+choices+", or give WithBaseURL")
}

// ApplyOptions runs opts over s, stopping at the first error. Each provider
// package declares its own Option type over Option, so that another
// provider's options do not compile for it; this applies them.
func ApplyOptions[O ~func(*Settings) error](s *Settings, opts []O) error {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(s); err != nil {
			return err
		}
	}
	return nil
}
