package odero_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// The defect of issue 13 on OderoPay: a second callback (a reload, a double
// submit) arriving while the first one's Report is still running was shown
// the result page; when the first Report then failed, the paid checkout
// was never recorded. Now the second gets a non-2xx "still processing" page
// that posts the callback again, and the next callback is reported.
func TestCallbackDuringFailingReportIsNotAcknowledged(t *testing.T) {
	h := newHarness(t)
	entered, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	var mu sync.Mutex
	var reported []*odero.Verdict
	mux := http.NewServeMux()
	mux.Handle("POST /cb", &odero.CallbackHandler{Client: h.client, Expect: h.shop.expect, Wait: -1,
		Report: func(_ context.Context, v *odero.Verdict) error {
			if calls.Add(1) == 1 {
				close(entered)
				<-release
				return errors.New("database write timed out")
			}
			mu.Lock()
			defer mu.Unlock()
			reported = append(reported, v)
			return nil
		}})
	site := httptest.NewServer(mux)
	defer site.Close()
	co := h.checkout(t, odero.Expectation{})
	_, ok := h.gw.Complete(co.Token, oderotest.Outcome{Status: odero.PaymentStatusSuccess})
	require.True(t, ok)
	post := func() (*http.Response, string) {
		resp, err := site.Client().PostForm(site.URL+"/cb", url.Values{"token": {co.Token}})
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	first := make(chan int)
	go func() { resp, _ := post(); first <- resp.StatusCode }()
	<-entered
	resp, page := post()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	assert.Contains(t, page, "still being recorded")
	assert.Contains(t, page, `<form method="post">`)
	assert.Contains(t, page, `name="token" value="`+co.Token+`"`, "the button posts the callback again")
	assert.NotContains(t, page, "Payment paid")

	close(release)
	assert.Equal(t, http.StatusInternalServerError, <-first)
	for range 2 {
		resp, page = post()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Contains(t, page, "Payment paid")
	}
	assert.Equal(t, int32(2), calls.Load())
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, reported, 1, "reported successfully exactly once")
	assert.Equal(t, odero.OutcomePaid, reported[0].Outcome)
}

// The verdict is part of what is reported once: a checkout reported failed
// and later verified paid is reported again.
func TestCallbackFailedThenPaidIsReportedTwice(t *testing.T) {
	h := newHarness(t)
	co := h.checkout(t, odero.Expectation{})
	_, ok := h.gw.Complete(co.Token, oderotest.Outcome{Status: odero.PaymentStatusFailure})
	require.True(t, ok)
	assert.Equal(t, http.StatusOK, h.postCallback(t, co.Token))
	assert.Equal(t, http.StatusOK, h.postCallback(t, co.Token))
	_, ok = h.gw.Complete(co.Token, oderotest.Outcome{Status: odero.PaymentStatusSuccess})
	require.True(t, ok)
	assert.Equal(t, http.StatusOK, h.postCallback(t, co.Token))
	assert.Equal(t, http.StatusOK, h.postCallback(t, co.Token))
	v := h.shop.verdicts()
	require.Len(t, v, 2)
	assert.Equal(t, odero.OutcomeFailed, v[0].Outcome)
	assert.Equal(t, odero.OutcomePaid, v[1].Outcome)
}
