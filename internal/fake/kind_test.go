package fake

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestKindString: every Kind constant declared in the package (read from
// its source, so a new one cannot be forgotten) prints as its own name, and
// a Fault prints its Kind by name.
func TestKindString(t *testing.T) {
	declared := kindConstants(t)
	if len(declared) != len(kindNames) {
		t.Errorf("%d Kind constants declared (%v), %d named in kindNames", len(declared), declared, len(kindNames))
	}
	seen := map[string]bool{}
	for k, name := range kindNames {
		if got := k.String(); got != name {
			t.Errorf("Kind %d prints %q, want %q", int(k), got, name)
		}
		if seen[name] {
			t.Errorf("two kinds named %q", name)
		}
		seen[name] = true
	}
	for _, name := range declared {
		if !seen[name] {
			t.Errorf("Kind constant %s has no name in kindNames", name)
		}
	}
	if got := Kind(0).String(); got != "Kind(0)" {
		t.Errorf("Kind(0) prints %q", got)
	}
	if got := fmt.Sprintf("%+v", Fault{Kind: DropAfter}); !strings.Contains(got, "Kind:DropAfter") {
		t.Errorf("a Fault prints %s; want its Kind by name", got)
	}
}

// kindConstants lists the constants of type Kind declared in the package's
// files (an iota run continues the type of its first constant).
func kindConstants(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			isKind := false
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				if vs.Type != nil || len(vs.Values) > 0 {
					id, ok := vs.Type.(*ast.Ident)
					isKind = ok && id.Name == "Kind"
				}
				if isKind {
					for _, n := range vs.Names {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	return names
}
