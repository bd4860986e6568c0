package flexiti_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

func newClient(t *testing.T, srv *flexititest.Server, opts ...flexiti.Option) *flexiti.Client {
	base := []flexiti.Option{flexiti.WithRetry(flexiti.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})}
	c, err := srv.NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func purchaseInit() *flexiti.WidgetInitRequest {
	return &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase, CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: flexititest.AccountNumber}}
}

func authorizeReq(ref string) *flexiti.AuthorizeRequest {
	return &flexiti.AuthorizeRequest{AccountNumber: flexititest.AccountNumber, Reference: ref, Amount: flexiti.MustParseAmount("1499.99"),
		FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}}
}

// passedFlow opens a purchase flow and plays the shopper through the widget.
func passedFlow(t *testing.T, srv *flexititest.Server, c *flexiti.Client) *flexiti.Flow {
	f, err := c.NewFlow(context.Background())
	require.NoError(t, err)
	ws, err := f.WidgetInit(context.Background(), purchaseInit())
	require.NoError(t, err)
	_, ok := srv.PassWidget(ws.WidgetSessionID, flexititest.PIN)
	require.True(t, ok)
	return f
}

func TestTokenRequestIsFormEncoded(t *testing.T) {
	var form url.Values
	var ref string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/oauth/token") {
			assert.Equal(t, "/flexiti/pos-api/v2.5/oauth/token", r.URL.Path)
			assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
			assert.Empty(t, r.URL.RawQuery)
			require.NoError(t, r.ParseForm())
			form = r.PostForm
			ref = r.Header.Get("x-reference-id")
			_, _ = w.Write([]byte(`{"token_type":"Bearer","access_token":"a1","expires_in":1199,"refresh_token":"r1","scope":"customer"}`))
			return
		}
		_, _ = w.Write([]byte(`{"redirection_url":"https://posapi.flexiti.fi/#/widget/c/a1?lang=en&x-reference-id=` + ref + `&widget_session_id=abc-123"}`))
	}))
	defer srv.Close()
	c, err := flexiti.New(flexiti.Config{ClientID: "c", ClientSecret: "s"}, flexiti.WithBaseURL(srv.URL+"/flexiti/pos-api"))
	require.NoError(t, err)
	f, err := c.NewFlow(context.Background())
	require.NoError(t, err)
	assert.Equal(t, url.Values{"client_id": {"c"}, "client_secret": {"s"}, "grant_type": {"client_credentials"}, "scope": {"customer"}}, form)
	assert.Len(t, ref, 32)
	assert.Equal(t, ref, f.ReferenceID())
	ws, err := f.WidgetInit(context.Background(), purchaseInit())
	require.NoError(t, err)
	assert.Equal(t, "abc-123", ws.WidgetSessionID, "parsed from the fragment")
}

func TestRefreshAndFallback(t *testing.T) {
	srv := flexititest.NewServer(t)
	srv.SetTokenTTL(61 * time.Second) // inside the 60 s skew almost at once
	c := newClient(t, srv)
	f := passedFlow(t, srv, c)
	time.Sleep(1100 * time.Millisecond)
	// The flow's token is within 60 s of expiry: refreshed with the refresh
	// grant, keeping the shopper who passed the widget.
	_, err := f.Authorize(context.Background(), authorizeReq("r-1"))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, srv.TokenFetches("refresh_token"), 1, "refreshed with the refresh grant")

	// Refresh refused (the token already expired): client credentials.
	srv.SetTokenTTL(20 * time.Minute)
	_, err = c.GetAuthorization(context.Background(), 999) // merchant token fetched
	require.ErrorIs(t, err, flexiti.ErrNotFound)
	before := srv.TokenFetches("client_credentials")
	srv.ExpireTokens()
	_, err = c.CustomersSearch(context.Background(), flexiti.PersonalInformation{FirstName: "Jane", LastName: "Doe", DOB: "1980-01-01"})
	require.NoError(t, err, "401 → refresh refused → client credentials → repeat")
	assert.Equal(t, before+1, srv.TokenFetches("client_credentials"))
}

