package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

// The example's spans: one per SDK call, all under the merchant's
// "checkout" span, token fetches and a <Call>Once's calls nested inside the
// call that made them, attempts and status recorded, failures marked with
// their class, and no credential in any attribute or event.
func TestOtelExampleSpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	require.NoError(t, run(context.Background(), rec))
	spans := tracetest.SpanStubsFromReadOnlySpans(rec.Ended())
	require.Len(t, spans, 16) // checkout and the fifteen SDK calls

	byID := map[string]tracetest.SpanStub{}
	for _, s := range spans {
		byID[s.SpanContext.SpanID().String()] = s
	}
	path := func(s tracetest.SpanStub) string {
		p := s.Name
		for s.Parent.SpanID().IsValid() {
			s = byID[s.Parent.SpanID().String()]
			p = s.Name + " > " + p
		}
		return p
	}
	attr := func(s tracetest.SpanStub, key string) attribute.Value {
		for _, a := range s.Attributes {
			if string(a.Key) == key {
				return a.Value
			}
		}
		return attribute.Value{}
	}
	var paths []string
	for _, s := range spans {
		paths = append(paths, path(s))
		assert.Equal(t, spans[0].SpanContext.TraceID(), s.SpanContext.TraceID(), "one trace")
	}
	for _, want := range []string{
		"checkout > finrota.CreateWidgetToken > finrota.token",
		"checkout > iotpay.Query",
		"checkout > flexiti.NewFlow > flexiti.token",
		"checkout > flexiti.Flow.AuthorizeOnce > flexiti.FindAuthorization > flexiti.ListAuthorizations > flexiti.token",
		"checkout > flexiti.Flow.AuthorizeOnce > flexiti.Flow.Authorize",
	} {
		assert.Contains(t, paths, want)
	}

	var retried, lost, invalid bool
	for _, s := range spans {
		ref := attr(s, "paywidget.reference").AsString()
		switch {
		case s.Name == "finrota.CreateWidgetToken" && attr(s, "paywidget.attempts").AsInt64() == 2:
			retried = true
			assert.Equal(t, codes.Unset, s.Status.Code)
			assert.Equal(t, int64(200), attr(s, "http.response.status_code").AsInt64())
		case s.Name == "iotpay.Purchase" && ref == "order-1002":
			lost = true
			assert.Equal(t, codes.Error, s.Status.Code)
			assert.Equal(t, "outcome_unknown", attr(s, "error.type").AsString())
			require.Len(t, s.Events, 1, "the error is recorded")
		case s.Name == "iotpay.Purchase" && ref == "order-1003":
			invalid = true
			assert.Equal(t, "validation", attr(s, "error.type").AsString())
			assert.Equal(t, int64(0), attr(s, "paywidget.attempts").AsInt64())
		}
	}
	assert.True(t, retried && lost && invalid, "retried %v, lost %v, invalid %v", retried, lost, invalid)

	all := fmt.Sprintf("%+v", spans)
	for _, secret := range []string{finrotatest.APIKey, finrotatest.SecretKey, iotpaytest.Key, flexititest.ClientSecret} {
		assert.NotContains(t, all, secret)
	}
}

// main's exporter prints the same spans as an indented tree.
func TestOtelExamplePrintsTheTree(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), sdktrace.NewSimpleSpanProcessor(&treeExporter{w: &out})))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 16, out.String())
	assert.Equal(t, "checkout", lines[0])
	assert.Regexp(t, `^  finrota\.CreateWidgetToken .*paywidget\.attempts=1`, lines[1])
	assert.Regexp(t, `^    finrota\.token `, lines[2])
	assert.Contains(t, out.String(), "error.type=outcome_unknown ERROR(outcome_unknown)")
}
