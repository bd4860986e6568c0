package oderoflow_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/examples/internal/oderoflow"
	"github.com/paywidget/paywidget-go/examples/internal/steps"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

func TestFlowAgainstFake(t *testing.T) {
	var out bytes.Buffer
	rec := steps.NewRecorder(&out, "odero", steps.JSONLines)
	require.NoError(t, oderoflow.Run(context.Background(), steps.Target{}, rec))
	var names []string
	for _, r := range rec.Results() {
		assert.True(t, r.OK, r.Step)
		names = append(names, r.Step)
	}
	assert.Equal(t, []string{"init checkout", "shopper pays on hosted page", "callback verified", "refund payment", "read refund back"}, names)
	assert.Contains(t, out.String(), `"outcome":"paid"`)
	assert.Contains(t, out.String(), `"refundPrice":149.90`)
	assert.NotContains(t, out.String(), oderotest.SecretKey)
	assert.NotContains(t, out.String(), "4111111111111111")
}

func TestFlowAgainstBaseURL(t *testing.T) {
	gw := oderotest.NewServer(t)
	env := map[string]string{"ODERO_API_KEY": oderotest.APIKey, "ODERO_SECRET_KEY": oderotest.SecretKey}
	var out bytes.Buffer
	rec := steps.NewRecorder(&out, "odero", steps.JSONLines)
	err := oderoflow.Run(context.Background(), steps.Target{BaseURL: gw.URL, Getenv: func(k string) string { return env[k] }}, rec)
	require.NoError(t, err)
	res := rec.Results()
	require.Len(t, res, 3)
	assert.Contains(t, res[1].Action, "/checkout/", "asks a person to open the hosted page")
	assert.Equal(t, "retrieve checkout", res[2].Step)
	assert.Equal(t, 1, gw.Checkouts())

	// Missing credentials are named.
	err = oderoflow.Run(context.Background(), steps.Target{BaseURL: gw.URL, Getenv: func(string) string { return "" }}, steps.NewRecorder(nil, "odero", steps.JSONLines))
	require.ErrorContains(t, err, "ODERO_API_KEY")
}
