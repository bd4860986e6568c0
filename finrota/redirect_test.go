package finrota_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
)

// A 3-D Secure redirectTo is where the shopper's browser is sent: anything
// but http(s) is a typed error (the payment's fate is then unknown, so it
// is ErrOutcomeUnknown too), never a Redirect.
func TestCompletePaymentRefusesHostileRedirect(t *testing.T) {
	for _, u := range []string{"javascript:alert(document.domain)", "data:text/html,x", "vbscript:x", "/3d", "//bank.example/3d", "https://u:p@bank.example/3d"} {
		srv := finrotatest.NewServer(t)
		c := newClient(t, srv)
		_, err := c.CreateWidgetToken(context.Background())
		require.NoError(t, err)
		srv.Fail("POST", "/b2c/widget/payment", finrotatest.Fault{Kind: finrotatest.Malformed,
			Body: []byte(`{"paymentType":"RedirectUrl","redirectTo":"` + u + `","orderId":"1","clientReferenceCode":"ref-1"}`)})
		out, err := c.CompletePayment(context.Background(), complete("ref-1", srv.Prepare(amt("2750.00"), finrotatest.ThreeDSCard)))
		require.ErrorIs(t, err, finrota.ErrMalformedResponse, u)
		require.ErrorIs(t, err, finrota.ErrOutcomeUnknown, u)
		assert.Nil(t, out, u)
	}
}
