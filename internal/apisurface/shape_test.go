package apisurface

// The tests in this file hold the five provider packages to one shape per
// concept (CONTRIBUTING.md, "One concept, one name"): what a merchant learns
// from one provider must hold for the next. Each reports every difference
// it finds, by package and name.

import (
	"fmt"
	"go/types"
	"sort"
	"strings"
	"testing"
)

// pkgOf returns a provider's own package (not its fake).
func pkgOf(t *testing.T, p string) *types.Package {
	pkgs, _ := load(t)
	return pkgs[module+"/"+p]
}

// named is the named type behind an exported name of pkg, or nil.
func named(pkg *types.Package, name string) *types.Named {
	tn, ok := pkg.Scope().Lookup(name).(*types.TypeName)
	if !ok {
		return nil
	}
	n, _ := types.Unalias(tn.Type()).(*types.Named)
	return n
}

var errorIface = types.Universe.Lookup("error").Type().Underlying().(*types.Interface)

// isError reports whether t or *t implements error.
func isError(t types.Type) bool {
	return types.Implements(t, errorIface) || types.Implements(types.NewPointer(t), errorIface)
}

// field returns the exported field name of struct type t, or nil.
func field(t types.Type, name string) *types.Var {
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	for i := range st.NumFields() {
		if f := st.Field(i); f.Name() == name {
			return f
		}
	}
	return nil
}

// method returns the method name of *t (or of t), or nil.
func method(t types.Type, name string) *types.Func {
	obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(t), true, nil, name)
	f, _ := obj.(*types.Func)
	return f
}

// TestAPIErrorHasOneFieldSet: every provider's APIError carries HTTPStatus,
// Code, Message, RequestID and RetryAfter, with the same types (Code is the
// provider's code: a string, or an int where the provider's codes are
// numbers); no exported error type has a field named Status or StatusCode
// (the HTTP status is HTTPStatus everywhere).
func TestAPIErrorHasOneFieldSet(t *testing.T) {
	var found []string
	want := map[string]string{"HTTPStatus": "int", "Message": "string", "RequestID": "string", "RetryAfter": "time.Duration"}
	for _, p := range providers {
		pkg := pkgOf(t, p)
		api := named(pkg, "APIError")
		if api == nil {
			found = append(found, p+": no APIError")
			continue
		}
		for name, typ := range want {
			f := field(api, name)
			if f == nil {
				found = append(found, fmt.Sprintf("%s.APIError has no %s", p, name))
			} else if got := types.TypeString(f.Type(), (*types.Package).Name); got != typ {
				found = append(found, fmt.Sprintf("%s.APIError.%s is %s, want %s", p, name, got, typ))
			}
		}
		if f := field(api, "Code"); f == nil {
			found = append(found, p+".APIError has no Code")
		} else if b, ok := f.Type().Underlying().(*types.Basic); !ok || (b.Kind() != types.String && b.Kind() != types.Int) {
			found = append(found, fmt.Sprintf("%s.APIError.Code is %s, want string or int", p, f.Type()))
		}
		for _, n := range pkg.Scope().Names() {
			tn, ok := pkg.Scope().Lookup(n).(*types.TypeName)
			if !ok || !tn.Exported() || !isError(tn.Type()) {
				continue
			}
			for _, bad := range []string{"Status", "StatusCode"} {
				if field(tn.Type(), bad) != nil {
					found = append(found, fmt.Sprintf("%s.%s has a field %s: name the HTTP status HTTPStatus", p, n, bad))
				}
			}
		}
	}
	judge(t, found)
}

// TestBareStatusErrorIsOneType: every package names the same StatusError,
// the type of a non-2xx reply without the provider's envelope.
func TestBareStatusErrorIsOneType(t *testing.T) {
	var found []string
	var first *types.Named
	for _, p := range providers {
		st := named(pkgOf(t, p), "StatusError")
		switch {
		case st == nil:
			found = append(found, p+": no StatusError")
		case first == nil:
			first = st
		case st.Obj() != first.Obj():
			found = append(found, p+".StatusError is another type than the other packages'")
		}
		if st != nil && field(st, "HTTPStatus") == nil {
			found = append(found, p+".StatusError has no HTTPStatus")
		}
	}
	judge(t, found)
}

