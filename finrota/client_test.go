package finrota_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

var amt = finrota.MustParseAmount

func newClient(t *testing.T, srv *finrotatest.Server, opts ...finrota.Option) *finrota.Client {
	base := []finrota.Option{finrota.WithRetry(finrota.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})}
	c, err := srv.NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func complete(ref string, tok finrota.PrepareToken) *finrota.CompleteRequest {
	return &finrota.CompleteRequest{Amount: amt("2750.00"), PrepareToken: tok, ReturnURL: "https://shop.example/finrota/return",
		ClientReferenceCode: ref, CustomerIP: "203.0.113.7"}
}

func TestParseTimeDotNet(t *testing.T) {
	tm, err := finrota.ParseTime("2025-09-18T09:07:17.6884225Z")
	require.NoError(t, err)
	assert.Equal(t, 688422500, tm.Nanosecond())
	tm, err = finrota.ParseTime("2025-09-18T09:07:17")
	require.NoError(t, err)
	assert.Equal(t, time.UTC, tm.Location(), "no offset means UTC")
	_, err = finrota.ParseTime("18.09.2025")
	require.Error(t, err)
}

func TestAccessTokenRequestAndCache(t *testing.T) {
	var bodies []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/auth/api/token/connect":
			bodies = append(bodies, string(readBody(r)))
			assert.Empty(t, r.Header.Get("Authorization"))
			_, _ = w.Write([]byte(`{"token":"eyJ-1","expiry":"` + time.Now().Add(24*time.Hour).UTC().Format("2006-01-02T15:04:05.0000000Z") + `","type":"Bearer"}`))
		case "/b2c/widget/token":
			assert.Equal(t, "Bearer eyJ-1", r.Header.Get("Authorization"))
			_, _ = w.Write([]byte(`{"token":"w-1"}`))
		}
	}))
	defer srv.Close()
	c, err := finrota.New(finrota.Config{APIKey: "k", SecretKey: "s"}, finrota.WithBaseURL(srv.URL))
	require.NoError(t, err)
	for range 3 {
		w, err := c.CreateWidgetToken(context.Background())
		require.NoError(t, err)
		assert.Equal(t, "w-1", w.Value())
		assert.WithinDuration(t, time.Now().Add(20*time.Minute), w.ExpiresAt, 5*time.Second)
	}
	assert.Equal(t, []string{`{"apiKey":"k","secretKey":"s"}`}, bodies, "one token for many calls")
}

func TestExpiredTokenRefreshedAnd401Repeated(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c := newClient(t, srv)
	ctx := context.Background()
	_, err := c.CreateWidgetToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.TokenFetches())

	// The gateway forgets its tokens: the next call gets 401, refreshes once
	// and repeats once.
	srv.RevokeTokens()
	_, err = c.CreateWidgetToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.TokenFetches())
	assert.Equal(t, 2, srv.Count("GET", "/b2c/widget/token")-1)

	// A token about to expire (inside the 5-minute skew) is replaced before use.
	srv.SetTokenTTL(time.Minute)
	srv.RevokeTokens()
	_, err = c.CreateWidgetToken(ctx) // 401 → fresh token with 1 min life
	require.NoError(t, err)
	n := srv.TokenFetches()
	_, err = c.CreateWidgetToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, n+1, srv.TokenFetches(), "a token within the skew is refreshed first")

	// Wrong keys: typed, no secret in the message.
	bad, err := finrota.New(finrota.Config{APIKey: "k", SecretKey: "very-secret"}, finrota.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = bad.CreateWidgetToken(ctx)
	require.ErrorIs(t, err, finrota.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "very-secret")
}

func TestConcurrentPaymentsShareOneToken(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c := newClient(t, srv)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := srv.Prepare(amt("2750.00"), finrotatest.TestCard)
			_, err := c.CompletePayment(context.Background(), complete("ref-"+itoa(i), tok))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.TokenFetches())
	assert.Equal(t, 100, srv.PaymentCount())
}

