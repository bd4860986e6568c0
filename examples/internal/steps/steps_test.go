package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMainWritesOneJSONObjectPerStep(t *testing.T) {
	var out, errOut bytes.Buffer
	var target Target
	flow := func(ctx context.Context, tg Target, rec *Recorder) error {
		target = tg
		if err := rec.Step("init", func() (any, any, error) { return map[string]int{"amount": 100}, "tok", nil }); err != nil {
			return err
		}
		rec.Action("open_page", "open https://pay.example/page")
		return nil
	}
	code := Main("testpay", flow, []string{"-base-url", "https://sandbox.example"}, &out, &errOut, func(string) string { return "" })
	require.Equal(t, 0, code, errOut.String())
	assert.Equal(t, "https://sandbox.example", target.BaseURL)
	assert.False(t, target.Fake())

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2)
	var first, second Result
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &first))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &second))
	assert.Equal(t, "init", first.Step)
	assert.True(t, first.OK)
	assert.Equal(t, "tok", first.Got)
	assert.Equal(t, "open https://pay.example/page", second.Action)
}

func TestMainFailsWithTheStepError(t *testing.T) {
	var out, errOut bytes.Buffer
	flow := func(ctx context.Context, _ Target, rec *Recorder) error {
		return rec.Step("pay", func() (any, any, error) { return nil, nil, errors.New("declined") })
	}
	assert.Equal(t, 1, Main("testpay", flow, nil, &out, &errOut, nil))
	assert.Contains(t, errOut.String(), "testpay: pay: declined")
	assert.Contains(t, out.String(), `"ok":false`)
	assert.Equal(t, 2, Main("testpay", flow, []string{"-nope"}, &out, &errOut, nil))
}

func TestTargetEnvNamesTheMissingVariable(t *testing.T) {
	tg := Target{BaseURL: "https://x", Getenv: func(k string) string {
		if k == "SET" {
			return "v"
		}
		return ""
	}}
	v, err := tg.Env("SET")
	require.NoError(t, err)
	assert.Equal(t, "v", v)
	_, err = tg.Env("ODERO_API_KEY")
	assert.ErrorContains(t, err, "ODERO_API_KEY")
}

func TestHumanFormat(t *testing.T) {
	var out bytes.Buffer
	rec := NewRecorder(&out, "odero", Human)
	_ = rec.Step("init_checkout", func() (any, any, error) { return "a", "b", nil })
	assert.Regexp(t, `^odero\s+ok\s+init_checkout\s+\d+ms  sent "a"  got "b"\n$`, out.String())
}
