package ktwidgetflow_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/examples/internal/ktwidgetflow"
	"github.com/paywidget/paywidget-go/examples/internal/steps"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

func TestFlowAgainstFake(t *testing.T) {
	var out bytes.Buffer
	rec := steps.NewRecorder(&out, "ktwidget", steps.JSONLines)
	require.NoError(t, ktwidgetflow.Run(context.Background(), steps.Target{}, rec))
	var names []string
	for _, r := range rec.Results() {
		assert.True(t, r.OK, r.Step)
		names = append(names, r.Step)
	}
	assert.Equal(t, []string{"create payment", "shopper pays in widget", "notification acknowledged"}, names)
	assert.Contains(t, out.String(), `"status":"completed"`)
	assert.NotContains(t, out.String(), ktwidgettest.AppID)
}

func TestFlowAgainstBaseURL(t *testing.T) {
	kt := ktwidgettest.NewServer(t)
	env := map[string]string{"KTWIDGET_APP_ID": ktwidgettest.AppID, "KTWIDGET_APP_KEY": kt.PublicKey(), "KTWIDGET_WIDGET_URL": kt.URL}
	rec := steps.NewRecorder(nil, "ktwidget", steps.JSONLines)
	require.NoError(t, ktwidgetflow.Run(context.Background(), steps.Target{BaseURL: kt.URL, Getenv: func(k string) string { return env[k] }}, rec))
	res := rec.Results()
	require.Len(t, res, 2)
	assert.Contains(t, res[1].Action, kt.URL+"/payment-card?hash=")
	assert.Equal(t, 1, kt.Transactions())
}
