package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

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

	// Every line fits in 120 columns; durations under a millisecond read in
	// microseconds, not "0ms".
	var stepLines int
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		assert.Less(t, utf8.RuneCountInString(line), 120, "%q", line)
		if m := stepLine.FindStringSubmatch(line); m != nil {
			stepLines++
			assert.NotRegexp(t, `^0(\.0)?ms$`, m[1], line)
		}
	}
	var summed int
	for _, m := range summaryRow.FindAllStringSubmatch(text, -1) {
		n, err := strconv.Atoi(m[1])
		require.NoError(t, err)
		summed += n
	}
	assert.Positive(t, summed)
	assert.Equal(t, summed, stepLines, "one line per step, each with a duration:\n%s", text)
	assert.NotContains(t, text, " 0ms")
}

var summaryRow = regexp.MustCompile(`(?m)^[a-z]+\s+ok\s+(\d+)\s+\S+\s*$`)

var stepLine = regexp.MustCompile(`^[a-z]+\s+(?:ok|FAIL)\s+.+?\s+(\d+(?:\.\d+)?(?:µs|ms|s))$`)

func TestDemoHelpPrintsUsageAndRunsNothing(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 0, cli([]string{arg}, &out, &errOut), arg)
		assert.Empty(t, out.String(), "%s runs no flow", arg)
		assert.Contains(t, errOut.String(), "usage: go run ./examples/demo")
		assert.Contains(t, errOut.String(), "-timeout")
	}
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, cli([]string{"-nope"}, &out, &errOut))
	assert.Empty(t, out.String())
	assert.Equal(t, 2, cli([]string{"odero"}, &out, &errOut), "no positional arguments")
	assert.Contains(t, errOut.String(), `unexpected argument "odero"`)
	assert.Empty(t, out.String())
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
