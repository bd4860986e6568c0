package flexititest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
)

// TestEveryTestAccountAuthorizesAndNoOther: the fake has TestAccounts
// accounts from AccountNumber on; each passes the widget and authorizes on
// its own, and a number past them is not found.
func TestEveryTestAccountAuthorizesAndNoOther(t *testing.T) {
	srv := flexititest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()
	authorize := func(acct flexiti.ID) (*flexiti.Authorization, error) {
		f, err := c.NewFlow(ctx)
		require.NoError(t, err)
		ws, err := f.WidgetInit(ctx, &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase,
			CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: acct}})
		require.NoError(t, err)
		raw, ok := srv.PassWidget(ws.WidgetSessionID, flexititest.PIN)
		require.True(t, ok)
		ev, err := flexiti.ParseWidgetEvent(raw)
		require.NoError(t, err)
		require.Equal(t, acct, *ev.Success.AccountNumber, "the widget answers with the account it was opened for")
		return f.Authorize(ctx, &flexiti.AuthorizeRequest{AccountNumber: acct, Reference: "acct-" + acct.String(),
			Amount: flexiti.MustParseAmount("10.00"), FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}})
	}
	for _, acct := range []flexiti.ID{flexititest.AccountNumber, flexititest.AccountNumber + 1, flexititest.AccountNumber + flexititest.TestAccounts - 1} {
		a, err := authorize(acct)
		require.NoError(t, err, acct)
		assert.Equal(t, acct, a.AccountNumber)
		list, err := c.ListAuthorizations(ctx, flexiti.AuthorizationFilter{AccountNumber: acct})
		require.NoError(t, err)
		assert.Len(t, list, 1, "each account lists only its own authorizations")
	}
	_, err = authorize(flexititest.AccountNumber + flexititest.TestAccounts)
	var apiErr *flexiti.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, "not_found", apiErr.Code)
}
