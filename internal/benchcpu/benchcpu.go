// Package benchcpu adds a CPU-time metric to the side-by-side benchmarks.
// On a machine shared with other jobs, wall time per operation mostly
// measures how long a goroutine waited for a core; the process's CPU time
// per operation (client, loopback server and runtime together, user plus
// system) is what the code itself costs.
package benchcpu

import (
	"testing"
)

// Measure starts counting the process's CPU time. Call it right before the
// benchmark loop and call the function it returns right after: it reports
// "cpu-ns/op". Where the platform has no getrusage it reports nothing.
func Measure(b *testing.B) (stop func()) {
	start, ok := cpu()
	return func() {
		end, ok2 := cpu()
		if ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
