package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

type record struct {
	Level     string `json:"level"`
	Span      int    `json:"span"`
	Parent    int    `json:"parent"`
	Provider  string `json:"provider"`
	Operation string `json:"operation"`
	Reference string `json:"reference"`
	Attempts  int    `json:"attempts"`
	Status    int    `json:"status"`
	Class     string `json:"class"`
	Error     string `json:"error"`
}

// The example runs against the fakes and logs one record per SDK call, each
// span once, nested spans naming their parent, with the attempts and class
// each call had, and no credential anywhere.
func TestSlogExampleLogsOneRecordPerCall(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	var recs []record
	bySpan := map[int]record{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r record
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		_, dup := bySpan[r.Span]
		require.False(t, dup, "span %d logged twice", r.Span)
		bySpan[r.Span] = r
		recs = append(recs, r)
	}
	require.Len(t, recs, 15, out.String())
	for id := 1; id <= len(recs); id++ {
		require.Contains(t, bySpan, id, "span ids run 1..n without a gap")
	}
	find := func(op, ref string, nth int) record {
		t.Helper()
		for _, r := range recs {
			if r.Operation == op && r.Reference == ref {
				if nth == 0 {
					return r
				}
				nth--
			}
		}
		t.Fatalf("no record %d of %s %q", nth, op, ref)
		return record{}
	}
	path := func(r record) string {
		p := r.Operation
		for r.Parent != 0 {
			r = bySpan[r.Parent]
			p = r.Operation + " > " + p
		}
		return p
	}

	// Finrota: the token fetch sits inside the first call; the second call
	// was retried once after the 503.
	tok := find("finrota.token", "", 0)
	assert.Equal(t, "finrota.CreateWidgetToken > finrota.token", path(tok))
	assert.Equal(t, 1, find("finrota.CreateWidgetToken", "", 0).Attempts)
	retried := find("finrota.CreateWidgetToken", "", 1)
	assert.Equal(t, 2, retried.Attempts)
	assert.Equal(t, 200, retried.Status)
	assert.Empty(t, retried.Class)

	// IOTPay: the lost answer is outcome unknown, the invalid one
	// validation with nothing sent.
	lost := find("iotpay.Purchase", "order-1002", 0)
	assert.Equal(t, "WARN", lost.Level)
	assert.Equal(t, "outcome_unknown", lost.Class)
	assert.Equal(t, 1, lost.Attempts)
	assert.Contains(t, lost.Error, "outcome unknown")
	assert.Equal(t, 200, find("iotpay.Query", "order-1002", 0).Status)
	bad := find("iotpay.Purchase", "order-1003", 0)
	assert.Equal(t, "validation", bad.Class)
	assert.Equal(t, 0, bad.Attempts)

	// Flexiti: AuthorizeOnce holds its look-up and its authorization.
	once := find("flexiti.Flow.AuthorizeOnce", "order-2001", 0)
	assert.Equal(t, 0, once.Parent)
	assert.Equal(t, "flexiti.Flow.AuthorizeOnce > flexiti.FindAuthorization", path(find("flexiti.FindAuthorization", "order-2001", 0)))
	assert.Equal(t, "flexiti.Flow.AuthorizeOnce > flexiti.Flow.Authorize", path(find("flexiti.Flow.Authorize", "order-2001", 0)))

	for _, secret := range []string{finrotatest.APIKey, finrotatest.SecretKey, iotpaytest.Key, flexititest.ClientSecret} {
		assert.NotContains(t, out.String(), secret)
	}
}