// TestErrorShapedNamesAreErrors: a type named …Error (PaymentError,
// CallbackError, …) is an error; no exported constant or variable is named
// like an error type (ktwidget.StatusError was a status string); an Err…
// variable is an error.
func TestErrorShapedNamesAreErrors(t *testing.T) {
	var found []string
	for _, p := range providers {
		pkg := pkgOf(t, p)
		for _, n := range pkg.Scope().Names() {
			obj := pkg.Scope().Lookup(n)
			if !obj.Exported() {
				continue
			}
			switch obj := obj.(type) {
			case *types.TypeName:
				if strings.HasSuffix(n, "Error") && !isError(obj.Type()) {
					found = append(found, fmt.Sprintf("%s.%s is named like an error but is not one", p, n))
				}
			case *types.Const:
				if strings.HasSuffix(n, "Error") || strings.HasPrefix(n, "Err") {
					found = append(found, fmt.Sprintf("%s.%s is a constant named like an error", p, n))
				}
			case *types.Var:
				if strings.HasSuffix(n, "Error") {
					found = append(found, fmt.Sprintf("%s.%s is a variable named like an error type", p, n))
				}
				if strings.HasPrefix(n, "Err") && !types.Implements(obj.Type(), errorIface) {
					found = append(found, fmt.Sprintf("%s.%s is not an error", p, n))
				}
			}
		}
	}
	judge(t, found)
}

// TestSharedSentinelsAreListed: an Err… variable that two provider packages
// both declare must be one of the shared sentinels whose values
// TestSharedSentinelsAreOneValue compares (so a new shared sentinel cannot
// be two values by accident).
func TestSharedSentinelsAreListed(t *testing.T) {
	count := map[string][]string{}
	for _, p := range providers {
		pkg := pkgOf(t, p)
		for _, n := range pkg.Scope().Names() {
			if v, ok := pkg.Scope().Lookup(n).(*types.Var); ok && v.Exported() && strings.HasPrefix(n, "Err") {
				count[n] = append(count[n], p)
			}
		}
	}
	var found []string
	for n, ps := range count {
		if len(ps) > 1 && !sharedSentinelNames[n] {
			found = append(found, fmt.Sprintf("%s is declared by %s: add it to the shared sentinels compared in shape_runtime_test.go", n, strings.Join(ps, ", ")))
		}
	}
	judge(t, found)
}

// TestErrorTypesAreListedForZeroValues: every exported error type of a
// provider package or its fake has an entry in zeroErrors
// (shape_runtime_test.go), whose Error() of the zero value must not panic.
func TestErrorTypesAreListedForZeroValues(t *testing.T) {
	pkgs, _ := load(t)
	var found []string
	for _, p := range providers {
		for _, path := range []string{module + "/" + p, module + "/" + p + "/" + p + "test"} {
			pkg := pkgs[path]
			for _, n := range pkg.Scope().Names() {
				tn, ok := pkg.Scope().Lookup(n).(*types.TypeName)
				if !ok || !tn.Exported() {
					continue
				}
				if _, isIface := tn.Type().Underlying().(*types.Interface); isIface || !isError(tn.Type()) {
					continue
				}
				if _, ok := zeroErrors[pkg.Name()+"."+n]; !ok {
					found = append(found, fmt.Sprintf("%s.%s is an error type missing from zeroErrors", pkg.Name(), n))
				}
			}
		}
	}
	judge(t, found)
}

