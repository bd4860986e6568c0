package iotpay_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/iotpay"
)

// slowThenFailing is a Report whose first call blocks until released and
// then fails (a slow database write that times out); later calls succeed.
type slowThenFailing struct {
	entered, release chan struct{}
	calls, succeeded atomic.Int32
}

func newSlowThenFailing() *slowThenFailing {
	return &slowThenFailing{entered: make(chan struct{}), release: make(chan struct{})}
}

func (r *slowThenFailing) report(context.Context, *iotpay.Order) error {
	if r.calls.Add(1) == 1 {
		close(r.entered)
		<-r.release
		return errors.New("database write timed out")
	}
	r.succeeded.Add(1)
	return nil
}

func serve(h http.Handler, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/notify", strings.NewReader(body)))
	return rec
}

// The defect of issue 13: a redelivery that arrives while the first
// delivery's Report is still running was answered SUCCESS; the first Report
// then failed, and IOTPay, told "handled", never sent it again.
func TestNotifyRedeliveryDuringFailingReportIsNotAcknowledged(t *testing.T) {
	r := newSlowThenFailing()
	h := &iotpay.NotificationHandler{Client: testClient(t), Expect: signedOrder, Report: r.report, Wait: -1}
	body := signedJSON(notification(), key)

	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- serve(h, body) }()
	<-r.entered

	// IOTPay timed out and delivers again while Report runs.
	again := serve(h, body)
	assert.Equal(t, http.StatusServiceUnavailable, again.Code)
	assert.Equal(t, "FAIL", again.Body.String(), "anything but SUCCESS makes IOTPay deliver again")
	assert.NotEmpty(t, again.Header().Get("Retry-After"))

	close(r.release)
	rec := <-first
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, "FAIL", rec.Body.String())
	assert.Equal(t, int32(0), r.succeeded.Load())

	// IOTPay's next delivery is reported and acknowledged; later ones only
	// acknowledged.
	for range 2 {
		rec = serve(h, body)
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "SUCCESS", rec.Body.String())
	}
	assert.Equal(t, int32(2), r.calls.Load())
	assert.Equal(t, int32(1), r.succeeded.Load(), "reported successfully exactly once")
}

// With a Wait, the concurrent redelivery waits for the first; when that
// one fails, the waiting delivery takes the notification over and is
// acknowledged after its own Report succeeded.
func TestNotifyRedeliveryWaitsAndTakesOverAFailedReport(t *testing.T) {
	r := newSlowThenFailing()
	h := &iotpay.NotificationHandler{Client: testClient(t), Expect: signedOrder, Report: r.report} // default Wait: 2 s
	body := signedJSON(notification(), key)

	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- serve(h, body) }()
	<-r.entered
	var released atomic.Bool
	second := make(chan *httptest.ResponseRecorder)
	answeredAfterRelease := make(chan bool, 1)
	go func() {
		rec := serve(h, body)
		answeredAfterRelease <- released.Load()
		second <- rec
	}()
	released.Store(true)
	close(r.release)
	assert.Equal(t, http.StatusInternalServerError, (<-first).Code)
	assert.True(t, <-answeredAfterRelease, "the redelivery was answered while the first Report was running")
	rec := <-second
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "SUCCESS", rec.Body.String())
	assert.Equal(t, int32(1), r.succeeded.Load())
}
