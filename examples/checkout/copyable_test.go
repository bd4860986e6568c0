package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestShopImportsOnlyWhatAMerchantCan: merchants copy this shop into their
// own module, where the SDK's internal packages cannot be imported; its
// code must reach everything through the provider packages.
func TestShopImportsOnlyWhatAMerchantCan(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range file.Imports {
			if p := strings.Trim(imp.Path.Value, `"`); strings.Contains(p, "/paywidget-go/internal/") || strings.Contains(p, "/paywidget-go/examples/internal/") {
				t.Errorf("%s imports %s, which a merchant's module cannot", f, p)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no source files found")
	}
}