func TestAuthorizeNeedsTheWidget(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := newClient(t, srv)
	f, err := c.NewFlow(context.Background())
	require.NoError(t, err)
	_, err = f.Authorize(context.Background(), authorizeReq("r-1"))
	require.ErrorIs(t, err, flexiti.ErrCustomerIdentityNotFound)
	var api *flexiti.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, 404, api.HTTPStatus)

	// Another shopper's flow is not this one's.
	other := passedFlow(t, srv, c)
	_ = other
	_, err = f.Authorize(context.Background(), authorizeReq("r-2"))
	require.ErrorIs(t, err, flexiti.ErrCustomerIdentityNotFound)
}

func TestPurchaseCaptureReturn(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := newClient(t, srv)
	ctx := context.Background()
	f := passedFlow(t, srv, c)
	opts, err := c.CalculateInterest(ctx, flexititest.AccountNumber, flexiti.MustParseAmount("1499.99"))
	require.NoError(t, err)
	require.NotNil(t, opts.PromotionalPurchase)
	req := authorizeReq("order-1")
	req.FinancingOption = flexiti.FinancingOption{TransactionType: flexiti.PromotionalPurchase, PlanID: opts.PromotionalPurchase.PlanID, Term: opts.PromotionalPurchase.Terms[0].Term}
	a, err := f.Authorize(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, "1499.99", a.Amount.String())
	assert.Nil(t, a.CaptureID, "a pre-authorization")
	assert.Contains(t, string(a.Raw), `"authorization_status":"opened"`)

	cp, err := c.Capture(ctx, a.AuthorizationID, &flexiti.CaptureRequest{Amount: flexiti.MustParseAmount("1499.99"), Reference: "order-1"})
	require.NoError(t, err)
	half := flexiti.MustParseAmount("500.00")
	ret, err := c.Return(ctx, a.AuthorizationID, cp.CaptureID, &flexiti.ReturnRequest{Amount: &half, Reference: "order-1-r"})
	require.NoError(t, err)
	assert.Equal(t, "999.99", ret.RemainingCaptureAmount.String())

	got, err := c.GetAuthorization(ctx, a.AuthorizationID)
	require.NoError(t, err)
	assert.Equal(t, "order-1", got.Reference)

	// Credit exceeded.
	_, err = f.Authorize(ctx, &flexiti.AuthorizeRequest{AccountNumber: flexititest.AccountNumber, Amount: flexiti.MustParseAmount("4000.00"),
		FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}})
	require.ErrorIs(t, err, flexiti.ErrCreditExceeded)
}

func TestAuthorizeOutcomeUnknownAndReconcile(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := newClient(t, srv)
	f := passedFlow(t, srv, c)
	srv.Fail("POST", flexititest.Base+"/v2.5.1/client-id/"+flexititest.ClientID+"/authorization", flexititest.Fault{Kind: flexititest.DropAfter})
	_, err := f.Authorize(context.Background(), authorizeReq("order-42"))
	require.ErrorIs(t, err, flexiti.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.Authorizations(), "exactly one authorization")
	found, err := c.FindAuthorization(context.Background(), flexititest.AccountNumber, "order-42")
	require.NoError(t, err)
	require.NotNil(t, found, "reconciled by reference")
	none, err := c.FindAuthorization(context.Background(), flexititest.AccountNumber, "order-43")
	require.NoError(t, err)
	assert.Nil(t, none)
}

func TestFlowStateRoundTrip(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := newClient(t, srv)
	f := passedFlow(t, srv, c)
	st := f.State()
	b, err := json.Marshal(st)
	require.NoError(t, err)
	assert.NotContains(t, fmt.Sprintf("%v %+v %s", st, st, st), st.AccessToken, "the state prints without tokens")
	var back flexiti.FlowState
	require.NoError(t, json.Unmarshal(b, &back))
	restored, err := c.RestoreFlow(back)
	require.NoError(t, err)
	assert.Equal(t, f.ReferenceID(), restored.ReferenceID())
	_, err = restored.Authorize(context.Background(), authorizeReq("r-restored"))
	require.NoError(t, err, "the restored flow is the shopper who passed the widget")
	_, err = c.RestoreFlow(flexiti.FlowState{ReferenceID: "short"})
	require.ErrorIs(t, err, flexiti.ErrInvalidRequest)
}

