package apisurface

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// tracingModules are libraries only the examples may use: the SDK offers a
// Tracer interface (WithTracer) and merchants wire it to theirs.
var tracingModules = []string{"go.opentelemetry.io/"}

// TestSDKImportsNoTracingLibrary fails when any package of the five
// providers, their fakes or internal/ (tests included) depends, directly or
// not, on a tracing library such as OpenTelemetry.
func TestSDKImportsNoTracingLibrary(t *testing.T) {
	args := []string{"list", "-deps", "-test", "-f", "{{.ImportPath}}", "./internal/..."}
	for _, p := range providers {
		args = append(args, "./"+p+"/...")
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	deps := strings.Fields(string(out))
	seen := map[string]bool{}
	for _, d := range deps {
		seen[d] = true
		for _, m := range tracingModules {
			if strings.HasPrefix(d, m) {
				t.Errorf("the SDK depends on %s", d)
			}
		}
	}
	// The list must be the real graph: it holds the shared road and a
	// provider's fake.
	for _, must := range []string{module + "/internal/httpx", module + "/iotpay/iotpaytest", "net/http"} {
		if !seen[must] {
			t.Fatalf("go list did not list %s: the check would prove nothing", must)
		}
	}
}