// The documentation's "most mistakes", each made impossible or caught.
func TestMostMistakes(t *testing.T) {
	// 1. Initing the widget with the AccessToken: no exported method or
	// field hands the access token out; the widget takes a WidgetToken.
	ct := reflect.TypeOf(&finrota.Client{})
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		for j := range m.Type.NumOut() {
			out := m.Type.Out(j)
			assert.NotEqual(t, reflect.TypeOf(finrota.Secret("")), out, "%s returns a secret", m.Name)
		}
	}
	wt, ok := reflect.TypeOf(finrota.Widget{}).FieldByName("Token")
	require.True(t, ok)
	assert.Equal(t, reflect.TypeOf(finrota.WidgetToken{}), wt.Type)

	// 2. Using the WidgetToken instead of the PrepareToken: the types differ…
	pt, _ := reflect.TypeOf(finrota.CompleteRequest{}).FieldByName("PrepareToken")
	assert.False(t, reflect.TypeOf(finrota.WidgetToken{}).AssignableTo(pt.Type))
	// …and a widget token's text passed as a prepare token is caught.
	srv := finrotatest.NewServer(t)
	c := newClient(t, srv)
	w, err := c.CreateWidgetToken(context.Background())
	require.NoError(t, err)
	_, err = c.CompletePayment(context.Background(), complete("ref-1", finrota.PrepareToken(w.Value())))
	require.ErrorIs(t, err, finrota.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "widget token")
	assert.Equal(t, 0, srv.Count("POST", "/b2c/widget/payment"))

	// 3. and 4. onSuccess taken for a completed payment, and finishing
	// without the backend: the snippet's onSuccess only posts the prepare
	// token to the backend, and only CompletePayment returns a DirectSale.
	html, err := finrota.Widget{Token: w, Amount: amt("2750"), CompleteURL: "/finrota/complete", CSRFToken: "t"}.Snippet()
	require.NoError(t, err)
	onSuccess := string(html)[strings.Index(string(html), "onSuccess"):strings.Index(string(html), "onFail")]
	assert.Contains(t, onSuccess, `fetch("/finrota/complete"`)
	assert.NotContains(t, strings.ToLower(onSuccess), "paid")
	_, err = finrota.Widget{Token: w, Amount: amt("2750"), CSRFToken: "t"}.Snippet()
	require.ErrorIs(t, err, finrota.ErrInvalidRequest, "a widget without a backend completion is refused")
	_, err = finrota.Widget{Token: w, Amount: amt("2750"), CompleteURL: "/finrota/complete", CSRFToken: " "}.Snippet()
	require.ErrorIs(t, err, finrota.ErrInvalidRequest, "a blank CSRF token is a mistake, not a token")
	var ve *finrota.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "CSRFToken", ve.Field)
	assert.Contains(t, onSuccess, `"X-CSRF-Token": "t"`)
	// Neither a token nor a stated CrossOriginProtection: refused, since the
	// completion endpoint moves money.
	_, err = finrota.Widget{Token: w, Amount: amt("2750"), CompleteURL: "/finrota/complete"}.Snippet()
	require.ErrorIs(t, err, finrota.ErrInvalidRequest, "an empty CSRF token is refused")
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "CSRFToken", ve.Field)
	assert.Contains(t, err.Error(), "required")
	// Without a token, when the page's server uses http.CrossOriginProtection
	// and says so, no header is sent.
	html, err = finrota.Widget{Token: w, Amount: amt("2750"), CompleteURL: "/finrota/complete", CrossOriginProtected: true}.Snippet()
	require.NoError(t, err)
	assert.NotContains(t, string(html), "X-CSRF-Token")
}

// TestCompleteRequestReportsEveryViolation: a request with several faults
// names each, Go field and wire field, and says required for a missing one.
func TestCompleteRequestReportsEveryViolation(t *testing.T) {
	err := (&finrota.CompleteRequest{Amount: decoded(t, "1.001"), ReturnURL: "/return"}).Validate()
	require.ErrorIs(t, err, finrota.ErrInvalidRequest)
	assert.Equal(t, strings.Join([]string{
		"finrota: PrepareToken (prepareToken): required",
		"finrota: Amount (amount): at most two decimal places (kuruş)",
		"finrota: ReturnURL (returnUrl): must be an absolute http(s) URL",
		"finrota: ClientReferenceCode (clientReferenceCode): required",
		"finrota: CustomerIP (customerIpAddress): required",
	}, "\n"), err.Error())
	var first *finrota.ValidationError
	require.ErrorAs(t, err, &first)
	assert.Equal(t, "PrepareToken", first.Field)
	assert.Equal(t, "prepareToken", first.Wire)
}

func TestValidationSendsNothing(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c := newClient(t, srv)
	ctx := context.Background()
	mut := func(f func(r *finrota.CompleteRequest)) error {
		r := complete("ref", "prep-x")
		f(r)
		_, err := c.CompletePayment(ctx, r)
		return err
	}
	for name, err := range map[string]error{
		"amount 0":        mut(func(r *finrota.CompleteRequest) { r.Amount = amt("0") }),
		"amount 3 places": mut(func(r *finrota.CompleteRequest) { r.Amount = decoded(t, "1.001") }),
		"no prepare":      mut(func(r *finrota.CompleteRequest) { r.PrepareToken = "" }),
		"relative return": mut(func(r *finrota.CompleteRequest) { r.ReturnURL = "/return" }),
		"no reference":    mut(func(r *finrota.CompleteRequest) { r.ClientReferenceCode = " " }),
		"bad ip":          mut(func(r *finrota.CompleteRequest) { r.CustomerIP = "999.1.1.1" }),
		"nil":             func() error { _, err := c.CompletePayment(ctx, nil); return err }(),
		"bin short":       func() error { _, err := c.PaymentOptions(ctx, "4155", amt("1"), finrota.TRY); return err }(),
		"options amount":  func() error { _, err := c.PaymentOptions(ctx, "415565", amt("-1"), finrota.TRY); return err }(),
		"do path":         func() error { _, err := c.Do(ctx, "GET", "b2c/x", nil, nil, nil); return err }(),
		"pay card":        func() error { _, err := c.Pay(ctx, &finrota.PayRequest{Card: finrota.Card{Number: "12"}}); return err }(),
	} {
		var ve *httpx.ValidationError
		assert.ErrorAs(t, err, &ve, name)
	}
	assert.Empty(t, srv.Requests())
}