// TestMoneyIsOneShape: every package has Amount with ParseAmount(string)
// (Amount, error), MustParseAmount(string) Amount and AmountFromMinor(int64)
// Amount; no exported field that holds money (…Amount, …Price, Refundable)
// is an integer or a float.
func TestMoneyIsOneShape(t *testing.T) {
	var found []string
	for _, p := range providers {
		pkg := pkgOf(t, p)
		amount := named(pkg, "Amount")
		if amount == nil {
			found = append(found, p+": no Amount")
			continue
		}
		str, i64, errT := types.Typ[types.String], types.Typ[types.Int64], types.Universe.Lookup("error").Type()
		sigs := map[string][2][]types.Type{
			"ParseAmount":     {{str}, {amount, errT}},
			"MustParseAmount": {{str}, {amount}},
			"AmountFromMinor": {{i64}, {amount}},
		}
		for name, want := range sigs {
			fn, ok := pkg.Scope().Lookup(name).(*types.Func)
			if !ok {
				found = append(found, fmt.Sprintf("%s has no %s", p, name))
				continue
			}
			sig := fn.Type().(*types.Signature)
			if !tupleIs(sig.Params(), want[0]) || !tupleIs(sig.Results(), want[1]) {
				found = append(found, fmt.Sprintf("%s.%s is %s, want %v -> %v", p, name, sig, want[0], want[1]))
			}
		}
		for _, n := range pkg.Scope().Names() {
			tn, ok := pkg.Scope().Lookup(n).(*types.TypeName)
			if !ok || !tn.Exported() {
				continue
			}
			st, ok := tn.Type().Underlying().(*types.Struct)
			if !ok {
				continue
			}
			for i := range st.NumFields() {
				f := st.Field(i)
				if !f.Exported() || !moneyName(f.Name()) {
					continue
				}
				typ := f.Type()
				if ptr, ok := typ.(*types.Pointer); ok {
					typ = ptr.Elem()
				}
				if b, ok := typ.Underlying().(*types.Basic); ok && b.Info()&(types.IsInteger|types.IsFloat) != 0 {
					found = append(found, fmt.Sprintf("%s.%s.%s holds money as %s: use Amount", p, n, f.Name(), f.Type()))
				}
			}
		}
	}
	judge(t, found)
}

func moneyName(n string) bool {
	return strings.HasSuffix(n, "Amount") || strings.HasSuffix(n, "Price") || n == "Refundable"
}

// tupleIs reports whether tup holds exactly the types want.
func tupleIs(tup *types.Tuple, want []types.Type) bool {
	if tup.Len() != len(want) {
		return false
	}
	for i, w := range want {
		if !types.Identical(tup.At(i).Type(), w) {
			return false
		}
	}
	return true
}

// TestNotificationHandlersAreOneShape: a handler of what the provider sends
// is named after it (ParseX or Client.VerifyX reads an X; XHandler serves
// it); it cross-checks the merchant's own record through
// Expect func(ctx, …) (Expectation, error), with an Expectation whose
// Validate fails closed; what its Report receives says Paid() bool; and a
// handler that answers the provider (not the shopper's browser) has the
// exported acknowledgment Ack and WriteAck.
func TestNotificationHandlersAreOneShape(t *testing.T) {
	var found []string
	handlers := 0
	for _, p := range providers {
		pkg := pkgOf(t, p)
		client := named(pkg, "Client")
		for _, n := range pkg.Scope().Names() {
			tn, ok := pkg.Scope().Lookup(n).(*types.TypeName)
			if !ok || !tn.Exported() || !strings.HasSuffix(n, "Handler") || method(tn.Type(), "ServeHTTP") == nil {
				continue
			}
			handlers++
			x := strings.TrimSuffix(n, "Handler")
			if pkg.Scope().Lookup("Parse"+x) == nil && (client == nil || method(client, "Verify"+x) == nil) {
				found = append(found, fmt.Sprintf("%s.%s: nothing reads a %s (Parse%s or Client.Verify%s): name a handler after what it handles", p, n, x, x, x))
			}
			expect := field(tn.Type(), "Expect")
			exp := named(pkg, "Expectation")
			switch {
			case expect == nil:
				found = append(found, fmt.Sprintf("%s.%s has no Expect (the merchant's record, as OderoPay's)", p, n))
			case exp == nil:
				found = append(found, p+" has no Expectation")
			default:
				sig, ok := expect.Type().(*types.Signature)
				if !ok || sig.Results().Len() != 2 || !types.Identical(sig.Results().At(0).Type(), exp) || sig.Params().Len() != 2 {
					found = append(found, fmt.Sprintf("%s.%s.Expect is %s, want func(context.Context, *X) (Expectation, error)", p, n, expect.Type()))
				}
				if v := method(exp, "Validate"); v == nil {
					found = append(found, p+".Expectation has no Validate")
				}
			}
			if report := field(tn.Type(), "Report"); report == nil {
				found = append(found, fmt.Sprintf("%s.%s has no Report", p, n))
			} else if sig, ok := report.Type().(*types.Signature); !ok || sig.Params().Len() != 2 {
				found = append(found, fmt.Sprintf("%s.%s.Report is %s", p, n, report.Type()))
			} else {
				arg := sig.Params().At(1).Type()
				if ptr, ok := arg.(*types.Pointer); ok {
					arg = ptr.Elem()
				}
				if m := method(arg, "Paid"); m == nil || m.Type().(*types.Signature).String() != "func() bool" {
					found = append(found, fmt.Sprintf("%s.%s.Report receives %s, which has no Paid() bool", p, n, types.TypeString(arg, (*types.Package).Name)))
				}
			}
			if field(tn.Type(), "Respond") == nil { // answers the provider, not a browser
				if c, ok := pkg.Scope().Lookup("Ack").(*types.Const); !ok || !c.Exported() {
					found = append(found, fmt.Sprintf("%s.%s answers the provider but %s has no Ack", p, n, p))
				}
				if fn, ok := pkg.Scope().Lookup("WriteAck").(*types.Func); !ok || fn.Type().String() != "func(w net/http.ResponseWriter)" {
					found = append(found, fmt.Sprintf("%s.%s answers the provider but %s has no WriteAck(http.ResponseWriter)", p, n, p))
				}
			}
		}
	}
	if handlers < 3 {
		found = append(found, fmt.Sprintf("found %d notification handlers, want at least IOTPay's, KTPay's and OderoPay's", handlers))
	}
	judge(t, found)
}

