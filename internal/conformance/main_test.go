package conformance_test

import (
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/paywidget/paywidget-go/internal/conformance"
)

// TestMain prints what the suite checked, per provider, after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	totals := conformance.Totals()
	names := make([]string, 0, len(totals))
	for n := range totals {
		names = append(names, n)
	}
	sort.Strings(names)
	var all conformance.Counts
	for _, n := range names {
		c := totals[n]
		fmt.Printf("conformance %-9s fault cases %3d  hostile replies %3d  invalid requests %3d  concurrent calls %3d\n", n, c.FaultCases, c.HostileCases, c.InvalidCases, c.ConcurrentCalls)
		all.FaultCases += c.FaultCases
		all.HostileCases += c.HostileCases
		all.InvalidCases += c.InvalidCases
		all.ConcurrentCalls += c.ConcurrentCalls
		for i := range c.FaultCasesByWire {
			all.FaultCasesByWire[i] += c.FaultCasesByWire[i]
		}
	}
	if len(names) > 0 {
		fmt.Printf("conformance %-9s fault cases %3d  hostile replies %3d  invalid requests %3d  concurrent calls %3d\n", "total", all.FaultCases, all.HostileCases, all.InvalidCases, all.ConcurrentCalls)
		for i, w := range conformance.Wires {
			fmt.Printf("conformance fault cases over %-11s %3d\n", w.Name, all.FaultCasesByWire[i])
		}
	}
	os.Exit(code)
}
