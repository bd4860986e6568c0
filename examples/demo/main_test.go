package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/examples/internal/steps"
)

func TestDemoRunsEveryFlow(t *testing.T) {
	var out bytes.Buffer
	code := run(context.Background(), &out, flows)
	require.Equal(t, 0, code, out.String())
	text := out.String()
	for _, f := range flows {
		assert.Regexp(t, regexp.MustCompile(`(?m)^`+f.provider+`\s+ok\s+\d+\s`), text, "summary row for %s", f.provider)
	}
	assert.NotContains(t, text, "FAIL")
}

func TestDemoFailsWhenAFlowFails(t *testing.T) {
	var out bytes.Buffer
	broken := flow{"broken", func(_ context.Context, _ steps.Target, rec *steps.Recorder) error {
		return rec.Step("pay", func() (any, any, error) { return nil, nil, errors.New("declined") })
	}}
	empty := flow{"empty", func(context.Context, steps.Target, *steps.Recorder) error { return nil }}
	assert.Equal(t, 1, run(context.Background(), &out, []flow{broken}))
	assert.Contains(t, out.String(), "FAILED")
	assert.Equal(t, 1, run(context.Background(), &out, []flow{empty}), "a flow that ran no step is not a success")
}
