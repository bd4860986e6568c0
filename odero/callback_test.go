package odero_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

func formRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/odero/callback", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestParseCallback(t *testing.T) {
	cb, err := odero.ParseCallback(formRequest("token=fe4b0c2d-3c48-4553-9429-695d204bd7c1&multiPayment=true&paymentIdList=%5B11%2C12%5D&subscriptionId=99"))
	require.NoError(t, err)
	assert.Equal(t, "fe4b0c2d-3c48-4553-9429-695d204bd7c1", cb.Token)
	assert.True(t, cb.MultiPayment)
	assert.Equal(t, []int64{11, 12}, cb.PaymentIDs)
	assert.Equal(t, int64(99), cb.SubscriptionID)

	cb, err = odero.ParseCallback(formRequest("token=abc&paymentIdList=1,%202"))
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2}, cb.PaymentIDs)

	for name, r := range map[string]*http.Request{
		"no token":        formRequest("multiPayment=true"),
		"token traversal": formRequest("token=..%2F..%2Fadmin"),
		"token twice":     formRequest("token=a&token=b"),
		"bad bool":        formRequest("token=a&multiPayment=maybe"),
		"bad id list":     formRequest("token=a&paymentIdList=1,x"),
		"bad json list":   formRequest("token=a&paymentIdList=%5B1%2C"),
		"negative sub":    formRequest("token=a&subscriptionId=-3"),
		"huge body":       formRequest("token=a&pad=" + strings.Repeat("x", odero.MaxCallbackBytes+1)),
		"get":             httptest.NewRequest(http.MethodGet, "/odero/callback?token=a", nil),
		"json": func() *http.Request {
			r := formRequest(`{"token":"a"}`)
			r.Header.Set("Content-Type", "application/json")
			return r
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := odero.ParseCallback(r)
			require.ErrorIs(t, err, odero.ErrInvalidCallback)
			var ce *odero.CallbackError
			require.ErrorAs(t, err, &ce)
		})
	}
}

// shop is a merchant's callback endpoint: orders by checkout token and the
// verdicts reported to its order system.
type shop struct {
	mu       sync.Mutex
	orders   map[string]odero.Expectation
	reported []*odero.Verdict
}

func (s *shop) expect(_ context.Context, cb *odero.Callback) (odero.Expectation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.orders[cb.Token]
	if !ok {
		return e, errors.New("unknown order")
	}
	return e, nil
}

func (s *shop) report(_ context.Context, v *odero.Verdict) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reported = append(s.reported, v)
	return nil
}

func (s *shop) verdicts() []*odero.Verdict {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*odero.Verdict(nil), s.reported...)
}

type harness struct {
	gw     *oderotest.Server
	client *odero.Client
	shop   *shop
	site   *httptest.Server
}

func newHarness(t *testing.T) *harness {
	gw := oderotest.NewServer(t)
	mux := http.NewServeMux()
	site := httptest.NewServer(mux)
	t.Cleanup(site.Close)
	h := &harness{gw: gw, client: newClientCB(t, gw, site.URL+"/odero/callback"), shop: &shop{orders: map[string]odero.Expectation{}}, site: site}
	mux.Handle("POST /odero/callback", &odero.CallbackHandler{Client: h.client, Expect: h.shop.expect, Report: h.shop.report})
	return h
}

// checkout initialises a checkout whose callback goes to the shop and
// records the order the shop expects.
func (h *harness) checkout(t *testing.T, want odero.Expectation) *odero.Checkout {
	req := validInit()
	co, err := h.client.InitCheckout(context.Background(), req)
	require.NoError(t, err)
	if want.ConversationID == "" {
		want = odero.Expectation{ConversationID: "order-1", PaidPrice: amt("100.50"), Currency: odero.TRY}
	}
	h.shop.mu.Lock()
	h.shop.orders[co.Token] = want
	h.shop.mu.Unlock()
	return co
}

