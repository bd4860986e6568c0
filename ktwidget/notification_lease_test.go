package ktwidget_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/ktwidget"
)

// The defect of issue 13 on KTPay: a redelivery arriving while the first
// delivery's Report is still running must not be answered {"status":"ok"};
// when the first Report then fails, KTPay's next delivery is reported.
func TestNotificationRedeliveryDuringFailingReportIsNotAcknowledged(t *testing.T) {
	pub, _ := keyPair(t)
	c := clientWithBase(t, pub, "https://shop.example/kt/notify")
	b := &book{orders: map[string]ktwidget.Expectation{"o-1": {TransactionHash: hash, Amount: ktwidget.MustParseAmount("2750")}}}
	entered, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	h := &ktwidget.NotificationHandler{Client: c, Expect: b.Expect, Wait: -1, Report: func(ctx context.Context, n *ktwidget.Notification) error {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
			return errors.New("database write timed out")
		}
		return b.report(ctx, n)
	}}
	cb, err := c.CallbackURL("o-1")
	require.NoError(t, err)
	u, _ := url.Parse(cb)
	post := func(body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, u.RequestURI(), strings.NewReader(body)))
		return rec
	}
	body := notificationBody("o-1", "2750", hash, "completed")

	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- post(body) }()
	<-entered
	again := post(body)
	assert.Equal(t, http.StatusServiceUnavailable, again.Code)
	assert.NotEqual(t, ktwidget.Ack, strings.TrimSpace(again.Body.String()))
	assert.NotEmpty(t, again.Header().Get("Retry-After"))

	close(release)
	rec := <-first
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.NotEqual(t, ktwidget.Ack, strings.TrimSpace(rec.Body.String()))
	assert.Equal(t, 0, b.count())

	for range 2 {
		rec = post(body)
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, ktwidget.Ack, rec.Body.String())
	}
	assert.Equal(t, int32(2), calls.Load())
	assert.Equal(t, 1, b.count(), "reported successfully exactly once")

	// error and denied are one fact, failed: reported once, and news after
	// paid only because the verdict differs.
	assert.Equal(t, http.StatusOK, post(notificationBody("o-1", "2750", hash, "error")).Code)
	assert.Equal(t, http.StatusOK, post(notificationBody("o-1", "2750", hash, "denied")).Code)
	assert.Equal(t, 2, b.count())
}
