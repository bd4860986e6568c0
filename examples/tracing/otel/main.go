// Command otel traces every paywidget-go call with OpenTelemetry: a Tracer
// (see WithTracer in any provider package) that opens an OpenTelemetry span
// when an SDK call starts and ends it when the call returns, so that a
// provider call is a child of the merchant's own request span and a token
// fetch or the look-up of a <Call>Once is a child of the call that made it.
//
//	go run ./examples/tracing/otel
//
// It runs a short scenario against the built-in fakes (loopback only) under
// one "checkout" span and prints the finished spans as an indented tree. A
// real program would give sdktrace.NewTracerProvider an OTLP exporter
// instead; the SDK itself does not depend on OpenTelemetry (only this
// example does).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/paywidget/paywidget-go/examples/internal/tracedshop"
	"github.com/paywidget/paywidget-go/iotpay"
)

// Tracer turns SDK calls into OpenTelemetry client spans named after the
// operation ("iotpay.Purchase").
type Tracer struct {
	T trace.Tracer
}

// TraceCallStart opens the span; the context it returns carries it, so that
// calls made inside the SDK call become its children.
func (t Tracer) TraceCallStart(ctx context.Context, d iotpay.TraceCallStartData) context.Context {
	attrs := []attribute.KeyValue{attribute.String("paywidget.provider", d.Provider)}
	if d.Reference != "" {
		attrs = append(attrs, attribute.String("paywidget.reference", d.Reference))
	}
	ctx, _ = t.T.Start(ctx, d.Operation, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return ctx
}

// TraceCallEnd records the outcome on the span and ends it.
func (t Tracer) TraceCallEnd(ctx context.Context, d iotpay.TraceCallEndData) {
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(attribute.Int("paywidget.attempts", d.Attempts))
	if d.StatusCode != 0 {
		span.SetAttributes(attribute.Int("http.response.status_code", d.StatusCode))
	}
	if d.RequestID != "" {
		span.SetAttributes(attribute.String("paywidget.request_id", d.RequestID))
	}
	if d.Err != nil {
		span.SetAttributes(attribute.String("error.type", string(d.Class)))
		span.RecordError(d.Err)
		span.SetStatus(codes.Error, string(d.Class))
	}
	span.End()
}

// run plays the scenario under a "checkout" span, with every finished span
// handed to sp.
func run(ctx context.Context, sp sdktrace.SpanProcessor) error {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sp))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	ctx, root := tp.Tracer("shop").Start(ctx, "checkout")
	err := tracedshop.Run(ctx, Tracer{T: tp.Tracer("github.com/paywidget/paywidget-go")})
	root.End()
	return err
}

// treeExporter keeps the finished spans and prints them as a tree on
// Shutdown.
type treeExporter struct {
	w     io.Writer
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
}

func (e *treeExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.spans = append(e.spans, spans...)
	return nil
}

func (e *treeExporter) Shutdown(context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	children := map[trace.SpanID][]sdktrace.ReadOnlySpan{}
	for _, s := range e.spans {
		children[s.Parent().SpanID()] = append(children[s.Parent().SpanID()], s)
	}
	var print func(parent trace.SpanID, depth int)
	print = func(parent trace.SpanID, depth int) {
		kids := children[parent]
		sort.Slice(kids, func(i, j int) bool { return kids[i].StartTime().Before(kids[j].StartTime()) })
		for _, s := range kids {
			var attrs []string
			for _, a := range s.Attributes() {
				attrs = append(attrs, string(a.Key)+"="+a.Value.String())
			}
			status := ""
			if s.Status().Code == codes.Error {
				status = " ERROR(" + s.Status().Description + ")"
			}
			line := strings.Repeat("  ", depth) + s.Name()
			if len(attrs) > 0 {
				line += " " + strings.Join(attrs, " ")
			}
			fmt.Fprintln(e.w, line+status)
			print(s.SpanContext().SpanID(), depth+1)
		}
	}
	print(trace.SpanID{}, 0)
	return nil
}

func main() {
	if len(os.Args) > 1 {
		fmt.Fprintln(os.Stderr, "usage: go run ./examples/tracing/otel (no flags: it runs against the built-in fakes and prints the span tree)")
		os.Exit(2)
	}
	if err := run(context.Background(), sdktrace.NewSimpleSpanProcessor(&treeExporter{w: os.Stdout})); err != nil {
		fmt.Fprintln(os.Stderr, "otel example:", err)
		os.Exit(1)
	}
}
