package flexititest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
)

func TestFakeEnforcesScopeAndReference(t *testing.T) {
	srv := flexititest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	f, err := c.NewFlow(context.Background())
	require.NoError(t, err)
	st := f.State()
	// A customer token on a merchant-only endpoint: 403.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v2.5.1/client-id/"+flexititest.ClientID+"/authorization/1/capture", strings.NewReader(`{"amount":1.00}`))
	req.Header.Set("Authorization", "Bearer "+st.AccessToken)
	req.Header.Set("x-reference-id", st.ReferenceID)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 403, resp.StatusCode)
	assert.Contains(t, string(b), "Insufficient scope")
	// No x-reference-id: refused.
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/v2.5/client-id/"+flexititest.ClientID+"/widget/init", strings.NewReader(`{"flow":"purchase"}`))
	req.Header.Set("Authorization", "Bearer "+st.AccessToken)
	resp, err = srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode)
}

func TestFakeWidgetPageAndWrongPIN(t *testing.T) {
	srv := flexititest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	f, err := c.NewFlow(context.Background())
	require.NoError(t, err)
	ws, err := f.WidgetInit(context.Background(), &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase,
		CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: flexititest.AccountNumber}})
	require.NoError(t, err)
	resp, err := srv.Client().Get(ws.RedirectionURL)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), `window.parent.postMessage(msg, "*")`)
	raw, ok := srv.PassWidget(ws.WidgetSessionID, "0000")
	require.True(t, ok)
	ev, err := flexiti.ParseWidgetEvent(raw)
	require.NoError(t, err)
	assert.Equal(t, flexiti.StepOtherTender, flexiti.NextStep(flexiti.FlowPurchase, ev))
	_, err = f.Authorize(context.Background(), &flexiti.AuthorizeRequest{AccountNumber: flexititest.AccountNumber, Amount: flexiti.MustParseAmount("10.00"),
		FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}})
	require.ErrorIs(t, err, flexiti.ErrCustomerIdentityNotFound)
}

func TestFakeApply(t *testing.T) {
	srv := flexititest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	f, err := c.NewFlow(context.Background())
	require.NoError(t, err)
	r := &flexiti.WidgetInitRequest{Flow: flexiti.FlowApply, CustomerIdentification: flexiti.CustomerIdentification{PersonalInformation: &flexiti.PersonalInformation{
		FirstName: "Jane", LastName: "Doe", DOB: "1980-01-01", PostalCode: "M1M 1M1"}}, TOSAgreement: true, Email: "jane@example.com",
		PhoneNumber: "4165550100", Address1: "1 Main St", City: "Toronto", Province: "ON", AccountType: "consumer"}
	_, err = f.Apply(context.Background(), r)
	require.ErrorIs(t, err, flexiti.ErrInvalidRequest, "widget first")
	_, err = f.WidgetInit(context.Background(), r)
	require.NoError(t, err)
	app, err := f.Apply(context.Background(), r)
	require.NoError(t, err)
	assert.NotZero(t, app.AccountNumber)
	srv.DeclineApplications(true)
	_, err = f.Apply(context.Background(), r)
	require.ErrorIs(t, err, flexiti.ErrApplicationDeclined)
}

// Flexiti refuses a promotional purchase without a plan and term, or with a
// plan or term calculate-interest does not offer; the listing filters by
// the financing (transaction_type).
func TestFakeFinancingRules(t *testing.T) {
	srv := flexititest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()
	f, err := c.NewFlow(ctx)
	require.NoError(t, err)
	ws, err := f.WidgetInit(ctx, &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase,
		CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: flexititest.AccountNumber}})
	require.NoError(t, err)
	_, ok := srv.PassWidget(ws.WidgetSessionID, flexititest.PIN)
	require.True(t, ok)
	amt, err := flexiti.ParseAmount("10.00")
	require.NoError(t, err)
	authorize := func(fo flexiti.FinancingOption) error {
		_, err := f.Authorize(ctx, &flexiti.AuthorizeRequest{AccountNumber: flexititest.AccountNumber, Amount: amt, FinancingOption: fo})
		return err
	}
	for code, fo := range map[string]flexiti.FinancingOption{
		"plan_term_not_available":  {TransactionType: flexiti.PromotionalPurchase, PlanID: 78, Term: 12},
		"plan_term_not_available ": {TransactionType: flexiti.PromotionalPurchase, PlanID: 77, Term: 24},
	} {
		var ae *flexiti.APIError
		require.ErrorAs(t, authorize(fo), &ae, code)
		assert.Equal(t, strings.TrimSpace(code), ae.Code, "%+v", fo)
	}
	require.NoError(t, authorize(flexiti.FinancingOption{TransactionType: flexiti.PromotionalPurchase, PlanID: 77, Term: 12}))
	require.NoError(t, authorize(flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}))
	for tt, n := range map[string]int{flexiti.PromotionalPurchase: 1, flexiti.RegularPurchase: 1, "": 2} {
		list, err := c.ListAuthorizations(ctx, flexiti.AuthorizationFilter{AccountNumber: flexititest.AccountNumber, TransactionType: tt})
		require.NoError(t, err)
		assert.Len(t, list, n, tt)
	}
}