func TestValidationSendsNothing(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := newClient(t, srv)
	ctx := context.Background()
	f := passedFlow(t, srv, c)
	srv.Reset()
	pi := &flexiti.PersonalInformation{FirstName: "Jane", LastName: "Doe", DOB: "1980-01-01", PostalCode: "M1M1M1"}
	apply := func(mut func(r *flexiti.WidgetInitRequest)) error {
		r := &flexiti.WidgetInitRequest{Flow: flexiti.FlowApply, CustomerIdentification: flexiti.CustomerIdentification{PersonalInformation: pi},
			TOSAgreement: true, Email: "jane@example.com", PhoneNumber: "4165550100", Address1: "1 Main St", City: "Toronto", Province: "ON", AccountType: "consumer"}
		mut(r)
		_, err := f.WidgetInit(ctx, r)
		return err
	}
	auth := func(mut func(r *flexiti.AuthorizeRequest)) error {
		r := authorizeReq("x")
		mut(r)
		_, err := f.Authorize(ctx, r)
		return err
	}
	half := flexiti.MustParseAmount("1.00")
	cases := map[string]error{
		"flow":         apply(func(r *flexiti.WidgetInitRequest) { r.Flow = "browse" }),
		"tos false":    apply(func(r *flexiti.WidgetInitRequest) { r.TOSAgreement = false }),
		"email":        apply(func(r *flexiti.WidgetInitRequest) { r.Email = "jane@" }),
		"phone":        apply(func(r *flexiti.WidgetInitRequest) { r.PhoneNumber = "555" }),
		"phone 11":     apply(func(r *flexiti.WidgetInitRequest) { r.PhoneNumber = "15145550123" }),
		"phone dashes": apply(func(r *flexiti.WidgetInitRequest) { r.PhoneNumber = "514-555-012" }),
		"phone zero":   apply(func(r *flexiti.WidgetInitRequest) { r.PhoneNumber = "0145550123" }),
		"phone purchase": func() error {
			r := purchaseInit()
			r.PhoneNumber = "+15145550123"
			_, err := f.WidgetInit(ctx, r)
			return err
		}(),
		"province":     apply(func(r *flexiti.WidgetInitRequest) { r.Province = "XX" }),
		"city":         apply(func(r *flexiti.WidgetInitRequest) { r.City = "" }),
		"address":      apply(func(r *flexiti.WidgetInitRequest) { r.Address1 = "" }),
		"account type": apply(func(r *flexiti.WidgetInitRequest) { r.AccountType = "gold" }),
		"dob": apply(func(r *flexiti.WidgetInitRequest) {
			p := *pi
			p.DOB = "01/01/1980"
			r.CustomerIdentification.PersonalInformation = &p
		}),
		"postal": apply(func(r *flexiti.WidgetInitRequest) {
			p := *pi
			p.PostalCode = "90210"
			r.CustomerIdentification.PersonalInformation = &p
		}),
		"lang": apply(func(r *flexiti.WidgetInitRequest) { r.Lang = "de" }),
		"purchase none": func() error {
			_, err := f.WidgetInit(ctx, &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase})
			return err
		}(),
		"purchase two ids": func() error {
			r := purchaseInit()
			r.CustomerIdentification.VCCNumber = "4111111111111111"
			_, err := f.WidgetInit(ctx, r)
			return err
		}(),
		"vcc 15": func() error {
			r := purchaseInit()
			r.CustomerIdentification = flexiti.CustomerIdentification{VCCNumber: "411111111111111"}
			_, err := f.WidgetInit(ctx, r)
			return err
		}(),
		"amount 0":           auth(func(r *flexiti.AuthorizeRequest) { r.Amount = flexiti.MustParseAmount("0") }),
		"amount negative":    auth(func(r *flexiti.AuthorizeRequest) { r.Amount = flexiti.MustParseAmount("-1.00") }),
		"no account":         auth(func(r *flexiti.AuthorizeRequest) { r.AccountNumber = 0 }),
		"reference 41":       auth(func(r *flexiti.AuthorizeRequest) { r.Reference = strings.Repeat("r", 41) }),
		"promo without plan": auth(func(r *flexiti.AuthorizeRequest) { r.FinancingOption.TransactionType = flexiti.PromotionalPurchase }),
		"transaction type":   auth(func(r *flexiti.AuthorizeRequest) { r.FinancingOption.TransactionType = "layaway" }),
		"capture amount":     func() error { _, err := c.Capture(ctx, 1, &flexiti.CaptureRequest{}); return err }(),
		"return both": func() error {
			_, err := c.Return(ctx, 1, 2, &flexiti.ReturnRequest{FullReturn: true, Amount: &half})
			return err
		}(),
		"return neither": func() error { _, err := c.Return(ctx, 1, 2, &flexiti.ReturnRequest{}); return err }(),
		"refund account": func() error { _, err := c.Refund(ctx, 0, &flexiti.RefundRequest{Amount: half}); return err }(),
		"lookup key":     func() error { _, err := c.CustomersLookup(ctx, "email", "x"); return err }(),
	}
	for name, err := range cases {
		var ve *httpx.ValidationError
		assert.ErrorAs(t, err, &ve, name)
	}
	assert.Empty(t, srv.Requests())
}

