package finrotaflow_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/examples/internal/finrotaflow"
	"github.com/paywidget/paywidget-go/examples/internal/steps"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
)

func TestFlowAgainstFake(t *testing.T) {
	var out bytes.Buffer
	rec := steps.NewRecorder(&out, "finrota", steps.JSONLines)
	require.NoError(t, finrotaflow.Run(context.Background(), steps.Target{}, rec))
	var names []string
	for _, r := range rec.Results() {
		assert.True(t, r.OK, r.Step)
		names = append(names, r.Step)
	}
	assert.Equal(t, []string{"widget token", "payment options", "widget prepares payment", "complete payment", "shopper passes 3-D Secure", "confirm on the server"}, names)
	assert.NotContains(t, out.String(), finrotatest.SecretKey)
	assert.NotContains(t, out.String(), "4155650100416111")
}

func TestFlowAgainstBaseURL(t *testing.T) {
	gw := finrotatest.NewServer(t)
	env := map[string]string{"FINROTA_API_KEY": finrotatest.APIKey, "FINROTA_SECRET_KEY": finrotatest.SecretKey}
	rec := steps.NewRecorder(nil, "finrota", steps.JSONLines)
	require.NoError(t, finrotaflow.Run(context.Background(), steps.Target{BaseURL: gw.URL, Getenv: func(k string) string { return env[k] }}, rec))
	res := rec.Results()
	require.Len(t, res, 3)
	assert.NotEmpty(t, res[2].Action)
	assert.Equal(t, 1, gw.TokenFetches())
}
