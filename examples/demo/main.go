// Command demo runs every provider's merchant flow end to end against the
// built-in fake providers: no credentials, no network. It prints one line per
// step (what was sent, what came back, how long it took) and a summary table,
// and exits non-zero if any flow fails.
//
//	go run ./examples/demo               # every provider
//	go run ./examples/demo -h            # usage
//	go run ./examples/demo -timeout 30s  # give up sooner
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/paywidget/paywidget-go/examples/internal/finrotaflow"
	"github.com/paywidget/paywidget-go/examples/internal/flexitiflow"
	"github.com/paywidget/paywidget-go/examples/internal/iotpayflow"
	"github.com/paywidget/paywidget-go/examples/internal/ktwidgetflow"
	"github.com/paywidget/paywidget-go/examples/internal/oderoflow"
	"github.com/paywidget/paywidget-go/examples/internal/steps"
)

type flow struct {
	provider string
	run      steps.Flow
}

var flows = []flow{
	{"finrota", finrotaflow.Run},
	{"flexiti", flexitiflow.Run},
	{"ktwidget", ktwidgetflow.Run},
	{"iotpay", iotpayflow.Run},
	{"odero", oderoflow.Run},
}

func main() {
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: go run ./examples/demo [-timeout duration]

Runs the merchant flow of every provider (finrota, flexiti, ktwidget, iotpay,
odero) end to end against the built-in fake providers: no credentials, no
network. Prints each step (what was sent, what came back, how long it took)
and a summary table; exits 1 if any flow fails.

To try one provider against its real sandbox, use go run ./examples/<provider>
-base-url URL instead.

Flags:
`

// cli parses the command line and runs the demo, returning the exit code:
// 0 after -h (usage only, nothing is run), 2 for a bad command line.
func cli(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "demo: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	return run(ctx, stdout, flows)
}

type summary struct {
	provider string
	steps    int
	failed   int
	took     time.Duration
	err      error
}

// run runs each flow against its built-in fake and returns the exit code.
func run(ctx context.Context, w io.Writer, flows []flow) int {
	var rows []summary
	for _, f := range flows {
		fmt.Fprintf(w, "\n== %s\n", f.provider)
		rec := steps.NewRecorder(w, f.provider, steps.Human)
		start := time.Now()
		err := f.run(ctx, steps.Target{}, rec)
		row := summary{provider: f.provider, took: time.Since(start), err: err}
		for _, r := range rec.Results() {
			row.steps++
			if !r.OK {
				row.failed++
			}
		}
		rows = append(rows, row)
	}

	fmt.Fprintln(w, "\n== summary")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "provider\tresult\tsteps\ttime\t")
	code := 0
	for _, r := range rows {
		result := "ok"
		if r.err != nil || r.failed > 0 || r.steps == 0 {
			result, code = "FAILED", 1
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t\n", r.provider, result, r.steps, steps.Duration(r.took))
	}
	_ = tw.Flush()
	for _, r := range rows {
		if r.err != nil {
			fmt.Fprintf(w, "%s: %v\n", r.provider, r.err)
		}
	}
	return code
}