func TestDecisionTable(t *testing.T) {
	acct := flexiti.ID(20009100)
	ok := func(action string, account *flexiti.ID, verified bool) *flexiti.WidgetEvent {
		return &flexiti.WidgetEvent{Type: flexiti.EventSuccess, Success: &flexiti.WidgetSuccess{Action: action, AccountNumber: account, Verified: verified}}
	}
	cases := []struct {
		flow string
		ev   *flexiti.WidgetEvent
		want flexiti.Step
	}{
		{flexiti.FlowPurchase, ok("purchase", &acct, true), flexiti.StepAuthorize},
		{flexiti.FlowPurchase, ok("purchase", &acct, false), flexiti.StepOtherTender},
		{flexiti.FlowPurchase, ok("activation", nil, false), flexiti.StepActivate},
		{flexiti.FlowApply, ok("activation", nil, false), flexiti.StepActivate},
		{flexiti.FlowPurchase, ok("apply", nil, false), flexiti.StepStartApply},
		{flexiti.FlowApply, ok("apply", nil, true), flexiti.StepApply},
		{flexiti.FlowApply, ok("apply", nil, false), flexiti.StepApply},
		{flexiti.FlowPurchase, ok("", nil, false), flexiti.StepCannotProceed},
		{flexiti.FlowPurchase, ok("retry", nil, false), flexiti.StepRetry},
		{flexiti.FlowPurchase, &flexiti.WidgetEvent{Type: flexiti.EventCancel}, flexiti.StepCancelled},
		{flexiti.FlowPurchase, &flexiti.WidgetEvent{Type: flexiti.EventFailure, Failure: &flexiti.WidgetFailure{Error: 500}}, flexiti.StepFailed},
	}
	for i, tc := range cases {
		assert.Equal(t, tc.want, flexiti.NextStep(tc.flow, tc.ev), "row %d", i)
	}
}

