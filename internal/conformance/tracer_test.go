package conformance_test

import (
	"testing"

	"github.com/paywidget/paywidget-go/internal/conformance"
)

// TestTracer runs the tracer table over all five providers.
func TestTracer(t *testing.T) {
	for _, s := range []conformance.Subject{finrotaSubject, flexitiSubject, iotpaySubject, ktwidgetSubject, oderoSubject} {
		t.Run(s.Name, func(t *testing.T) { conformance.Trace(t, s) })
	}
}
