package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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
	assert.Regexp(t, `^odero\s+ok\s+init_checkout\s+\d+(\.\d)?(µs|ms)\n {15}sent   "a"\n {15}got    "b"\n$`, out.String())
}

func TestHumanFormatKeepsLinesUnder120(t *testing.T) {
	var out bytes.Buffer
	rec := NewRecorder(&out, "ktwidget", Human)
	long := map[string]string{"widgetUrl": "https://widget.example/" + strings.Repeat("абв", 100)}
	_ = rec.Step("a step whose name is longer than the column", func() (any, any, error) { return long, long, nil })
	_ = rec.Step("fails", func() (any, any, error) {
		return nil, nil, errors.New(strings.Repeat("outcome unknown — query before retrying ", 8) + strings.Repeat("x", 300))
	})
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Greater(t, len(lines), 6, out.String())
	for _, l := range lines {
		assert.LessOrEqual(t, utf8.RuneCountInString(l), LineWidth, "%q", l)
	}
	assert.Contains(t, lines[1], "…", "a long payload is shortened with an ellipsis")
	assert.True(t, strings.HasSuffix(lines[1], "…"), lines[1])
	// An error is wrapped, not cut: every word of it is there.
	var errText []string
	for _, l := range lines[4:] {
		errText = append(errText, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "error")))
	}
	joined := strings.Join(errText, " ")
	assert.Equal(t, 8, strings.Count(joined, "outcome unknown — query before retrying"))
	assert.Equal(t, 300, strings.Count(joined, "x"))
}

func TestDuration(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0µs"},
		{999 * time.Nanosecond, "0µs"},
		{840 * time.Microsecond, "840µs"},
		{999*time.Microsecond + 999*time.Nanosecond, "999µs"},
		{time.Millisecond, "1.0ms"},
		{3250 * time.Microsecond, "3.2ms"},
		{9999 * time.Microsecond, "10.0ms"},
		{10 * time.Millisecond, "10ms"},
		{250 * time.Millisecond, "250ms"},
		{999 * time.Millisecond, "999ms"},
		{time.Second, "1.00s"},
		{1250 * time.Millisecond, "1.25s"},
		{2 * time.Minute, "120.00s"},
	} {
		assert.Equal(t, c.want, Duration(c.d), "%v", c.d)
	}
}

func TestShortenAndWrap(t *testing.T) {
	assert.Equal(t, "abc", Shorten("abc", 3))
	assert.Equal(t, "ab…", Shorten("abcd", 3))
	assert.Equal(t, "чá…", Shorten("чáйник", 3), "counts characters, not bytes")
	assert.Equal(t, "", Shorten("abcd", 0))

	assert.Equal(t, []string{"one two", "three"}, Wrap("one two three", 7))
	assert.Equal(t, []string{"abcd", "efgh", "ij"}, Wrap("abcdefghij", 4), "a word longer than a line is broken")
	assert.Equal(t, []string{"a b"}, Wrap("  a \n b ", 10))
	for _, l := range Wrap(strings.Repeat("слово ", 50), 20) {
		assert.LessOrEqual(t, utf8.RuneCountInString(l), 20)
	}
}