func TestParseWidgetEvent(t *testing.T) {
	ev, err := flexiti.ParseWidgetEvent([]byte(`{"eventType":"flx-success","eventData":{"accountNumber":"20009100","verified":true,"action":"purchase","mfaOptionSelected":"sms","widget_session_id":"s","customerId":"1234567-12345","accountType":"consumer"}}`))
	require.NoError(t, err)
	assert.Equal(t, flexiti.ID(20009100), *ev.Success.AccountNumber)
	ev, err = flexiti.ParseWidgetEvent([]byte(`{"eventType":"flx-failure","eventData":{"error":409,"message":"x"}}`))
	require.NoError(t, err)
	assert.Equal(t, 409, ev.Failure.Error)
	for _, bad := range []string{`{"eventType":"flx-hack"}`, `[]`, `{"eventType":"flx-success","eventData":{"accountNumber":"abc"}}`, strings.Repeat(" ", flexiti.MaxEventBytes+1)} {
		_, err := flexiti.ParseWidgetEvent([]byte(bad))
		require.ErrorIs(t, err, flexiti.ErrMalformedResponse, bad)
	}
}

func TestErrorCodes(t *testing.T) {
	for code, want := range map[string]error{
		"wrong_input": flexiti.ErrWrongInputs, "wrong_inputs": flexiti.ErrWrongInputs, "application_declined_2": flexiti.ErrApplicationDeclined,
		"application_marked_pending_1": flexiti.ErrApplicationPending, "return_date_exceeded": flexiti.ErrReturnDateExceeded,
	} {
		srv := flexititest.NewServer(t)
		c := newClient(t, srv)
		srv.Fail("GET", "*", flexititest.Fault{Kind: flexititest.Status, Status: 409, Body: []byte(`{"url":"/x","message":"m","error":"` + code + `","field_errors":[{"param":"email","msg":"invalid","value":"johndoe@"}]}`)})
		_, err := c.GetAuthorization(context.Background(), 1)
		require.ErrorIs(t, err, want, code)
		var api *flexiti.APIError
		require.ErrorAs(t, err, &api)
		assert.Equal(t, "email", api.FieldErrors[0].Param)
		assert.NotContains(t, err.Error(), "johndoe@", "field values are not repeated")
	}
	for status, want := range map[int]error{403: flexiti.ErrInsufficientScope, 465: flexiti.ErrBlocked, 467: flexiti.ErrBlocked} {
		srv := flexititest.NewServer(t)
		c := newClient(t, srv)
		srv.Fail("GET", "*", flexititest.Fault{Kind: flexititest.Status, Status: status, Body: []byte(`{"error":"x"}`)})
		_, err := c.GetAuthorization(context.Background(), 1)
		require.ErrorIs(t, err, want, status)
	}
}

func TestConcurrentBackOfficeSharesOneToken(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := newClient(t, srv)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.CustomersLookup(context.Background(), "account_number", "20009100")
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, srv.TokenFetches("client_credentials"))
}

// TestValidateReportsEveryViolation: every broken rule comes back at once,
// each naming the Go field path and the wire field.
func TestValidateReportsEveryViolation(t *testing.T) {
	err := (&flexiti.AuthorizeRequest{Reference: strings.Repeat("r", 41)}).Validate()
	require.ErrorIs(t, err, flexiti.ErrInvalidRequest)
	assert.Equal(t, strings.Join([]string{
		"flexiti: AccountNumber (account_number): required",
		"flexiti: Reference (reference): at most 40 characters",
		"flexiti: Amount (amount): required",
		"flexiti: FinancingOption.TransactionType (financing_option.transaction_type): required",
	}, "\n"), err.Error())

	err = (&flexiti.WidgetInitRequest{Flow: flexiti.FlowApply, TOSAgreement: true, Email: "a@b.ca", PhoneNumber: "4165550100",
		Address1: "1 Main", City: "Toronto", Province: "ON", AccountType: "consumer",
		CustomerIdentification: flexiti.CustomerIdentification{PersonalInformation: &flexiti.PersonalInformation{
			LastName: "Doe", PostalCode: "A1A1A1", DOB: "1990-13-01"}}}).Validate()
	var first *flexiti.ValidationError
	require.ErrorAs(t, err, &first)
	assert.Equal(t, "CustomerIdentification.PersonalInformation.FirstName", first.Field)
	assert.Equal(t, "customer_identification.personal_information.first_name", first.Wire)
	assert.Equal(t, "required", first.Rule)
	assert.Contains(t, err.Error(), "dob): must be a date YYYY-MM-DD")
}