// TestOptionsAreOnePerPackage: each package's Option is its own defined
// type (another provider's option does not compile for it), its doc names
// exactly the functions that return one, and every Client has Do (one
// signature) and BaseURL.
func TestOptionsAreOnePerPackage(t *testing.T) {
	_, info := load(t)
	var found []string
	var opts []*types.Named
	var do *types.Signature
	for _, p := range providers {
		pkg := pkgOf(t, p)
		tn, ok := pkg.Scope().Lookup("Option").(*types.TypeName)
		if !ok {
			found = append(found, p+": no Option")
			continue
		}
		if tn.IsAlias() {
			found = append(found, p+".Option is an alias: another package's options would compile for it")
		}
		opt := named(pkg, "Option")
		for _, o := range opts {
			if types.AssignableTo(o, opt) {
				found = append(found, fmt.Sprintf("%s's Option is assignable to %s.Option", o.Obj().Pkg().Name(), p))
			}
		}
		opts = append(opts, opt)
		var makers []string
		for _, n := range pkg.Scope().Names() {
			fn, ok := pkg.Scope().Lookup(n).(*types.Func)
			if !ok || !fn.Exported() {
				continue
			}
			res := fn.Type().(*types.Signature).Results()
			if res.Len() >= 1 && types.Identical(res.At(0).Type(), opt) {
				makers = append(makers, n)
			}
		}
		doc := typeDocs(t, info[module+"/"+p])["Option"]
		for _, m := range makers {
			if !mentions(doc, m) {
				found = append(found, fmt.Sprintf("%s.Option's doc does not list %s", p, m))
			}
		}
		for _, w := range strings.FieldsFunc(doc, func(r rune) bool {
			return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		}) {
			if strings.HasPrefix(w, "With") && len(w) > 4 && !contains(makers, w) {
				found = append(found, fmt.Sprintf("%s.Option's doc lists %s, which is not an option of %s", p, w, p))
			}
		}
		client := named(pkg, "Client")
		if client == nil {
			found = append(found, p+": no Client")
			continue
		}
		if m := method(client, "BaseURL"); m == nil || m.Type().(*types.Signature).String() != "func() string" {
			found = append(found, p+".Client has no BaseURL() string")
		}
		m := method(client, "Do")
		if m == nil {
			found = append(found, p+".Client has no Do (the escape hatch for unwrapped endpoints)")
			continue
		}
		sig := m.Type().(*types.Signature)
		if do == nil {
			do = sig
		} else if !types.Identical(types.NewSignatureType(nil, nil, nil, sig.Params(), sig.Results(), false), types.NewSignatureType(nil, nil, nil, do.Params(), do.Results(), false)) {
			found = append(found, fmt.Sprintf("%s.Client.Do is %s, another package's is %s", p, sig, do))
		}
	}
	judge(t, found)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestPagedListingsHaveIterators: a Client method whose request has a Page
// field (a hand-paged listing) has a sibling All… taking the same arguments
// and returning iter.Seq2[T, error]; page fields are Page and PageSize in
// every package.
func TestPagedListingsHaveIterators(t *testing.T) {
	var found []string
	listings := 0
	for _, p := range providers {
		pkg := pkgOf(t, p)
		client := named(pkg, "Client")
		if client == nil {
			continue
		}
		ms := types.NewMethodSet(types.NewPointer(client))
		iters := map[string]*types.Signature{}
		for i := range ms.Len() {
			if m := ms.At(i).Obj(); m.Exported() && strings.HasPrefix(m.Name(), "All") {
				iters[m.Name()] = m.Type().(*types.Signature)
			}
		}
		for i := range ms.Len() {
			m := ms.At(i).Obj()
			sig := m.Type().(*types.Signature)
			paged := false
			for j := range sig.Params().Len() {
				typ := sig.Params().At(j).Type()
				if ptr, ok := typ.(*types.Pointer); ok {
					typ = ptr.Elem()
				}
				if field(typ, "Page") != nil {
					paged = true
					for _, bad := range []string{"PageNumber", "Size", "Limit"} {
						if field(typ, bad) != nil {
							found = append(found, fmt.Sprintf("%s: %s has %s: the page fields are Page and PageSize", p, types.TypeString(typ, (*types.Package).Name), bad))
						}
					}
				}
			}
			if !paged || strings.HasPrefix(m.Name(), "All") {
				continue
			}
			listings++
			ok := false
			for name, it := range iters {
				if types.Identical(it.Params(), sig.Params()) && it.Results().Len() == 1 && strings.HasPrefix(types.TypeString(it.Results().At(0).Type(), nil), "iter.Seq2[") && strings.HasSuffix(types.TypeString(it.Results().At(0).Type(), nil), ", error]") {
					ok = true
					_ = name
				}
			}
			if !ok {
				found = append(found, fmt.Sprintf("%s.Client.%s is paged by hand but has no All… iterator (iter.Seq2[T, error]) with the same arguments", p, m.Name()))
			}
		}
	}
	if listings < 3 {
		found = append(found, fmt.Sprintf("found %d paged listings, want at least finrota's, flexiti's and odero's", listings))
	}
	judge(t, found)
}

// TestSameNamedParseFunctionsTakeTheSameArgument: ParseX in two packages
// takes the same kind of argument (ParseReturn reads an *http.Request in
// both packages that have one).
func TestSameNamedParseFunctionsTakeTheSameArgument(t *testing.T) {
	params := map[string]map[string]string{}
	for _, p := range providers {
		pkg := pkgOf(t, p)
		for _, n := range pkg.Scope().Names() {
			fn, ok := pkg.Scope().Lookup(n).(*types.Func)
			if !ok || !fn.Exported() || !strings.HasPrefix(n, "Parse") {
				continue
			}
			sig := fn.Type().(*types.Signature)
			var ts []string
			for i := range sig.Params().Len() {
				ts = append(ts, types.TypeString(sig.Params().At(i).Type(), nil))
			}
			if params[n] == nil {
				params[n] = map[string]string{}
			}
			params[n][p] = strings.Join(ts, ", ")
		}
	}
	var found []string
	for n, by := range params {
		kinds := map[string][]string{}
		for p, k := range by {
			kinds[k] = append(kinds[k], p)
		}
		if len(kinds) > 1 {
			var parts []string
			for k, ps := range kinds {
				sort.Strings(ps)
				parts = append(parts, strings.Join(ps, ", ")+" take ("+k+")")
			}
			sort.Strings(parts)
			found = append(found, n+": "+strings.Join(parts, "; "))
		}
	}
	judge(t, found)
}
