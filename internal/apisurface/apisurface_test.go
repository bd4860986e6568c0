// Package apisurface checks, with go/types, what a merchant meets in the
// exported API of the five provider packages and their fakes.
package apisurface

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/doc"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

const module = "github.com/paywidget/paywidget-go"

// providers are the packages a merchant imports, each with its fake.
var providers = []string{"finrota", "flexiti", "iotpay", "ktwidget", "odero"}

// listed is one package as `go list -export -json` describes it.
type listed struct {
	ImportPath string
	Dir        string
	Export     string
	GoFiles    []string
}

var (
	loadOnce   sync.Once
	loadedPkgs map[string]*types.Package
	loadedInfo map[string]listed
	loadErr    error
)

// load imports the ten packages once per test binary.
func load(t *testing.T) (map[string]*types.Package, map[string]listed) {
	t.Helper()
	loadOnce.Do(func() { loadedPkgs, loadedInfo, loadErr = loadPackages() })
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loadedPkgs, loadedInfo
}

// loadPackages type-checks nothing itself: it imports the packages from the
// export data the go command builds, which is what go/types sees of a
// dependency, with every exported declaration.
func loadPackages() (map[string]*types.Package, map[string]listed, error) {
	var paths []string
	for _, p := range providers {
		paths = append(paths, module+"/"+p, module+"/"+p+"/"+p+"test")
	}
	args := append([]string{"list", "-export", "-deps", "-json=ImportPath,Dir,Export,GoFiles"}, paths...)
	cmd := exec.Command("go", args...)
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("go list: %v\n%s", err, stderr.String())
	}
	info := map[string]listed{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var l listed
		if err := dec.Decode(&l); err == io.EOF {
			break
		} else if err != nil {
			return nil, nil, err
		}
		info[l.ImportPath] = l
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		l, ok := info[path]
		if !ok || l.Export == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(l.Export)
	})
	pkgs := map[string]*types.Package{}
	for _, p := range paths {
		pkg, err := imp.Import(p)
		if err != nil {
			return nil, nil, fmt.Errorf("import %s: %v", p, err)
		}
		pkgs[p] = pkg
	}
	return pkgs, info, nil
}

// surface walks one provider's two packages.
type surface struct {
	own      map[*types.Package]bool
	nameable map[*types.TypeName]bool // declared in, or aliased by, the two packages
	walked   map[types.Type]bool
	bad      map[string]bool
}

// allowedModule reports whether a package of this module other than the
// provider's own two may appear in its API: none may today. A public shared
// package (a SQL claim store, say) would be named here, with the reason a
// merchant can import it; an alias in the provider package is the other way.
func allowedModule(path string) bool { return false }

func (s *surface) foreign(obj *types.TypeName) bool {
	if obj.Pkg() == nil || s.own[obj.Pkg()] || s.nameable[obj] {
		return false
	}
	path := obj.Pkg().Path()
	if path == module || strings.HasPrefix(path, module+"/") {
		return !allowedModule(path)
	}
	return false // the standard library and other modules can be imported
}

