package conformance_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// rawMarker is reply content that must never be printed: a token a reply
// might carry.
const rawMarker = `{"access_token":"tok-PRINT-SECRET","n":1}`

// byteNoise is how fmt prints a byte slice: decimal numbers in brackets, or
// hexadecimal in a Go literal.
var byteNoise = regexp.MustCompile(`\[\d+( \d+){3,}\]|0x[0-9a-f]{2}, 0x`)

// TestRawRepliesPrintReadably prints every public type that keeps reply
// bytes, with content in them, through %v, %+v, %#v and %s: the output is
// printable text, without byte-slice noise and without the content.
func TestRawRepliesPrintReadably(t *testing.T) {
	raw := []byte(rawMarker)
	values := map[string]any{
		"flexiti.Application":          flexiti.Application{Raw: raw},
		"flexiti.Authorization":        flexiti.Authorization{AuthorizationID: 5001, Raw: raw},
		"flexiti.Capture":              flexiti.Capture{Raw: raw},
		"flexiti.Return":               flexiti.Return{Raw: raw},
		"finrota.APIError":             finrota.APIError{HTTPStatus: 400, Errors: raw},
		"iotpay.StatusError":           iotpay.StatusError{Provider: "iotpay", Body: raw},
		"odero.StatusError":            odero.StatusError{Provider: "odero", Body: raw},
		"ktwidgettest.DecryptedOrder":  ktwidgettest.DecryptedOrder{Raw: raw},
		"finrotatest.Request":          finrotatest.Request{Method: "POST", Path: "/p", Body: raw},
		"flexititest.Fault":            flexititest.Fault{Kind: flexititest.Malformed, Body: raw},
		"flexiti.RawBody":              flexiti.RawBody(raw),
		"odero.RawBody (a nil one)":    odero.RawBody(nil),
		"ktwidget.RawBody (not JSON)":  ktwidget.RawBody("\x00\x01binary\xff"),
		"iotpay.RawBody in a struct":   struct{ B iotpay.RawBody }{raw},
		"finrota.RawBody in a pointer": &struct{ B finrota.RawBody }{raw},
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, "tok-PRINT-SECRET") || strings.Contains(out, "binary") {
				t.Errorf("%s printed with %s shows the reply's content: %s", name, verb, out)
			}
			if byteNoise.MatchString(out) {
				t.Errorf("%s printed with %s shows bytes as numbers: %s", name, verb, out)
			}
			for _, r := range out {
				if !unicode.IsPrint(r) && r != '\n' && r != '\t' {
					t.Errorf("%s printed with %s has the unprintable %U: %q", name, verb, r, out)
					break
				}
			}
			if !strings.Contains(out, "bytes)") && !strings.Contains(out, "HTTP") && !strings.Contains(out, "400") {
				t.Errorf("%s printed with %s does not say how much it kept: %s", name, verb, out)
			}
		}
	}
	if got := string(flexiti.Authorization{Raw: raw}.Raw); got != rawMarker {
		t.Errorf("the bytes themselves must stay readable with string(): %q", got)
	}
}

