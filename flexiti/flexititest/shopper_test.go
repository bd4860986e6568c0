package flexititest_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
)

func purchaseFlow(t *testing.T, c *flexiti.Client) (*flexiti.Flow, *flexiti.WidgetSession) {
	t.Helper()
	f, err := c.NewFlow(context.Background())
	require.NoError(t, err)
	ws, err := f.WidgetInit(context.Background(), &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase,
		CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: flexititest.AccountNumber}})
	require.NoError(t, err)
	return f, ws
}

func authorize(f *flexiti.Flow, amount string) error {
	_, err := f.Authorize(context.Background(), &flexiti.AuthorizeRequest{AccountNumber: flexititest.AccountNumber, Amount: flexiti.MustParseAmount(amount),
		FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}})
	return err
}

func TestPayWidgetOverHTTP(t *testing.T) {
	srv := flexititest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()

	f, ws := purchaseFlow(t, c)
	res, err := srv.PayWidget(ctx, ws.RedirectionURL, flexititest.TestCard)
	require.NoError(t, err)
	ev, err := flexiti.ParseWidgetEvent(res.Event)
	require.NoError(t, err)
	assert.Equal(t, flexiti.EventSuccess, ev.Type)
	require.NotNil(t, ev.Success)
	assert.True(t, ev.Success.Verified)
	assert.Equal(t, 1, srv.Count(http.MethodPost, flexititest.Base+"/widget/verify"))
	require.NoError(t, authorize(f, "100.00"))

	// Over the credit limit: declined at Authorize.
	srv.SetCreditLimit(flexiti.MustParseAmount("150.00"))
	f, ws = purchaseFlow(t, c)
	_, err = srv.PayWidget(ctx, ws.RedirectionURL, flexititest.TestCard)
	require.NoError(t, err)
	assert.Error(t, authorize(f, "100.00"), "100.00 more than the 50.00 left")
	assert.Equal(t, 1, srv.Authorizations())

	// A wrong PIN: the widget says so, and the authorization finds no
	// customer identity.
	f, ws = purchaseFlow(t, c)
	res, err = srv.PayWidget(ctx, ws.RedirectionURL, flexititest.WrongPINCard)
	require.NoError(t, err)
	ev, err = flexiti.ParseWidgetEvent(res.Event)
	require.NoError(t, err)
	require.NotNil(t, ev.Success)
	assert.False(t, ev.Success.Verified)
	require.ErrorIs(t, authorize(f, "10.00"), flexiti.ErrCustomerIdentityNotFound)
}

func TestCloseWidget(t *testing.T) {
	srv := flexititest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	f, ws := purchaseFlow(t, c)
	res, err := srv.CloseWidget(context.Background(), ws.RedirectionURL)
	require.NoError(t, err)
	ev, err := flexiti.ParseWidgetEvent(res.Event)
	require.NoError(t, err)
	assert.Equal(t, flexiti.EventCancel, ev.Type)
	assert.Equal(t, flexiti.StepCancelled, flexiti.NextStep(flexiti.FlowPurchase, ev))
	require.ErrorIs(t, authorize(f, "10.00"), flexiti.ErrCustomerIdentityNotFound, "the shopper never passed the widget")
}

func TestMockRunsTheFlowInMemory(t *testing.T) {
	mock := httpmock.NewMockTransport()
	srv := flexititest.NewMock(t, mock)
	assert.Equal(t, string(flexiti.Training), srv.URL)
	c, err := flexiti.New(srv.Config(), flexiti.WithHTTPClient(&http.Client{Transport: mock}))
	require.NoError(t, err)
	f, ws := purchaseFlow(t, c)
	res, err := srv.PayWidget(context.Background(), ws.RedirectionURL, flexititest.TestCard)
	require.NoError(t, err)
	ev, err := flexiti.ParseWidgetEvent(res.Event)
	require.NoError(t, err)
	assert.True(t, ev.Success.Verified)
	require.NoError(t, authorize(f, "25.00"))
	assert.Equal(t, 1, srv.Authorizations())
}