// check reports every type inside t that the merchant cannot name; where
// says which API element uses it.
func (s *surface) check(where string, t types.Type) {
	switch t := t.(type) {
	case *types.Alias:
		// An alias names its target: judge the target.
		s.check(where, types.Unalias(t))
	case *types.Named:
		obj := t.Origin().Obj()
		if s.foreign(obj) {
			s.bad[fmt.Sprintf("%s uses %s.%s", where, obj.Pkg().Path(), obj.Name())] = true
		} else if obj.Pkg() != nil && s.own[obj.Pkg()] && !obj.Exported() && !s.nameable[obj] {
			s.bad[fmt.Sprintf("%s uses unexported %s.%s", where, obj.Pkg().Name(), obj.Name())] = true
		}
		for i := range t.TypeArgs().Len() {
			s.check(where, t.TypeArgs().At(i))
		}
	case *types.Pointer:
		s.check(where, t.Elem())
	case *types.Slice:
		s.check(where, t.Elem())
	case *types.Array:
		s.check(where, t.Elem())
	case *types.Map:
		s.check(where, t.Key())
		s.check(where, t.Elem())
	case *types.Chan:
		s.check(where, t.Elem())
	case *types.Signature:
		for i := range t.Params().Len() {
			s.check(where, t.Params().At(i).Type())
		}
		for i := range t.Results().Len() {
			s.check(where, t.Results().At(i).Type())
		}
	case *types.Struct:
		for i := range t.NumFields() {
			if f := t.Field(i); f.Exported() {
				s.check(where+"."+f.Name(), f.Type())
			}
		}
	case *types.Interface:
		for i := range t.NumMethods() {
			if m := t.Method(i); m.Exported() {
				s.check(where+"."+m.Name(), m.Type())
			}
		}
	}
}

// walkType checks the exported fields and the method sets of a named type
// the merchant can name.
func (s *surface) walkType(name string, t types.Type) {
	if s.walked[t] {
		return
	}
	s.walked[t] = true
	if st, ok := t.Underlying().(*types.Struct); ok {
		for i := range st.NumFields() {
			if f := st.Field(i); f.Exported() {
				s.check(name+"."+f.Name(), f.Type())
			}
		}
	}
	if it, ok := t.Underlying().(*types.Interface); ok {
		for i := range it.NumMethods() {
			if m := it.Method(i); m.Exported() {
				s.check(name+"."+m.Name(), m.Type())
			}
		}
	}
	if _, ok := t.Underlying().(*types.Interface); !ok {
		for _, recv := range []types.Type{t, types.NewPointer(t)} {
			ms := types.NewMethodSet(recv)
			for i := range ms.Len() {
				if m := ms.At(i).Obj(); m.Exported() {
					s.check(name+"."+m.Name(), m.Type())
				}
			}
		}
	}
}

// TestExportedAPINamesOnlyNameableTypes fails for every exported function,
// method (own or promoted by embedding), struct field, interface method,
// variable or constant of a provider package or its fake whose type mentions
// a type the merchant cannot name from that provider's own two packages: a
// type of an internal package (or of another package of this module) that no
// alias in the two packages names, or an unexported type.
func TestExportedAPINamesOnlyNameableTypes(t *testing.T) {
	pkgs, _ := load(t)
	var found []string
	for _, p := range providers {
		own := []*types.Package{pkgs[module+"/"+p], pkgs[module+"/"+p+"/"+p+"test"]}
		s := &surface{own: map[*types.Package]bool{}, nameable: map[*types.TypeName]bool{}, walked: map[types.Type]bool{}, bad: map[string]bool{}}
		for _, pkg := range own {
			s.own[pkg] = true
		}
		// Aliases first: an alias makes its target nameable.
		for _, pkg := range own {
			for _, n := range pkg.Scope().Names() {
				if tn, ok := pkg.Scope().Lookup(n).(*types.TypeName); ok && tn.Exported() && tn.IsAlias() {
					if named, ok := types.Unalias(tn.Type()).(*types.Named); ok {
						s.nameable[named.Origin().Obj()] = true
					}
				}
			}
		}
		for _, pkg := range own {
			for _, n := range pkg.Scope().Names() {
				obj := pkg.Scope().Lookup(n)
				if !obj.Exported() {
					continue
				}
				where := pkg.Name() + "." + n
				switch obj := obj.(type) {
				case *types.TypeName:
					if obj.IsAlias() {
						if _, ok := types.Unalias(obj.Type()).(*types.Named); !ok {
							s.check(where, types.Unalias(obj.Type()))
						}
					}
					s.walkType(where, types.Unalias(obj.Type()))
				default: // funcs, vars, consts
					s.check(where, obj.Type())
				}
			}
		}
		for b := range s.bad {
			found = append(found, b)
		}
	}
	judge(t, found)
}