func (h *harness) postCallback(t *testing.T, token string) int {
	resp, err := h.site.Client().PostForm(h.site.URL+"/odero/callback", url.Values{"token": {token}})
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestCallbackPaidThroughHostedPage(t *testing.T) {
	h := newHarness(t)
	co := h.checkout(t, odero.Expectation{})
	res, err := h.gw.PayPage(context.Background(), co.PageURL, oderotest.TestCard)
	require.NoError(t, err)
	require.NotNil(t, res.Delivery)
	assert.Equal(t, http.StatusOK, res.Delivery.Status)
	assert.Contains(t, string(res.Delivery.Body), "Payment paid")
	v := h.shop.verdicts()
	require.Len(t, v, 1)
	assert.Equal(t, odero.OutcomePaid, v[0].Outcome)
	assert.Equal(t, co.Token, v[0].Token)
	assert.Len(t, v[0].Callback.PaymentIDs, 1)
}

func TestCallbackThreeDSecure(t *testing.T) {
	h := newHarness(t)
	co := h.checkout(t, odero.Expectation{})
	card := oderotest.TestCard
	card.Number = "4000000000003220"
	_, err := h.gw.PayPage(context.Background(), co.PageURL, card)
	require.NoError(t, err)
	require.Len(t, h.shop.verdicts(), 1)
	assert.Equal(t, odero.OutcomePaid, h.shop.verdicts()[0].Outcome)
	assert.True(t, h.shop.verdicts()[0].Payment.Card.IsThreeDS)

	co = h.checkout(t, odero.Expectation{})
	card.ThreeDSCode = "000000"
	_, err = h.gw.PayPage(context.Background(), co.PageURL, card)
	require.NoError(t, err)
	require.Len(t, h.shop.verdicts(), 2)
	assert.Equal(t, odero.OutcomeFailed, h.shop.verdicts()[1].Outcome)
}

func TestCallbackPendingIsNotReported(t *testing.T) {
	h := newHarness(t)
	co := h.checkout(t, odero.Expectation{})
	h.gw.NextPayment(oderotest.Outcome{Status: odero.PaymentStatusSuccess, ThreeDS: true})
	// The shopper entered a card and left at the 3-D Secure step; an early
	// callback arrives meanwhile.
	card := oderotest.TestCard
	card.ThreeDSCode = ""
	res, err := h.gw.PayPage(context.Background(), co.PageURL, card)
	require.NoError(t, err)
	require.Nil(t, res.Delivery)
	st, _ := h.gw.CheckoutStatus(co.Token)
	require.Equal(t, odero.PaymentStatusInitThreeDS, st)
	assert.Equal(t, http.StatusOK, h.postCallback(t, co.Token))
	assert.Empty(t, h.shop.verdicts(), "pending is not final and is not reported")
	v, err := h.client.VerifyCheckout(context.Background(), co.Token, odero.Expectation{ConversationID: "order-1", PaidPrice: amt("100.50"), Currency: odero.TRY})
	require.NoError(t, err)
	assert.Equal(t, odero.OutcomePending, v.Outcome)
}

func TestCallbackDeclined(t *testing.T) {
	h := newHarness(t)
	co := h.checkout(t, odero.Expectation{})
	card := oderotest.TestCard
	card.Number = "4000000000009995"
	_, err := h.gw.PayPage(context.Background(), co.PageURL, card)
	require.NoError(t, err)
	v := h.shop.verdicts()
	require.Len(t, v, 1)
	assert.Equal(t, odero.OutcomeFailed, v[0].Outcome)
	assert.Equal(t, odero.GroupNotSufficientFunds, v[0].Payment.Card.Error.Group)
}

func TestCallbackReplayedIsReportedOnce(t *testing.T) {
	h := newHarness(t)
	co := h.checkout(t, odero.Expectation{})
	_, err := h.gw.PayPage(context.Background(), co.PageURL, oderotest.TestCard)
	require.NoError(t, err)
	for range 3 {
		assert.Equal(t, http.StatusOK, h.postCallback(t, co.Token), "a replay is acknowledged")
	}
	assert.Len(t, h.shop.verdicts(), 1, "and reported once")
}

func TestCallbackForged(t *testing.T) {
	h := newHarness(t)
	// A token the shop never issued.
	assert.Equal(t, http.StatusNotFound, h.postCallback(t, "fe4b0c2d-3c48-4553-9429-695d204bd7c1"))
	// A real checkout that was never paid: the signed query says so.
	co := h.checkout(t, odero.Expectation{})
	assert.Equal(t, http.StatusBadGateway, h.postCallback(t, co.Token))
	// Garbage.
	resp, err := h.site.Client().Post(h.site.URL+"/odero/callback", "application/x-www-form-urlencoded", strings.NewReader("token=%ZZ"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Empty(t, h.shop.verdicts())
}

func TestCallbackMismatch(t *testing.T) {
	h := newHarness(t)
	// The shop's order says 250.00 EUR for order-9; the gateway was paid
	// 100.50 TRY for order-1 (a shopper replaying another checkout's token).
	co := h.checkout(t, odero.Expectation{ConversationID: "order-9", PaidPrice: amt("250.00"), Currency: odero.EUR})
	_, err := h.gw.PayPage(context.Background(), co.PageURL, oderotest.TestCard)
	require.NoError(t, err)
	v := h.shop.verdicts()
	require.Len(t, v, 1)
	assert.Equal(t, odero.OutcomeMismatch, v[0].Outcome)
	assert.Equal(t, []string{"conversationId", "paidPrice", "currency"}, v[0].Mismatches)
}

func TestCallbackReportFailureAllowsRedelivery(t *testing.T) {
	h := newHarness(t)
	fails := 1
	var reported int
	mux := http.NewServeMux()
	mux.Handle("POST /cb", &odero.CallbackHandler{Client: h.client, Expect: h.shop.expect,
		Report: func(context.Context, *odero.Verdict) error {
			if fails > 0 {
				fails--
				return errors.New("database down")
			}
			reported++
			return nil
		}})
	site := httptest.NewServer(mux)
	defer site.Close()
	co := h.checkout(t, odero.Expectation{})
	_, ok := h.gw.Complete(co.Token, oderotest.Outcome{Status: odero.PaymentStatusSuccess})
	require.True(t, ok)
	post := func() int {
		resp, err := site.Client().PostForm(site.URL+"/cb", url.Values{"token": {co.Token}})
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusInternalServerError, post())
	assert.Equal(t, http.StatusOK, post())
	assert.Equal(t, http.StatusOK, post())
	assert.Equal(t, 1, reported)
}

func TestCallbackHandlerNotConfigured(t *testing.T) {
	rec := httptest.NewRecorder()
	(&odero.CallbackHandler{}).ServeHTTP(rec, formRequest("token=a"))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
}