func TestCompletePaymentOutcomes(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c := newClient(t, srv)
	ctx := context.Background()
	out, err := c.CompletePayment(ctx, complete("ref-direct", srv.Prepare(amt("2750.00"), finrotatest.TestCard)))
	require.NoError(t, err)
	sale, ok := out.(*finrota.DirectSale)
	require.True(t, ok)
	assert.Equal(t, "ref-direct", sale.ClientReferenceCode)

	out, err = c.CompletePayment(ctx, complete("ref-3d", srv.Prepare(amt("2750.00"), finrotatest.ThreeDSCard)))
	require.NoError(t, err)
	redirect, ok := out.(*finrota.Redirect)
	require.True(t, ok)
	assert.Contains(t, redirect.URL, "/bank/3d?order=")

	// Declined: a typed payment error with the order id and reference.
	w, err := c.CreateWidgetToken(ctx)
	require.NoError(t, err)
	prep, err := c.PreparePayment(ctx, w, &finrota.PrepareRequest{Card: finrota.Card{Number: "4000000000000002", HolderName: "Test Test", CVV: "000", ExpMonth: 12, ExpYear: 2030},
		Currency: finrota.TRY, Amount: amt("2750.00"), InstallmentToken: "inst-1"})
	require.NoError(t, err)
	_, err = c.CompletePayment(ctx, complete("ref-declined", prep))
	var pe *finrota.PaymentError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "ref-declined", pe.ClientReferenceCode)
	assert.NotEmpty(t, pe.OrderID)
	assert.ErrorIs(t, err, finrota.ErrPaymentFailed)

	// Reusing a reference: 409, typed.
	_, err = c.CompletePayment(ctx, complete("ref-direct", srv.Prepare(amt("2750.00"), finrotatest.TestCard)))
	require.ErrorIs(t, err, finrota.ErrConflict)
}

func TestCompletePaymentNeverSentTwice(t *testing.T) {
	for _, f := range []finrotatest.Fault{{Kind: finrotatest.DropAfter}, {Kind: finrotatest.Truncate}, {Kind: finrotatest.Malformed}, {Kind: finrotatest.Status, Status: 503}} {
		srv := finrotatest.NewServer(t)
		c := newClient(t, srv)
		tok := srv.Prepare(amt("2750.00"), finrotatest.TestCard)
		_, err := c.CreateWidgetToken(context.Background()) // token fetched before the fault
		require.NoError(t, err)
		srv.Fail("POST", "/b2c/widget/payment", f)
		_, err = c.CompletePayment(context.Background(), complete("ref-1", tok))
		require.ErrorIs(t, err, finrota.ErrOutcomeUnknown, "fault %d", f.Kind)
		assert.Equal(t, 1, srv.Count("POST", "/b2c/widget/payment"))
		if f.Kind != finrotatest.Status {
			assert.Equal(t, 1, srv.PaymentCount(), "exactly one payment")
		}
	}
}

func TestPaymentOptionsSendsBothHeaders(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c := newClient(t, srv)
	programs, err := c.PaymentOptions(context.Background(), "415565", amt("2750.00"), finrota.TRY)
	require.NoError(t, err)
	require.Len(t, programs, 1)
	assert.Equal(t, "inst-1", programs[0].Installments[0].Token)
	assert.True(t, programs[0].Installments[0].Amount.Equal(amt("2750")))
	reqs := srv.Requests()
	last := reqs[len(reqs)-1]
	assert.Equal(t, last.Header.Get("Authorization"), last.Header.Get("Proxy-Authorization"))
	assert.Equal(t, "amount=2750.00&binNumber=415565&currency=TRY", last.RawQuery)
}

func TestDoEscapeHatch(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c := newClient(t, srv)
	var out struct {
		Data []map[string]any `json:"data"`
	}
	_, err := c.Do(context.Background(), "GET", "/erp/payments", nil, nil, &out)
	require.NoError(t, err)
	assert.NotNil(t, out.Data)
	_, err = c.Do(context.Background(), "POST", "/b2c/refund", nil, map[string]string{"referenceCode": "x"}, nil)
	var bare *finrota.StatusError // the fake's 404 carries no envelope
	require.ErrorAs(t, err, &bare)
	assert.Equal(t, 404, bare.HTTPStatus)
}

// decoded is an Amount ParseAmount refuses (too many places) but decoding a
// reply or adding can still make: Validate must refuse it too.
func decoded(t *testing.T, s string) finrota.Amount {
	t.Helper()
	var a finrota.Amount
	if err := a.UnmarshalText([]byte(s)); err != nil {
		t.Fatal(err)
	}
	return a
}
