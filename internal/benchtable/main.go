// Command benchtable measures the SDK against hand-written net/http code in
// interleaved rounds and prints the table BENCHMARKS.md is made from.
//
//	go run ./internal/benchtable -rounds 30
//
// It compiles the test binaries of internal/httpx and internal/conformance
// once, then runs every pair round by round: in each round the SDK variant
// and the plain variant of one exchange run back to back as separate
// processes (which one goes first alternates between rounds), so a burst of
// load from another job on a shared machine hits both sides of a round
// alike. The ratio of a row is the median of the per-round ratios
// SDK/plain; the times are the medians of each side. The machine's load
// average is sampled every round and printed with the table.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// pair is one exchange measured both ways.
type pair struct {
	label      string
	pkg        string // package whose test binary holds both benchmarks
	sdk, plain string // -test.bench patterns selecting exactly one benchmark
	target     float64
}

func exact(parts ...string) string {
	for i, p := range parts {
		parts[i] = "^" + p + "$"
	}
	return strings.Join(parts, "/")
}

var pairs = []pair{
	{label: "httpx: one JSON POST (loopback)", pkg: "./internal/httpx", sdk: exact("BenchmarkRoundTrip", "httpx"), plain: exact("BenchmarkRoundTrip", "plain"), target: 1.05},
	{label: "httpx: the same POST, 16 callers at once", pkg: "./internal/httpx", sdk: exact("BenchmarkParallel", "httpx"), plain: exact("BenchmarkParallel", "plain"), target: 1.10},
	{label: "httpx: the same POST over an in-memory transport (SDK layers only)", pkg: "./internal/httpx", sdk: exact("BenchmarkLayer", "httpx"), plain: exact("BenchmarkLayer", "plain"), target: 1.10},
	{label: "odero: RetrieveCheckout (signed GET)", pkg: "./internal/conformance", sdk: exact("BenchmarkRoundTrip", "odero", "sdk"), plain: exact("BenchmarkRoundTrip", "odero", "plain"), target: 1.10},
	{label: "iotpay: Query (signed POST cc_query)", pkg: "./internal/conformance", sdk: exact("BenchmarkRoundTrip", "iotpay", "sdk"), plain: exact("BenchmarkRoundTrip", "iotpay", "plain"), target: 1.10},
	{label: "ktwidget: CreatePayment (seal + POST)", pkg: "./internal/conformance", sdk: exact("BenchmarkRoundTrip", "ktwidget", "sdk"), plain: exact("BenchmarkRoundTrip", "ktwidget", "plain"), target: 1.10},
	{label: "finrota: CreateWidgetToken (bearer GET)", pkg: "./internal/conformance", sdk: exact("BenchmarkRoundTrip", "finrota", "sdk"), plain: exact("BenchmarkRoundTrip", "finrota", "plain"), target: 1.10},
	{label: "flexiti: GetAuthorization (bearer GET)", pkg: "./internal/conformance", sdk: exact("BenchmarkRoundTrip", "flexiti", "sdk"), plain: exact("BenchmarkRoundTrip", "flexiti", "plain"), target: 1.10},
	// The repeatable form against the plain call of the SDK itself, each a
	// new reference: what <Call>Once adds to a first call, held to the
	// provider rows' target (its machinery alone, BenchmarkDo in
	// internal/once, is issue 19's "under 2 µs"; it sends no extra provider
	// request).
	{label: "iotpay: PurchaseWithTokenOnce vs PurchaseWithToken (new number)", pkg: "./internal/conformance", sdk: exact("BenchmarkOnce", "iotpay", "once"), plain: exact("BenchmarkOnce", "iotpay", "call"), target: 1.10},
	{label: "finrota: PayOnce vs Pay (new reference)", pkg: "./internal/conformance", sdk: exact("BenchmarkOnce", "finrota", "once"), plain: exact("BenchmarkOnce", "finrota", "call"), target: 1.10},
	{label: "ktwidget: CreatePaymentOnce vs CreatePayment (new order_id)", pkg: "./internal/conformance", sdk: exact("BenchmarkOnce", "ktwidget", "once"), plain: exact("BenchmarkOnce", "ktwidget", "call"), target: 1.10},
	{label: "odero: Signature vs crypto/sha256", pkg: "./internal/conformance", sdk: exact("BenchmarkSign", "odero", "sdk"), plain: exact("BenchmarkSign", "odero", "sha256"), target: 1.20},
	{label: "iotpay: Sign vs crypto/md5 over the canonical string", pkg: "./internal/conformance", sdk: exact("BenchmarkSign", "iotpay", "sdk"), plain: exact("BenchmarkSign", "iotpay", "md5"), target: 1.20},
	{label: "ktwidget: Seal vs box.SealAnonymous + base64", pkg: "./internal/conformance", sdk: exact("BenchmarkSign", "ktwidget", "sdk"), plain: exact("BenchmarkSign", "ktwidget", "box"), target: 1.20},
}

// result is one benchmark run.
type result struct{ ns, cpu, bytes, allocs float64 }

