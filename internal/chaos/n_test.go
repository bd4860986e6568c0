//go:build !race

package chaos_test

// defaultN: a plain go test runs a thousand payments.
const defaultN = 1000