// TestFaultKindPrintsItsName: every fake's FaultKind prints as its
// constant's name, alone and inside a Fault.
func TestFaultKindPrintsItsName(t *testing.T) {
	kinds := map[string][]fmt.Stringer{
		"finrotatest":  {finrotatest.Status, finrotatest.DropBefore, finrotatest.DropAfter, finrotatest.Truncate, finrotatest.Malformed, finrotatest.Hang},
		"flexititest":  {flexititest.Status, flexititest.DropBefore, flexititest.DropAfter, flexititest.Truncate, flexititest.Malformed, flexititest.Hang},
		"iotpaytest":   {iotpaytest.Status, iotpaytest.DropBefore, iotpaytest.DropAfter, iotpaytest.Truncate, iotpaytest.Malformed, iotpaytest.Hang},
		"ktwidgettest": {ktwidgettest.Status, ktwidgettest.DropBefore, ktwidgettest.DropAfter, ktwidgettest.Truncate, ktwidgettest.Malformed, ktwidgettest.Hang},
		"oderotest":    {oderotest.Status, oderotest.DropBefore, oderotest.DropAfter, oderotest.Truncate, oderotest.Malformed, oderotest.Hang},
	}
	want := []string{"Status", "DropBefore", "DropAfter", "Truncate", "Malformed", "Hang"}
	for pkg, ks := range kinds {
		for i, k := range ks {
			if got := fmt.Sprint(k); got != want[i] {
				t.Errorf("%s.%s prints %q", pkg, want[i], got)
			}
		}
	}
	if got := fmt.Sprintf("%+v", oderotest.Fault{Kind: oderotest.Hang}); !strings.Contains(got, "Kind:Hang") {
		t.Errorf("a Fault prints %s; want its Kind by name", got)
	}
}

// TestNoBytePrintingFields reads the provider packages, their fakes and
// the internal types they re-export, and finds every struct field (exported
// or not) of an exported struct that fmt would print as numbers: []byte,
// json.RawMessage or a byte array. A type with its own Format is exempt (it
// prints itself); every other such field must use RawBody, which prints
// its size.
func TestNoBytePrintingFields(t *testing.T) {
	dirs := []string{"finrota", "finrota/finrotatest", "flexiti", "flexiti/flexititest", "ktwidget", "ktwidget/ktwidgettest",
		"iotpay", "iotpay/iotpaytest", "odero", "odero/oderotest", "internal/httpx", "internal/fake", "internal/claims"}
	// reexported names, for an internal package, the types the provider
	// packages and fakes re-export (the only ones a merchant can print).
	reexported := map[string]map[string]bool{
		"internal/httpx":  {"StatusError": true, "TransportError": true, "DecodeError": true, "ValidationError": true, "RetryPolicy": true, "Meta": true},
		"internal/fake":   {"Request": true, "Fault": true},
		"internal/claims": {"Claim": true},
	}
	isBytes := func(e ast.Expr) bool {
		switch x := e.(type) {
		case *ast.ArrayType:
			id, ok := x.Elt.(*ast.Ident)
			return ok && (id.Name == "byte" || id.Name == "uint8")
		case *ast.SelectorExpr:
			pkg, ok := x.X.(*ast.Ident)
			return ok && pkg.Name == "json" && x.Sel.Name == "RawMessage"
		}
		return false
	}
	checked := 0
	for _, dir := range dirs {
		entries, err := os.ReadDir(filepath.Join("..", "..", dir))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		var files []*ast.File
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join("..", "..", dir, e.Name()), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		formats := map[string]bool{} // receiver type → has Format
		for _, f := range files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Recv == nil || fd.Name.Name != "Format" {
					continue
				}
				rt := fd.Recv.List[0].Type
				if st, ok := rt.(*ast.StarExpr); ok {
					rt = st.X
				}
				if id, ok := rt.(*ast.Ident); ok {
					formats[id.Name] = true
				}
			}
		}
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				ts, ok := n.(*ast.TypeSpec)
				if !ok || !ts.Name.IsExported() {
					return true
				}
				if only := reexported[dir]; only != nil && !only[ts.Name.Name] {
					return false
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok || formats[ts.Name.Name] {
					return false
				}
				for _, fl := range st.Fields.List {
					checked++
					if isBytes(fl.Type) {
						names := "(embedded)"
						if len(fl.Names) > 0 {
							names = fl.Names[0].Name
						}
						t.Errorf("%s.%s.%s is a byte slice fmt prints as numbers: make it a RawBody (or give %s a Format)", dir, ts.Name.Name, names, ts.Name.Name)
					}
				}
				return false
			})
		}
	}
	if checked < 100 {
		t.Fatalf("only %d fields checked: the scan proves nothing", checked)
	}
}
