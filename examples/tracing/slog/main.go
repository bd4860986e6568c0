// Command slog traces every paywidget-go call to log/slog: a Tracer (see
// WithTracer in any provider package) that writes one JSON record per SDK
// call when it returns — provider, operation, the merchant's reference,
// attempts, HTTP status, duration and, for a failure, its class and error —
// with a span id and its parent's, so that a token fetch or the look-up of a
// <Call>Once shows inside the call that made it.
//
//	go run ./examples/tracing/slog
//
// It runs a short scenario against the built-in fakes (loopback only):
// Finrota's token fetch and a read retried after a 503, an IOTPay purchase
// whose answer is lost and the query that follows, a request refused before
// sending, and Flexiti's AuthorizeOnce.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"

	"github.com/paywidget/paywidget-go/examples/internal/tracedshop"
	"github.com/paywidget/paywidget-go/iotpay"
)

// Tracer logs SDK calls through a *slog.Logger. It is safe for concurrent
// use, as a Tracer must be.
type Tracer struct {
	Log  *slog.Logger
	last atomic.Uint64
}

type spanKey struct{}

// span is what TraceCallStart puts in the context: this call's id and the
// id of the call it runs inside (0 for none).
type span struct{ id, parent uint64 }

// TraceCallStart gives the call an id and returns the context the call
// continues with: calls made inside it find this span there as their parent.
func (t *Tracer) TraceCallStart(ctx context.Context, _ iotpay.TraceCallStartData) context.Context {
	parent, _ := ctx.Value(spanKey{}).(span)
	return context.WithValue(ctx, spanKey{}, span{id: t.last.Add(1), parent: parent.id})
}

// TraceCallEnd writes the call's record: Info when it succeeded, Warn when
// it failed.
func (t *Tracer) TraceCallEnd(ctx context.Context, d iotpay.TraceCallEndData) {
	sp, _ := ctx.Value(spanKey{}).(span)
	attrs := []slog.Attr{
		slog.Uint64("span", sp.id),
		slog.Uint64("parent", sp.parent),
		slog.String("provider", d.Provider),
		slog.String("operation", d.Operation),
		slog.String("reference", d.Reference),
		slog.Int("attempts", d.Attempts),
		slog.Int("status", d.StatusCode),
		slog.Duration("duration", d.Duration),
	}
	if d.RequestID != "" {
		attrs = append(attrs, slog.String("request_id", d.RequestID))
	}
	level := slog.LevelInfo
	if d.Err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("class", string(d.Class)), slog.String("error", d.Err.Error()))
	}
	t.Log.LogAttrs(ctx, level, "paywidget call", attrs...)
}

// run plays the scenario with the tracer logging JSON to w.
func run(ctx context.Context, w io.Writer) error {
	return tracedshop.Run(ctx, &Tracer{Log: slog.New(slog.NewJSONHandler(w, nil))})
}

func main() {
	if len(os.Args) > 1 {
		fmt.Fprintln(os.Stderr, "usage: go run ./examples/tracing/slog (no flags: it runs against the built-in fakes and logs JSON to stdout)")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "slog example:", err)
		os.Exit(1)
	}
}
