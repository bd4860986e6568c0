// Package steps runs a provider flow as a sequence of named steps and reports
// each one: as one JSON object per line for the per-provider example programs,
// or as one readable line for the demo.
package steps

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Target says which provider the flow talks to.
type Target struct {
	// BaseURL is empty for the built-in fake, or the server the merchant
	// pointed the program at with -base-url.
	BaseURL string
	// Getenv reads credentials for a real target.
	Getenv func(string) string
}

// Fake reports whether the flow runs against the built-in fake, where the
// shopper's browser steps can be played by the program itself.
func (t Target) Fake() bool { return t.BaseURL == "" }

// Env reads a credential, failing with a message naming the variable.
func (t Target) Env(name string) (string, error) {
	get := t.Getenv
	if get == nil {
		get = os.Getenv
	}
	v := get(name)
	if v == "" {
		return "", fmt.Errorf("%s is not set (needed with -base-url)", name)
	}
	return v, nil
}

// Flow is one provider's end-to-end merchant flow.
type Flow func(ctx context.Context, t Target, rec *Recorder) error

// Format selects how steps are written.
type Format int

const (
	// JSONLines writes one JSON object per step.
	JSONLines Format = iota
	// Human writes one aligned, readable line per step.
	Human
)

// Result is one step as reported.
type Result struct {
	Provider string `json:"provider"`
	Step     string `json:"step"`
	OK       bool   `json:"ok"`
	Sent     any    `json:"sent,omitempty"`
	Got      any    `json:"got,omitempty"`
	Error    string `json:"error,omitempty"`
	Millis   int64  `json:"ms"`
	// Took is how long the step took, for the human format (which shows
	// microseconds below a millisecond, where Millis reads 0).
	Took time.Duration `json:"-"`
	// Action is set when a person must do something (open a URL).
	Action string `json:"action,omitempty"`
}

// Recorder writes steps as they finish. It is safe for concurrent use.
type Recorder struct {
	Provider string
	w        io.Writer
	format   Format

	mu      sync.Mutex
	results []Result
}

// NewRecorder writes provider's steps to w in format.
func NewRecorder(w io.Writer, provider string, format Format) *Recorder {
	return &Recorder{Provider: provider, w: w, format: format}
}

// Step runs fn as the step name, timing it. fn returns what was sent and what
// came back (values that print as JSON; never secrets).
func (r *Recorder) Step(name string, fn func() (sent, got any, err error)) error {
	start := time.Now()
	sent, got, err := fn()
	took := time.Since(start)
	res := Result{Provider: r.Provider, Step: name, OK: err == nil, Sent: sent, Got: got, Millis: took.Milliseconds(), Took: took}
	if err != nil {
		res.Error = err.Error()
	}
	r.write(res)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", r.Provider, name, err)
	}
	return nil
}

// Action reports a step a person has to take (for example, open a URL in a
// browser) when the flow runs against a real provider.
func (r *Recorder) Action(name, what string) {
	r.write(Result{Provider: r.Provider, Step: name, OK: true, Action: what})
}

// Results returns the steps reported so far.
func (r *Recorder) Results() []Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Result(nil), r.results...)
}

func (r *Recorder) write(res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results = append(r.results, res)
	if r.w == nil {
		return
	}
	switch r.format {
	case Human:
		for _, line := range humanLines(res) {
			fmt.Fprintln(r.w, line)
		}
	default:
		b, err := json.Marshal(res)
		if err != nil {
			b, _ = json.Marshal(Result{Provider: res.Provider, Step: res.Step, Error: "unprintable step: " + err.Error()})
		}
		fmt.Fprintln(r.w, string(b))
	}
}

// LineWidth is the longest line, in characters, the human format writes for
// a step (the action line aside: a URL a person has to open is never cut).
const LineWidth = 119

// indent lines a step's details up under its name.
const indent = "               " // len("provider  ok   ")

// humanLines renders one step for people: a line with the provider, the
// result, the step's name and its duration, then one line each for what was
// sent, what came back and the error. Payloads longer than a line are
// shortened with an ellipsis; an error is wrapped, never cut.
func humanLines(res Result) []string {
	status := "ok  "
	if !res.OK {
		status = "FAIL"
	}
	lines := []string{fmt.Sprintf("%-9s %s %-30s %7s", res.Provider, status, Shorten(res.Step, 30), Duration(res.Took))}
	if res.Action != "" {
		lines = append(lines, indent+"action "+res.Action)
	}
	const label = 7 // "sent   ", "got    "
	if res.Sent != nil {
		lines = append(lines, indent+"sent   "+Shorten(compact(res.Sent), LineWidth-len(indent)-label))
	}
	if res.Got != nil {
		lines = append(lines, indent+"got    "+Shorten(compact(res.Got), LineWidth-len(indent)-label))
	}
	if res.Error != "" {
		for i, l := range Wrap(res.Error, LineWidth-len(indent)-label) {
			head := "error  "
			if i > 0 {
				head = "       "
			}
			lines = append(lines, indent+head+l)
		}
	}
	return lines
}

// Duration formats a step's duration for people: microseconds below a
// millisecond ("840µs"), milliseconds with one decimal below ten ("3.2ms"),
// whole milliseconds below a second ("250ms"), then seconds ("1.25s").
func Duration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}

// Shorten returns s cut to at most max characters, ending in "…" when cut.
func Shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// Wrap breaks s into lines of at most width characters, at spaces where it
// can and inside a word only when a word is longer than a line. Nothing of s
// is lost but the spaces it breaks at.
func Wrap(s string, width int) []string {
	s = strings.Join(strings.Fields(s), " ")
	if width < 1 || s == "" {
		return []string{s}
	}
	var lines []string
	r := []rune(s)
	for len(r) > width {
		cut := width
		for i := width; i > 0; i-- {
			if r[i] == ' ' {
				cut = i
				break
			}
		}
		lines = append(lines, string(r[:cut]))
		r = r[cut:]
		if len(r) > 0 && r[0] == ' ' {
			r = r[1:]
		}
	}
	return append(lines, string(r))
}

// compact is v as one line of JSON (or as fmt prints it, if it has none).
func compact(v any) string {
	s := fmt.Sprint(v)
	if b, err := json.Marshal(v); err == nil {
		s = string(b)
	}
	return strings.ReplaceAll(s, "\n", " ")
}

// Main is the whole of a per-provider example program: it parses -base-url,
// runs flow and writes one JSON object per step on stdout. It returns the
// process exit code.
func Main(provider string, flow Flow, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet(provider, flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base-url", "", "provider API base URL (default: the built-in fake)")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	rec := NewRecorder(stdout, provider, JSONLines)
	if err := flow(ctx, Target{BaseURL: *base, Getenv: getenv}, rec); err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	return 0
}

// ErrNeedsShopper is returned by a step that cannot go on without a person at
// a browser; flows report an Action instead and skip to the next server-side
// step.
var ErrNeedsShopper = errors.New("needs a shopper at a browser")
