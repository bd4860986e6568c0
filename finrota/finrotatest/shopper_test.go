package finrotatest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
)

func complete(ref string, tok finrota.PrepareToken) *finrota.CompleteRequest {
	return &finrota.CompleteRequest{Amount: finrota.MustParseAmount("2750.00"), PrepareToken: tok,
		ReturnURL: "https://shop.example/finrota/return", ClientReferenceCode: ref, CustomerIP: "203.0.113.7"}
}

// shopHandler is a merchant's checkout: GET /checkout renders Finrota's
// widget (scripts from srv) for 2750.00, and POST /complete completes the
// payment of the prepare token the widget's onSuccess posts, as order ref,
// answering where the browser goes next.
func shopHandler(srv *finrotatest.Server, c *finrota.Client, ref string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkout", func(w http.ResponseWriter, r *http.Request) {
		tok, err := c.CreateWidgetToken(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		html, err := finrota.Widget{Token: tok, Amount: finrota.MustParseAmount("2750.00"), ScriptURL: srv.ScriptURL(),
			CompleteURL: "/complete", CrossOriginProtected: true}.Snippet()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><html><body>"+string(html)+"</body></html>")
	})
	mux.Handle("POST /complete", http.NewCrossOriginProtection().Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			PrepareToken string `json:"prepareToken"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 4<<10)).Decode(&in); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		next := "/thanks"
		out, err := c.CompletePayment(r.Context(), complete(ref, finrota.PrepareToken(in.PrepareToken)))
		var pe *finrota.PaymentError
		switch {
		case errors.As(err, &pe):
			next = "/declined"
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if redirect, ok := out.(*finrota.Redirect); ok {
			next = redirect.URL
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"redirect": next})
	})))
	return mux
}

func TestPayWidgetThenThreeDSAndReturn(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	shop := httptest.NewServer(shopHandler(srv, c, "fr-1"))
	defer shop.Close()
	ctx := context.Background()

	res, err := srv.PayWidget(ctx, shop.URL+"/checkout", finrotatest.ThreeDSCard)
	require.NoError(t, err)
	assert.NotEmpty(t, res.PrepareToken)
	assert.Contains(t, res.Next, srv.URL+"/bank/3d?order=", "use3D sends the shopper to the bank")
	pays := srv.Payments()
	require.Len(t, pays, 1)
	assert.Equal(t, "pending", pays[0].Status)

	ds, err := srv.PassThreeDS(ctx, res.Next, finrotatest.ThreeDSCard)
	require.NoError(t, err)
	assert.Equal(t, "https://shop.example/finrota/return", ds.Return.URL)
	assert.False(t, ds.Delivery.Acknowledged, "shop.example is not reachable from the test")
	assert.NotEmpty(t, ds.Delivery.Refused)
	req, err := ds.Return.Request(ctx)
	require.NoError(t, err)
	parsed, err := finrota.ParseReturn(req)
	require.NoError(t, err)
	assert.Equal(t, pays[0].OrderID, parsed.OrderID)
	assert.Equal(t, "fr-1", parsed.ClientReferenceCode)
	require.NotNil(t, parsed.Success)
	assert.True(t, *parsed.Success)
	list, err := c.ListPayments(ctx, finrota.PaymentFilter{ClientReferenceCode: "fr-1"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, finrota.TransactionSuccessful, list[0].Status)

	// A used prepare token is refused.
	_, err = c.CompletePayment(ctx, complete("fr-1b", res.PrepareToken))
	var api *finrota.APIError
	assert.ErrorAs(t, err, &api)
}

func TestWrongThreeDSCodeFailsTheReturn(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()
	out, err := c.CompletePayment(ctx, complete("fr-2", srv.Prepare(finrota.MustParseAmount("2750.00"), finrotatest.ThreeDSCard)))
	require.NoError(t, err)
	wrong := finrotatest.ThreeDSCard
	wrong.ThreeDSCode = "000000"
	ds, err := srv.PassThreeDS(ctx, out.(*finrota.Redirect).URL, wrong)
	require.NoError(t, err)
	assert.Equal(t, "false", ds.Return.Form.Get("success"))
	assert.NotEmpty(t, ds.Return.Form.Get("error"))
	assert.Equal(t, "failed", srv.Payments()[0].Status)
	list, err := c.ListPayments(ctx, finrota.PaymentFilter{ClientReferenceCode: "fr-2"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, finrota.TransactionFailed, list[0].Status, "listed as failed, never as paid")
	assert.False(t, list[0].Status.Paid())
	// The page is finished: a second code is refused.
	_, err = srv.PassThreeDS(ctx, out.(*finrota.Redirect).URL, finrotatest.ThreeDSCard)
	assert.ErrorContains(t, err, "409")
}

func TestDeclinedCardIsOneCallAway(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.CompletePayment(ctx, complete("fr-3", srv.Prepare(finrota.MustParseAmount("2750.00"), finrotatest.DeclinedCard)))
	var pe *finrota.PaymentError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "fr-3", pe.ClientReferenceCode)

	shop := httptest.NewServer(shopHandler(srv, c, "fr-4"))
	defer shop.Close()
	res, err := srv.PayWidget(ctx, shop.URL+"/checkout", finrotatest.DeclinedCard)
	require.NoError(t, err, "a declined card is prepared all the same")
	assert.Equal(t, "/declined", res.Next, "and declined when the merchant completes it")
	assert.Equal(t, []string{"failed", "failed"}, []string{srv.Payments()[0].Status, srv.Payments()[1].Status})
	_, err = srv.Redeliver(ctx, srv.Payments()[1].OrderID)
	assert.ErrorIs(t, err, finrotatest.ErrNothingToRedeliver, "no 3-D page, no return")
}

func TestMockRunsTheFlowInMemory(t *testing.T) {
	mock := httpmock.NewMockTransport()
	srv := finrotatest.NewMock(t, mock)
	hc := &http.Client{Transport: mock}
	c, err := finrota.New(srv.Config(), finrota.WithHTTPClient(hc))
	require.NoError(t, err)
	returns := 0
	mock.RegisterResponder(http.MethodPost, "https://shop.example/finrota/return", finrotatest.HandlerResponder(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ret, err := finrota.ParseReturn(r)
		if err != nil || ret.Success == nil || !*ret.Success {
			http.Error(w, "bad return", http.StatusBadRequest)
			return
		}
		returns++
		_, _ = io.WriteString(w, "thanks for order "+ret.ClientReferenceCode)
	})))
	mock.RegisterRegexpResponder(http.MethodGet, regexpShop, finrotatest.HandlerResponder(shopHandler(srv, c, "fr-mem")))
	mock.RegisterRegexpResponder(http.MethodPost, regexpShop, finrotatest.HandlerResponder(shopHandler(srv, c, "fr-mem")))
	ctx := context.Background()

	res, err := srv.PayWidget(ctx, "https://shop.example/checkout", finrotatest.ThreeDSCard)
	require.NoError(t, err)
	assert.Contains(t, res.Next, string(finrota.Sandbox)+"/bank/3d?order=")
	ds, err := srv.PassThreeDS(ctx, res.Next, finrotatest.ThreeDSCard)
	require.NoError(t, err)
	assert.True(t, ds.Delivery.Acknowledged)
	assert.Equal(t, "thanks for order fr-mem", string(ds.Delivery.Body))
	// The shopper reloads: the return arrives again.
	again, err := srv.Redeliver(ctx, ds.Return.Form.Get("orderId"))
	require.NoError(t, err)
	assert.Equal(t, "thanks for order fr-mem", string(again.Body))
	assert.Equal(t, 2, returns)
	assert.Equal(t, 1, srv.TokenFetches())
}

// regexpShop is the merchant's checkout host in memory.
var regexpShop = regexp.MustCompile(`^https://shop\.example/(checkout|complete)$`)
