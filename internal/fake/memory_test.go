package fake_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/fake"
)

func TestMemoryPlaysTheSameFaults(t *testing.T) {
	var processed atomic.Int32
	srv := fake.NewMemory(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		processed.Add(1)
		assert.Equal(t, "pay.example", r.Host)
		assert.NotNil(t, r.TLS, "an https URL arrives as TLS")
		assert.Equal(t, "https://pay.example", fake.BaseURL(r))
		_, _ = w.Write([]byte(`{"id":"p1","status":"ok"}`))
	}), "https://pay.example")
	defer srv.Close()
	require.True(t, srv.InMemory())
	hc := srv.Client()
	post := func(ctx context.Context) (*http.Response, []byte, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/pay", strings.NewReader(`{"a":1}`))
		resp, err := hc.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	ctx := context.Background()
	srv.Fail(http.MethodPost, "/pay",
		fake.Fault{Kind: fake.Status, Status: 503, Header: http.Header{"Retry-After": {"7"}}},
		fake.Fault{Kind: fake.DropBefore},
		fake.Fault{Kind: fake.DropAfter},
		fake.Fault{Kind: fake.Truncate},
		fake.Fault{Kind: fake.Malformed},
		fake.Fault{Kind: fake.Hang, Delay: time.Minute},
	)
	resp, _, err := post(ctx)
	require.NoError(t, err)
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "7", resp.Header.Get("Retry-After"))
	assert.Equal(t, int32(0), processed.Load())

	_, _, err = post(ctx)
	assert.ErrorIs(t, err, fake.ErrDropped)
	assert.Equal(t, int32(0), processed.Load(), "DropBefore is not processed")

	_, _, err = post(ctx)
	assert.ErrorIs(t, err, fake.ErrDropped)
	assert.Equal(t, int32(1), processed.Load(), "DropAfter is processed")

	_, _, err = post(ctx)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, int32(2), processed.Load())

	_, b, err := post(ctx)
	require.NoError(t, err)
	assert.Equal(t, `{"broken": [`, string(b))

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, _, err = post(short)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	_, b, err = post(ctx)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"p1","status":"ok"}`, string(b))
	assert.Equal(t, 7, srv.Count(http.MethodPost, "/pay"))
	assert.Equal(t, `{"a":1}`, string(srv.Requests()[0].Body))
}

func TestMountOnHTTPMock(t *testing.T) {
	srv := fake.NewMemory(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Method+" "+r.URL.RequestURI())
	}), "https://pay.example")
	mock := httpmock.NewMockTransport()
	require.NoError(t, srv.Mount(mock))
	mock.RegisterResponder(http.MethodPost, "https://shop.example/notify", fake.Responder(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, "shop got "+string(b))
	})))
	hc := &http.Client{Transport: mock}
	get := func(method, u, body string) string {
		req, _ := http.NewRequest(method, u, strings.NewReader(body))
		resp, err := hc.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	assert.Equal(t, "GET /a/b?x=1", get(http.MethodGet, "https://pay.example/a/b?x=1", ""))
	assert.Equal(t, "DELETE /c", get(http.MethodDelete, "https://pay.example/c", ""))
	assert.Equal(t, "shop got hi", get(http.MethodPost, "https://shop.example/notify", "hi"))
	// The server's own client goes through the mock now, so it reaches the shop.
	resp, err := srv.Client().Post("https://shop.example/notify", "text/plain", strings.NewReader("x"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	// Other hosts are not served: the mock answers with its no-responder error.
	_, err = hc.Get("https://pay.example.evil/a")
	assert.Error(t, err)
	assert.Equal(t, 2, len(srv.Requests()))
}

// A base URL without a host, or a TLS listener for a server that has none,
// is an error for the caller, not a panic, and mounts nothing.
func TestMountAndStartTLSRefuseMisuse(t *testing.T) {
	srv := fake.NewMemory(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), "https://pay.example")
	mock := httpmock.NewMockTransport()
	require.Error(t, srv.Mount(mock, "https://ok.example", "/relative"))
	assert.Empty(t, mock.Responders(), "nothing is mounted when one base URL is bad")
	require.Error(t, srv.StartTLS())
}
