package odero_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// An Expectation that forgets a field fails closed: never a paid verdict,
// and nothing is even asked of the gateway.
func TestIncompleteExpectationFailsClosed(t *testing.T) {
	h := newHarness(t)
	co := h.checkout(t, odero.Expectation{})
	_, ok := h.gw.Complete(co.Token, oderotest.Outcome{Status: odero.PaymentStatusSuccess})
	require.True(t, ok)
	full := odero.Expectation{ConversationID: "order-1", PaidPrice: amt("100.50"), Currency: odero.TRY}

	// The complete expectation is a payment: the gateway did take it.
	v, err := h.client.VerifyCheckout(context.Background(), co.Token, full)
	require.NoError(t, err)
	require.Equal(t, odero.OutcomePaid, v.Outcome)

	for name, c := range map[string]struct {
		want  odero.Expectation
		field string
	}{
		"empty":              {odero.Expectation{}, "ConversationID"},
		"no conversationId":  {odero.Expectation{PaidPrice: full.PaidPrice, Currency: full.Currency}, "ConversationID"},
		"no paidPrice":       {odero.Expectation{ConversationID: full.ConversationID, Currency: full.Currency}, "PaidPrice"},
		"zero paidPrice":     {odero.Expectation{ConversationID: full.ConversationID, PaidPrice: amt("0.00"), Currency: full.Currency}, "PaidPrice"},
		"negative paidPrice": {odero.Expectation{ConversationID: full.ConversationID, PaidPrice: amt("-100.50"), Currency: full.Currency}, "PaidPrice"},
		"no currency":        {odero.Expectation{ConversationID: full.ConversationID, PaidPrice: full.PaidPrice}, "Currency"},
	} {
		t.Run(name, func(t *testing.T) {
			before := len(h.gw.Requests())
			v, err := h.client.VerifyCheckout(context.Background(), co.Token, c.want)
			require.Error(t, err)
			assert.Nil(t, v, "no verdict, so no OutcomePaid")
			assert.ErrorIs(t, err, odero.ErrInvalidRequest)
			assert.Contains(t, err.Error(), c.field)
			assert.Equal(t, before, len(h.gw.Requests()), "nothing was sent")
			assert.Error(t, c.want.Validate())
		})
	}
	assert.NoError(t, full.Validate())
}

// A CallbackHandler whose Expect returns an incomplete expectation answers
// 500 and reports nothing, even for a checkout the gateway says was paid.
func TestCallbackHandlerRefusesIncompleteExpectation(t *testing.T) {
	h := newHarness(t)
	co := h.checkout(t, odero.Expectation{})
	_, ok := h.gw.Complete(co.Token, oderotest.Outcome{Status: odero.PaymentStatusSuccess})
	require.True(t, ok)
	var reported int
	handler := &odero.CallbackHandler{Client: h.client,
		Expect: func(context.Context, *odero.Callback) (odero.Expectation, error) {
			return odero.Expectation{ConversationID: "order-1"}, nil // forgot amount and currency
		},
		Report: func(context.Context, *odero.Verdict) error { reported++; return nil }}
	site := http.NewServeMux()
	site.Handle("POST /cb", handler)
	srv := httptest.NewServer(site)
	defer srv.Close()
	resp, err := srv.Client().PostForm(srv.URL+"/cb", url.Values{"token": {co.Token}})
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Zero(t, reported)
}