func main() {
	rounds := flag.Int("rounds", 30, "rounds; in each, every pair runs once each way")
	benchtime := flag.String("benchtime", "200ms", "-test.benchtime of each run")
	only := flag.String("only", "", "measure only pairs whose label contains this")
	flag.Parse()
	if err := run(*rounds, *benchtime, *only, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func run(rounds int, benchtime, only string, out, progress io.Writer) error {
	var ps []pair
	for _, p := range pairs {
		if strings.Contains(p.label, only) {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return errors.New("no pair matches -only")
	}
	dir, err := os.MkdirTemp("", "benchtable")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bins := map[string]string{}
	for _, p := range ps {
		if bins[p.pkg] != "" {
			continue
		}
		bin := filepath.Join(dir, strings.ReplaceAll(strings.Trim(p.pkg, "./"), "/", "_")+".test")
		cmd := exec.Command("go", "test", "-c", "-o", bin, p.pkg)
		cmd.Stderr = progress
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("compiling %s: %w", p.pkg, err)
		}
		bins[p.pkg] = bin
	}

	sdk := make([][]result, len(ps))
	plain := make([][]result, len(ps))
	var loads []float64
	start := time.Now()
	for r := 0; r < rounds; r++ {
		loads = append(loads, loadavg())
		for i, p := range ps {
			order := []string{p.sdk, p.plain}
			if r%2 == 1 {
				order[0], order[1] = order[1], order[0]
			}
			for _, pat := range order {
				res, err := bench(bins[p.pkg], pat, benchtime)
				if err != nil {
					return fmt.Errorf("%s: %w", pat, err)
				}
				if pat == p.sdk {
					sdk[i] = append(sdk[i], res)
				} else {
					plain[i] = append(plain[i], res)
				}
			}
		}
		fmt.Fprintf(progress, "round %d/%d done (%s, load %.1f)\n", r+1, rounds, time.Since(start).Round(time.Second), loads[len(loads)-1])
	}
	loads = append(loads, loadavg())

	fmt.Fprintf(out, "Interleaved run: %d rounds, -benchtime %s per run, %s, %s/%s, %d CPUs, %s.\n", rounds, benchtime, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel())
	slices.Sort(loads)
	fmt.Fprintf(out, "Load average (1 min) sampled each round: min %.1f, median %.1f, max %.1f; wall time %s.\n\n", loads[0], median(loads), loads[len(loads)-1], time.Since(start).Round(time.Second))
	fmt.Fprintln(out, "| exchange | SDK time | plain time | ratio (median of rounds) | middle half of round ratios | CPU-time ratio | target | SDK B/op | plain B/op | SDK allocs | plain allocs |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|---|---|")
	for i, p := range ps {
		ratios := make([]float64, rounds)
		var cpuRatios []float64
		for r := range ratios {
			ratios[r] = sdk[i][r].ns / plain[i][r].ns
			if sdk[i][r].cpu > 0 && plain[i][r].cpu > 0 {
				cpuRatios = append(cpuRatios, sdk[i][r].cpu/plain[i][r].cpu)
			}
		}
		slices.Sort(ratios)
		slices.Sort(cpuRatios)
		m := median(ratios)
		mark := "✓"
		if m > p.target {
			mark = "✗"
		}
		cpuCol := "–"
		if len(cpuRatios) > 0 {
			cpuCol = fmt.Sprintf("%.2fx", median(cpuRatios))
		}
		fmt.Fprintf(out, "| %s | %s | %s | %.2fx %s | %.2f–%.2f | %s | %.2fx | %.0f | %.0f | %.0f | %.0f |\n", p.label,
			dur(med(sdk[i], func(r result) float64 { return r.ns })), dur(med(plain[i], func(r result) float64 { return r.ns })),
			m, mark, quantile(ratios, 0.25), quantile(ratios, 0.75), cpuCol, p.target,
			med(sdk[i], func(r result) float64 { return r.bytes }), med(plain[i], func(r result) float64 { return r.bytes }),
			med(sdk[i], func(r result) float64 { return r.allocs }), med(plain[i], func(r result) float64 { return r.allocs }))
	}
	return nil
}

// bench runs one benchmark once and parses its line.
func bench(bin, pattern, benchtime string) (result, error) {
	cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", pattern, "-test.benchtime", benchtime, "-test.benchmem", "-test.count", "1")
	cmd.Dir = filepath.Dir(bin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("%v\n%s%s", err, stdout.String(), stderr.String())
	}
	return parse(stdout.String(), pattern)
}

// parse reads the one benchmark line of a run's output.
func parse(output, pattern string) (result, error) {
	var found []result
	sc := bufio.NewScanner(strings.NewReader(output))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		var r result
		for j := 2; j+1 < len(f); j += 2 {
			v, err := strconv.ParseFloat(f[j], 64)
			if err != nil {
				continue
			}
			switch f[j+1] {
			case "ns/op":
				r.ns = v
			case "cpu-ns/op":
				r.cpu = v
			case "B/op":
				r.bytes = v
			case "allocs/op":
				r.allocs = v
			}
		}
		if r.ns > 0 {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		return result{}, fmt.Errorf("pattern %s matched %d benchmarks:\n%s", pattern, len(found), output)
	}
	return found[0], nil
}

func med(rs []result, f func(result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return median(v)
}

// median of sorted v.
func median(v []float64) float64 { return quantile(v, 0.5) }

// quantile of sorted v, interpolated.
func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	pos := q * float64(len(v)-1)
	lo := int(pos)
	if lo+1 >= len(v) {
		return v[lo]
	}
	return v[lo] + (pos-float64(lo))*(v[lo+1]-v[lo])
}

func dur(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

// loadavg is the 1-minute load average, or -1 where /proc has none.
func loadavg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
