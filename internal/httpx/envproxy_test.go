package httpx_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

// TestDefaultClientHonoursHTTPSProxy runs this test binary again with
// HTTPS_PROXY set (a child process, so that no other test sees the
// variable and net/http's once-per-process reading of it is fresh): a
// client without WithHTTPClient must open its tunnel through the proxy.
func TestDefaultClientHonoursHTTPSProxy(t *testing.T) {
	if os.Getenv("PAYWIDGET_PROXY_CHILD") == "1" {
		c := newClient(t, "https://gateway.example", func(_ *httpx.Config, s *httpx.Settings) { s.Retry = httpx.RetryPolicy{} })
		_, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodGet, Path: "/ping", Retry: httpx.RetrySafe})
		require.Error(t, err, "the proxy answers 502 for a host it cannot reach")
		return
	}
	p, err := fake.NewProxy()
	require.NoError(t, err)
	defer p.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDefaultClientHonoursHTTPSProxy$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PAYWIDGET_PROXY_CHILD=1", "HTTPS_PROXY="+p.URL().String(), "https_proxy=", "NO_PROXY=", "no_proxy=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, []string{"gateway.example:443"}, p.Connects())
}
