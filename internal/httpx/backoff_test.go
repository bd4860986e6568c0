package httpx

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffIsJitteredExponentialAndCapped(t *testing.T) {
	lo, hi := 500*time.Millisecond, 5*time.Second
	seen := map[time.Duration]bool{}
	for attempt := 0; attempt < 8; attempt++ {
		step := lo << attempt
		if step > hi {
			step = hi
		}
		for i := 0; i < 200; i++ {
			d := backoff(lo, hi, attempt, nil)
			assert.GreaterOrEqual(t, d, step/2, "attempt %d", attempt)
			assert.LessOrEqual(t, d, step, "attempt %d", attempt)
			seen[d] = true
		}
	}
	assert.Greater(t, len(seen), 100, "waits are jittered, not fixed")
}

func TestBackoffHonoursButCapsRetryAfter(t *testing.T) {
	lo, hi := 500*time.Millisecond, 5*time.Second
	resp := func(code int, v string) *http.Response {
		return &http.Response{StatusCode: code, Header: http.Header{"Retry-After": {v}}}
	}
	assert.Equal(t, 2*time.Second, backoff(lo, hi, 0, resp(429, "2")))
	assert.Equal(t, hi, backoff(lo, hi, 0, resp(429, "3600")))
	assert.Equal(t, hi, backoff(lo, hi, 0, resp(503, time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))))
	// A Retry-After on another status, or an unparseable one, falls back to backoff.
	d := backoff(lo, hi, 0, resp(500, "3600"))
	assert.LessOrEqual(t, d, lo)
	d = backoff(lo, hi, 0, resp(429, "soon"))
	assert.LessOrEqual(t, d, lo)
}

func TestEncodeQueryUsesPercent20(t *testing.T) {
	q := map[string][]string{"name": {"a b+c"}, "a": {"1"}}
	assert.Equal(t, "a=1&name=a%20b%2Bc", EncodeQuery(q))
}
