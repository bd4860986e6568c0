package httpx_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

type wireItem struct {
	Name  string `json:"name"`
	Price int    `json:"price"`
}

type wireReq struct {
	CustomerIP  string     `json:"customerIpAddress"`
	CallbackURL string     `json:"callbackUrl,omitempty"`
	Items       []wireItem `json:"items"`
	Plain       string
}

func TestViolationsReportsEveryOneWithGoAndWireNames(t *testing.T) {
	v := httpx.NewViolations("testpay", &wireReq{})
	require.NoError(t, v.Err(), "nothing added is no error")

	v.Add("customerIpAddress", "required")
	one := v.Err()
	var ve *httpx.ValidationError
	require.ErrorAs(t, one, &ve)
	assert.Equal(t, "testpay: CustomerIP (customerIpAddress): required", one.Error())

	v.Add("items[1].price", "must be greater than 0")
	v.AddErr(httpx.Invalid("testpay", "callbackUrl", "must be an absolute http(s) URL"))
	v.Add("Plain", "required")
	err := v.Err()
	require.ErrorIs(t, err, httpx.ErrInvalidRequest)
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "CustomerIP", ve.Field, "errors.As finds the first violation")
	assert.Equal(t, 4, v.Len())
	lines := strings.Split(err.Error(), "\n")
	assert.Equal(t, []string{
		"testpay: CustomerIP (customerIpAddress): required",
		"testpay: Items[1].Price (items[1].price): must be greater than 0",
		"testpay: CallbackURL (callbackUrl): must be an absolute http(s) URL",
		"testpay: Plain: required",
	}, lines)
	all, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok)
	for _, e := range all.Unwrap() {
		require.ErrorAs(t, e, &ve, "each violation is a *ValidationError")
	}
}

func TestOutcomeSentinelIsPerProviderAndShared(t *testing.T) {
	mine := httpx.OutcomeSentinel("sentpay", "wait for the notification")
	require.True(t, mine == httpx.ErrOutcomeUnknown, "a provider's sentinel is the one shared value")
	assert.Equal(t, "sentpay: outcome unknown — wait for the notification", httpx.OutcomeAdvice("sentpay"))

	err := httpx.OutcomeUnknown("sentpay", errors.New("boom"))
	require.ErrorIs(t, err, mine)
	require.ErrorIs(t, err, httpx.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "wait for the notification")

	te := &httpx.TransportError{Provider: "sentpay", Method: "POST", Host: "h", Path: "/p", OutcomeUnknown: true, Err: errors.New("reset")}
	require.ErrorIs(t, te, mine)
	assert.Equal(t, "sentpay: POST h/p: outcome unknown — wait for the notification: reset", te.Error())
}

func TestRequireEnvironment(t *testing.T) {
	s := httpx.DefaultSettings()
	err := s.RequireEnvironment("testpay", false, "Sandbox or Production")
	require.ErrorIs(t, err, httpx.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "Environment: required")
	require.NoError(t, s.RequireEnvironment("testpay", true, "Sandbox or Production"))
	require.NoError(t, s.Apply([]httpx.Option{httpx.WithBaseURL("http://127.0.0.1:1")}))
	require.NoError(t, s.RequireEnvironment("testpay", false, "Sandbox or Production"))
}

// connCounter follows the server's connections: open ones and idle ones.
type connCounter struct {
	mu         sync.Mutex
	open, idle map[net.Conn]bool
}

func (c *connCounter) track(conn net.Conn, st http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch st {
	case http.StateNew:
		c.open[conn] = true
	case http.StateIdle:
		c.idle[conn] = true
	case http.StateActive:
		delete(c.idle, conn)
	case http.StateClosed, http.StateHijacked:
		delete(c.idle, conn)
		delete(c.open, conn)
	}
}

func (c *connCounter) counts() (open, idle int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.open), len(c.idle)
}

func TestCloseIdleConnections(t *testing.T) {
	for _, own := range []bool{false, true} {
		name := map[bool]string{false: "default transport", true: "WithHTTPClient"}[own]
		t.Run(name, func(t *testing.T) {
			cc := &connCounter{open: map[net.Conn]bool{}, idle: map[net.Conn]bool{}}
			srv := httptest.NewUnstartedServer(http.HandlerFunc(ok))
			srv.Config.ConnState = cc.track
			srv.Start()
			defer srv.Close()
			c := newClient(t, srv.URL, func(_ *httpx.Config, s *httpx.Settings) {
				if own {
					s.HTTPClient = &http.Client{Transport: &http.Transport{}}
				}
			})
			var wg sync.WaitGroup
			for range 3 { // concurrent calls open several connections
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := c.Do(context.Background(), &httpx.Request{Method: http.MethodGet, Path: "/x"})
					assert.NoError(t, err)
				}()
			}
			wg.Wait()
			open, _ := cc.counts()
			require.Positive(t, open, "keep-alive connections stay open after the calls")
			c.CloseIdleConnections()
			require.Eventually(t, func() bool {
				open, _ = cc.counts()
				return open == 0
			}, 5e9, 1e6, "every idle connection was closed")
		})
	}
}
