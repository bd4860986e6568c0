package fake_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/fake"
)

func TestFaultsStrikeWhereScripted(t *testing.T) {
	var processed atomic.Int32
	srv := fake.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		processed.Add(1)
		_, _ = w.Write([]byte(`{"id":"p1","status":"ok"}`))
	}))
	defer srv.Close()
	hc := &http.Client{Timeout: 200 * time.Millisecond}
	post := func() (*http.Response, []byte, error) {
		resp, err := hc.Post(srv.URL+"/pay", "application/json", strings.NewReader(`{"a":1}`))
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}

	srv.Fail(http.MethodPost, "/pay",
		fake.Fault{Kind: fake.Status, Status: 503, Header: http.Header{"Retry-After": {"7"}}},
		fake.Fault{Kind: fake.DropBefore},
		fake.Fault{Kind: fake.DropAfter},
		fake.Fault{Kind: fake.Truncate},
		fake.Fault{Kind: fake.Malformed},
		fake.Fault{Kind: fake.Hang, Delay: time.Minute},
	)
	resp, _, err := post()
	require.NoError(t, err)
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "7", resp.Header.Get("Retry-After"))
	assert.Equal(t, int32(0), processed.Load(), "a status fault is not processed")

	_, _, err = post()
	assert.Error(t, err)
	assert.Equal(t, int32(0), processed.Load(), "DropBefore is not processed")

	_, _, err = post()
	assert.Error(t, err)
	assert.Equal(t, int32(1), processed.Load(), "DropAfter is processed, then the connection dies")

	_, _, err = post()
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "Truncate cuts the body short")
	assert.Equal(t, int32(2), processed.Load())

	_, b, err := post()
	require.NoError(t, err)
	assert.Equal(t, `{"broken": [`, string(b))

	_, _, err = post()
	assert.ErrorIs(t, err, context.DeadlineExceeded, "Hang outlasts the client's timeout")

	_, b, err = post()
	require.NoError(t, err, "faults are used up one per request")
	assert.JSONEq(t, `{"id":"p1","status":"ok"}`, string(b))

	assert.Equal(t, 7, srv.Count(http.MethodPost, "/pay"))
	reqs := srv.Requests()
	require.Len(t, reqs, 7)
	assert.Equal(t, `{"a":1}`, string(reqs[0].Body))
	srv.Reset()
	assert.Empty(t, srv.Requests())
}

func TestWildcardFault(t *testing.T) {
	srv := fake.New(http.NotFoundHandler())
	defer srv.Close()
	srv.Fail(http.MethodGet, "*", fake.Fault{Kind: fake.Status, Status: 502})
	resp, err := (&http.Client{}).Get(srv.URL + "/anything")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 502, resp.StatusCode)
}
