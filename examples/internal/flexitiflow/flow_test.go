package flexitiflow_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/examples/internal/flexitiflow"
	"github.com/paywidget/paywidget-go/examples/internal/steps"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
)

func TestFlowAgainstFake(t *testing.T) {
	var out bytes.Buffer
	rec := steps.NewRecorder(&out, "flexiti", steps.JSONLines)
	require.NoError(t, flexitiflow.Run(context.Background(), steps.Target{}, rec))
	var names []string
	for _, r := range rec.Results() {
		assert.True(t, r.OK, r.Step)
		names = append(names, r.Step)
	}
	assert.Equal(t, []string{"flow session and widget init", "shopper passes widget", "authorize", "capture", "partial return"}, names)
	assert.Contains(t, out.String(), `"remaining_capture_amount":999.99`)
	assert.NotContains(t, out.String(), flexititest.ClientSecret)
}

func TestFlowAgainstBaseURL(t *testing.T) {
	fx := flexititest.NewServer(t)
	env := map[string]string{"FLEXITI_CLIENT_ID": flexititest.ClientID, "FLEXITI_CLIENT_SECRET": flexititest.ClientSecret}
	rec := steps.NewRecorder(nil, "flexiti", steps.JSONLines)
	require.NoError(t, flexitiflow.Run(context.Background(), steps.Target{BaseURL: fx.URL, Getenv: func(k string) string { return env[k] }}, rec))
	res := rec.Results()
	require.Len(t, res, 3)
	assert.Contains(t, res[1].Action, "#/widget/")
}
