package odero_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/odero"
)

func readAll(t *testing.T, r *http.Request) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	return b
}

// TestValidateReportsEveryViolation: a missing currency and items that do not
// sum to the price come back together, each a *ValidationError naming the Go
// and the wire field.
func TestValidateReportsEveryViolation(t *testing.T) {
	err := (&odero.InitCheckoutRequest{
		PaidPrice: odero.MustParseAmount("-1"), Group: odero.PaymentGroupProduct,
		Items: []odero.Item{{Name: "Tea", Price: odero.MustParseAmount("5")}},
	}).Validate()
	require.ErrorIs(t, err, odero.ErrInvalidRequest)
	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "several violations are joined")
	var got []string
	for _, e := range joined.Unwrap() {
		var ve *odero.ValidationError
		require.ErrorAs(t, e, &ve)
		got = append(got, ve.Field+"|"+ve.Wire+"|"+ve.Rule)
	}
	require.Equal(t, []string{
		"Price|price|required",
		"PaidPrice|paidPrice|must be greater than 0",
		"Currency|currency|required",
		"Items|items|prices must sum exactly to price (they sum to 5)",
	}, got)
	var first *odero.ValidationError
	require.ErrorAs(t, err, &first)
	require.Equal(t, "Price", first.Field)
}
