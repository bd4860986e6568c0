package apisurface

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEveryCallIsTraced fails for an exported method of a provider package
// that takes a context (a call that may reach the provider) but does not
// open its span first thing: its first statement must be
//
//	ctx, sp := <client>.Trace(ctx, "<pkg>.<Method>", …)   // "<pkg>.<Type>.<Method>" off Client
//
// (after at most the reference's nil guard) and one of the next a
// `defer sp.End(&err)`, so that a tracer sees every call, validation
// failures included, once, under its name.
func TestEveryCallIsTraced(t *testing.T) {
	checked := 0
	for _, p := range providers {
		dir := filepath.Join("..", "..", p)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Recv == nil || !fn.Name.IsExported() || !takesContext(fn) {
					continue
				}
				recv := recvName(fn)
				if !ast.IsExported(recv) {
					continue
				}
				if isIterator(fn) {
					// An All… iterator opens no span of its own: each page
					// is fetched by its paged List/Search call, traced there.
					continue
				}
				op := p + "." + fn.Name.Name
				if recv != "Client" {
					op = p + "." + recv + "." + fn.Name.Name
				}
				checked++
				if msg := traced(fn, op); msg != "" {
					t.Errorf("%s/%s: (%s).%s %s", p, name, recv, fn.Name.Name, msg)
				}
			}
		}
	}
	if checked < 40 {
		t.Fatalf("only %d methods checked: the scan is broken", checked)
	}
}

// isIterator reports whether fn's one result is an iter.Seq2[…].
func isIterator(fn *ast.FuncDecl) bool {
	res := fn.Type.Results
	if res == nil || len(res.List) != 1 {
		return false
	}
	ix, ok := res.List[0].Type.(*ast.IndexListExpr)
	if !ok {
		return false
	}
	sel, ok := ix.X.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "iter" && sel.Sel.Name == "Seq2"
}

func takesContext(fn *ast.FuncDecl) bool {
	ps := fn.Type.Params.List
	if len(ps) == 0 {
		return false
	}
	sel, ok := ps[0].Type.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Context"
}

func recvName(fn *ast.FuncDecl) string {
	t := fn.Recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// traced returns what is wrong with fn's span, or "".
func traced(fn *ast.FuncDecl, op string) string {
	res := fn.Type.Results
	if res == nil || len(res.List) == 0 {
		return "returns nothing to trace"
	}
	last := res.List[len(res.List)-1]
	if len(last.Names) != 1 || last.Names[0].Name != "err" {
		return "needs the named result err for sp.End(&err)"
	}
	stmts := fn.Body.List
	i := 0
	// Allowed before: `var ref string` and `if x != nil { ref = x.Field }`.
	for i < len(stmts) && i < 2 {
		switch s := stmts[i].(type) {
		case *ast.DeclStmt:
			i++
			continue
		case *ast.IfStmt:
			if len(s.Body.List) == 1 {
				i++
				continue
			}
		}
		break
	}
	if i+1 >= len(stmts) {
		return "does not open a span"
	}
	as, ok := stmts[i].(*ast.AssignStmt)
	if !ok || len(as.Rhs) != 1 || len(as.Lhs) != 2 {
		return "does not open its span first (ctx, sp := ….Trace(ctx, op, ref))"
	}
	call, ok := as.Rhs[0].(*ast.CallExpr)
	if !ok {
		return "does not open its span first"
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Trace" || len(call.Args) != 3 {
		return "does not open its span first with Trace"
	}
	if id, ok := as.Lhs[0].(*ast.Ident); !ok || id.Name != "ctx" {
		return "must continue with the context Trace returns"
	}
	lit, ok := call.Args[1].(*ast.BasicLit)
	if !ok {
		return "names its span with a non-constant"
	}
	if got, _ := strconv.Unquote(lit.Value); got != op {
		return "names its span " + got + ", want " + op
	}
	sp := as.Lhs[1].(*ast.Ident).Name
	d, ok := stmts[i+1].(*ast.DeferStmt)
	if !ok {
		return "does not defer " + sp + ".End(&err) right after Trace"
	}
	if s, ok := d.Call.Fun.(*ast.SelectorExpr); !ok || s.Sel.Name != "End" || len(d.Call.Args) != 1 {
		return "does not defer " + sp + ".End(&err)"
	}
	if u, ok := d.Call.Args[0].(*ast.UnaryExpr); !ok || u.Op != token.AND {
		return "must pass &err to End"
	} else if id, ok := u.X.(*ast.Ident); !ok || id.Name != "err" {
		return "must pass &err to End"
	}
	return ""
}