// TestAliasDocsListTheirMembers fails when an exported alias in a provider
// package or its fake names a type of an internal package but its doc
// comment does not mention every exported field and method of that type:
// `go doc` prints an alias without its target's members, so the comment is
// where the merchant reads them.
func TestAliasDocsListTheirMembers(t *testing.T) {
	pkgs, info := load(t)
	var found []string
	for _, p := range providers {
		for _, path := range []string{module + "/" + p, module + "/" + p + "/" + p + "test"} {
			docs := typeDocs(t, info[path])
			pkg := pkgs[path]
			for _, n := range pkg.Scope().Names() {
				tn, ok := pkg.Scope().Lookup(n).(*types.TypeName)
				if !ok || !tn.Exported() || !tn.IsAlias() {
					continue
				}
				named, ok := types.Unalias(tn.Type()).(*types.Named)
				if !ok || named.Obj().Pkg() == nil || !strings.Contains(named.Obj().Pkg().Path(), module+"/internal/") {
					continue
				}
				var members []string
				if st, ok := named.Underlying().(*types.Struct); ok {
					for i := range st.NumFields() {
						if st.Field(i).Exported() {
							members = append(members, st.Field(i).Name())
						}
					}
				}
				ms := types.NewMethodSet(types.NewPointer(named))
				if _, ok := named.Underlying().(*types.Interface); ok {
					ms = types.NewMethodSet(named)
				}
				for i := range ms.Len() {
					if m := ms.At(i).Obj(); m.Exported() {
						members = append(members, m.Name())
					}
				}
				for _, m := range members {
					if !mentions(docs[n], m) {
						found = append(found, fmt.Sprintf("%s.%s = %s: "+docOffence+" %s", pkg.Name(), n, named.Obj().Name(), m))
					}
				}
			}
		}
	}
	judge(t, found)
}

const docOffence = "doc comment does not mention"

// judge fails once for every offence found, in a stable order.
func judge(t *testing.T, found []string) {
	t.Helper()
	sort.Strings(found)
	for _, f := range found {
		t.Errorf("%s", f)
	}
}

// mentions reports whether doc names m as a word.
func mentions(doc, m string) bool {
	for i := 0; ; {
		j := strings.Index(doc[i:], m)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(m)
		before := j == 0 || !isIdent(doc[j-1])
		after := end == len(doc) || !isIdent(doc[end])
		if before && after {
			return true
		}
		i = end
	}
}

func isIdent(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// typeDocs returns the doc comment of each type declared in l's files.
func typeDocs(t *testing.T, l listed) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	out := map[string]string{}
	for _, f := range l.GoFiles {
		file, err := parser.ParseFile(fset, filepath.Join(l.Dir, f), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, sp := range gd.Specs {
				ts := sp.(*ast.TypeSpec)
				text := ts.Doc.Text()
				if text == "" && len(gd.Specs) == 1 {
					text = gd.Doc.Text()
				}
				out[ts.Name.Name] = text
			}
		}
	}
	return out
}

// TestEveryPackageHasAComment fails for a provider package or fake that
// `go doc` would show without a package comment.
func TestEveryPackageHasAComment(t *testing.T) {
	_, info := load(t)
	for _, p := range providers {
		for _, path := range []string{module + "/" + p, module + "/" + p + "/" + p + "test"} {
			l := info[path]
			fset := token.NewFileSet()
			files := map[string]*ast.File{}
			for _, f := range l.GoFiles {
				file, err := parser.ParseFile(fset, filepath.Join(l.Dir, f), nil, parser.ParseComments|parser.PackageClauseOnly)
				if err != nil {
					t.Fatal(err)
				}
				files[f] = file
			}
			var fl []*ast.File
			for _, f := range files {
				fl = append(fl, f)
			}
			d, err := doc.NewFromFiles(fset, fl, path)
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(d.Doc) == "" {
				t.Errorf("%s has no package comment", path)
			}
		}
	}
}
