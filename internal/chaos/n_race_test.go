//go:build race

package chaos_test

// defaultN: under the race detector (several times slower) the run is
// shorter; the plain go test and .ci/run's PostgreSQL run do the full count.
const defaultN = 200
