package httpx

import "time"

// DefaultTimeout is the timeout of the client New builds when no
// WithHTTPClient is given.
const DefaultTimeout = 60 * time.Second

// Timeout is the per-request timeout the client built from s will have:
// the given client's Timeout (zero: none), or DefaultTimeout.
func (s *Settings) Timeout() time.Duration {
	if s.HTTPClient != nil {
		return s.HTTPClient.Timeout
	}
	return DefaultTimeout
}
