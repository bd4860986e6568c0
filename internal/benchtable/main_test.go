package main

import "testing"

func TestParse(t *testing.T) {
	out := "goos: linux\nBenchmarkRoundTrip/odero/sdk-2 \t    2000\t     76992 ns/op\t     76560 cpu-ns/op\t   13588 B/op\t     158 allocs/op\nPASS\n"
	r, err := parse(out, "x")
	if err != nil {
		t.Fatal(err)
	}
	if r != (result{ns: 76992, cpu: 76560, bytes: 13588, allocs: 158}) {
		t.Fatalf("parsed %+v", r)
	}
	if _, err := parse("PASS\n", "x"); err == nil {
		t.Fatal("no benchmark line must be an error")
	}
	if _, err := parse(out+out, "x"); err == nil {
		t.Fatal("two benchmark lines must be an error")
	}
}

func TestQuantile(t *testing.T) {
	v := []float64{1, 2, 3, 4}
	for q, want := range map[float64]float64{0: 1, 0.5: 2.5, 0.25: 1.75, 0.75: 3.25, 1: 4} {
		if got := quantile(v, q); got != want {
			t.Errorf("quantile(%v) = %v, want %v", q, got, want)
		}
	}
	if median([]float64{5}) != 5 || median(nil) != 0 {
		t.Error("median of one or none")
	}
}
