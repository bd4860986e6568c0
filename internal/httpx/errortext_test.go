package httpx_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// TestErrorTexts: a bare status names method and path without the query;
// an outcome-unknown status carries the call's advice (or the provider's),
// names the provider once and the method and path once.
func TestErrorTexts(t *testing.T) {
	_ = httpx.OutcomeSentinel("textpay", "the provider's advice")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>bad gateway</html>"))
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, func(cfg *httpx.Config, s *httpx.Settings) { cfg.Provider = "textpay"; s.Retry.MaxRetries = 0 })

	_, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodGet, Path: "/orders/7", Query: map[string][]string{"secret": {"q-SECRET"}}, Retry: httpx.RetrySafe})
	var st *httpx.StatusError
	require.ErrorAs(t, err, &st)
	assert.Equal(t, "textpay: GET /orders/7: HTTP 502 Bad Gateway", err.Error())
	assert.Equal(t, "RawBody(24 bytes)", fmt.Sprintf("%+v", st.Body))

	for _, tc := range []struct{ advice, want string }{
		{"look the checkout up first", "textpay: POST /checkouts: outcome unknown — look the checkout up first: HTTP 502 Bad Gateway"},
		{"", "textpay: POST /checkouts: outcome unknown — the provider's advice: HTTP 502 Bad Gateway"},
	} {
		_, err = c.Do(context.Background(), &httpx.Request{Method: http.MethodPost, Path: "/checkouts", Body: []byte(`{}`), Retry: httpx.RetryIfNotSent, Unknown: tc.advice})
		require.ErrorIs(t, err, httpx.ErrOutcomeUnknown)
		require.ErrorAs(t, err, &st, "the typed error stays reachable")
		assert.Equal(t, tc.want, err.Error())
	}

	r := &httpx.Request{Method: http.MethodPost, Path: "/refunds", Unknown: "look the refund up"}
	err = r.OutcomeUnknown("textpay", &httpx.DecodeError{Provider: "textpay", Into: "Refund", Err: errors.New("unexpected end of JSON input")})
	require.ErrorIs(t, err, httpx.ErrOutcomeUnknown)
	assert.Equal(t, "textpay: POST /refunds: outcome unknown — look the refund up: malformed response (decoding Refund): unexpected end of JSON input", err.Error())
	assert.Same(t, err, r.OutcomeUnknown("textpay", err), "marked once")
}

// TestConfigChecks: the shared checks of a provider's New.
func TestConfigChecks(t *testing.T) {
	s := httpx.DefaultSettings()
	v := httpx.NewViolations("testpay", nil)
	v.Required("APIKey", "apiKey", true)
	v.Environment(&s, false, false, "testpay.Sandbox or testpay.Production")
	v.URL("NotifyURL", "notifyUrl", "http://shop.example/n", 200, false, true)
	v.URL("ReturnURL", "returnUrl", "http://127.0.0.1:8080/r", 200, true, false) // accepted outside production
	v.URL("CancelURL", "cancelUrl", "", 0, true, false)
	v.SecureURL("BackURL", "backUrl", "HTTP://shop.example/b", true)
	v.SecureURL("OkURL", "okUrl", "https://shop.example/b", true)
	err := v.Err()
	require.ErrorIs(t, err, httpx.ErrInvalidRequest)
	assert.Equal(t, strings.Join([]string{
		"testpay: APIKey (apiKey): required",
		"testpay: Environment: not one of the documented environments: choose testpay.Sandbox or testpay.Production (WithBaseURL sends requests elsewhere)",
		"testpay: NotifyURL (notifyUrl): must be https with a production environment (http is accepted only outside production)",
		"testpay: CancelURL (cancelUrl): required",
		"testpay: BackURL (backUrl): must be https with a production environment (http is accepted only outside production)",
	}, "\n"), err.Error())

	s.BaseURL = "http://127.0.0.1:1"
	v = httpx.NewViolations("testpay", nil)
	v.Environment(&s, true, false, "testpay.Sandbox or testpay.Production")
	assert.NoError(t, v.Err(), "no Environment with WithBaseURL")
}
