package apisurface

import (
	"errors"
	"go/types"
	"sort"
	"strings"
	"testing"

	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// The five fakes have one shape (issue 20 §2): what a test writer learned
// of one fake holds for the next. These tests read the fakes' exported API
// with go/types and fail on any drift.

// notifiers are the fakes whose provider notifies the merchant server to
// server: they have WaitNotified and Deliveries.
var notifiers = map[string]bool{"iotpay": true, "ktwidget": true}

// cardConcepts maps every spelling of a card field seen in the five
// fakes' history (lower case, letters only) to the one name all use.
var cardConcepts = map[string]string{
	"number": "Number", "cardnumber": "Number", "cardnum": "Number", "pan": "Number",
	"holder": "HolderName", "holdername": "HolderName", "cardholdername": "HolderName", "name": "HolderName",
	"cvv": "CVC", "cvc": "CVC", "cvv2": "CVC", "securitycode": "CVC",
	"expmonth": "ExpMonth", "expiremonth": "ExpMonth", "expirymonth": "ExpMonth", "month": "ExpMonth",
	"expyear": "ExpYear", "expireyear": "ExpYear", "expiryyear": "ExpYear", "year": "ExpYear",
	"expiry": "ExpMonth and ExpYear", "expirydate": "ExpMonth and ExpYear", "expiration": "ExpMonth and ExpYear",
	"threedscode": "ThreeDSCode", "otp": "ThreeDSCode", "smscode": "ThreeDSCode", "code": "ThreeDSCode",
	"threeds": "ThreeDS", "use3d": "ThreeDS",
	"pin":  "PIN",
	"save": "Save", "savecard": "Save", "remember": "Save",
}

// cardCore are the fields of every card that has a Number.
var cardCore = []string{"Number", "ExpMonth", "ExpYear", "CVC"}

// fake is one fake package as the tests see it.
type fake struct {
	name     string // the provider, "odero"
	provider *types.Package
	pkg      *types.Package
	server   *types.Named
}

func fakes(t *testing.T) []fake {
	t.Helper()
	pkgs, _ := load(t)
	var out []fake
	for _, p := range providers {
		f := fake{name: p, provider: pkgs[module+"/"+p], pkg: pkgs[module+"/"+p+"/"+p+"test"]}
		obj, ok := f.pkg.Scope().Lookup("Server").(*types.TypeName)
		if !ok {
			t.Fatalf("%stest has no type Server", p)
		}
		f.server = obj.Type().(*types.Named)
		out = append(out, f)
	}
	return out
}

// method returns the exported method name of *Server, if any.
func (f fake) method(name string) *types.Signature {
	obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(f.server), true, f.pkg, name)
	fn, ok := obj.(*types.Func)
	if !ok {
		return nil
	}
	return fn.Type().(*types.Signature)
}

// methods returns the exported methods of *Server by name.
func (f fake) methods() map[string]*types.Signature {
	out := map[string]*types.Signature{}
	ms := types.NewMethodSet(types.NewPointer(f.server))
	for i := range ms.Len() {
		fn := ms.At(i).Obj().(*types.Func)
		if fn.Exported() {
			out[fn.Name()] = fn.Type().(*types.Signature)
		}
	}
	return out
}

func (f fake) lookup(name string) types.Object { return f.pkg.Scope().Lookup(name) }

func isNamed(t types.Type, pkg *types.Package, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Name() == name && (pkg == nil || n.Obj().Pkg() == pkg)
}

func isErrorType(t types.Type) bool { return types.Identical(t, types.Universe.Lookup("error").Type()) }

func isString(t types.Type) bool { return types.Identical(t, types.Typ[types.String]) }

func isContext(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

// resultName returns the name of the struct *T a shopper helper returns,
// or "" when its results are not (*T, error) with T a struct of the fake.
func (f fake) resultName(sig *types.Signature) string {
	r := sig.Results()
	if r.Len() != 2 || !isErrorType(r.At(1).Type()) {
		return ""
	}
	p, ok := r.At(0).Type().(*types.Pointer)
	if !ok {
		return ""
	}
	n, ok := types.Unalias(p.Elem()).(*types.Named)
	if !ok || n.Obj().Pkg() != f.pkg {
		return ""
	}
	if _, ok := n.Underlying().(*types.Struct); !ok {
		return ""
	}
	return n.Obj().Name()
}

// TestFakesNewClientAndBaseURL: every fake's NewClient takes the
// provider's options and returns its client; every fake has a URL field the
// provider's WithBaseURL takes, and a Config.
func TestFakesNewClientAndBaseURL(t *testing.T) {
	for _, f := range fakes(t) {
		sig := f.method("NewClient")
		switch {
		case sig == nil:
			t.Errorf("%stest: Server has no NewClient", f.name)
		case !sig.Variadic() || sig.Params().Len() != 1 ||
			!types.Identical(sig.Params().At(0).Type().(*types.Slice).Elem(), f.provider.Scope().Lookup("Option").Type()):
			t.Errorf("%stest: NewClient%s, want NewClient(opts ...%s.Option)", f.name, sig, f.name)
		case sig.Results().Len() != 2 || !isErrorType(sig.Results().At(1).Type()) ||
			!isPointerTo(sig.Results().At(0).Type(), f.provider, "Client"):
			t.Errorf("%stest: NewClient returns %s, want (*%s.Client, error)", f.name, sig.Results(), f.name)
		}
		obj, _, _ := types.LookupFieldOrMethod(f.server, false, f.pkg, "URL")
		if v, ok := obj.(*types.Var); !ok || !v.IsField() || !isString(v.Type()) {
			t.Errorf("%stest: Server has no URL string field to pass to %s.WithBaseURL", f.name, f.name)
		}
		if sig := f.method("Config"); sig == nil || sig.Params().Len() != 0 || sig.Results().Len() != 1 || !isNamed(sig.Results().At(0).Type(), f.provider, "Config") {
			t.Errorf("%stest: Server has no Config() %s.Config", f.name, f.name)
		}
		wb, ok := f.provider.Scope().Lookup("WithBaseURL").(*types.Func)
		if !ok {
			t.Errorf("%s has no WithBaseURL", f.name)
			continue
		}
		if s := wb.Type().(*types.Signature); s.Params().Len() != 1 || !isString(s.Params().At(0).Type()) {
			t.Errorf("%s.WithBaseURL%s, want WithBaseURL(string)", f.name, s)
		}
		// A merchant URL the fake configures, where it has one, is named
		// alike and is a string.
		if obj, _, _ := types.LookupFieldOrMethod(f.server, false, f.pkg, "CallbackURL"); obj != nil {
			if v, ok := obj.(*types.Var); !ok || !isString(v.Type()) {
				t.Errorf("%stest: Server.CallbackURL is not a string field", f.name)
			}
		}
		for _, other := range []string{"NotifyURL", "CallbackBase", "ReturnURL", "MerchantURL", "BaseURL"} {
			if obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(f.server), false, f.pkg, other); obj != nil && obj.Exported() {
				t.Errorf("%stest: Server.%s: the fakes name the merchant's URL CallbackURL and their own URL (the field)", f.name, other)
			}
		}
	}
}

func isPointerTo(t types.Type, pkg *types.Package, name string) bool {
	p, ok := t.(*types.Pointer)
	return ok && isNamed(p.Elem(), pkg, name)
}

// TestFakesShopperHelpers: a method of a fake that plays the shopper over
// HTTP (context first and a Card) is func(ctx, <page or widget URL>, Card)
// (*…Result, error); a close helper is func(ctx, <URL>) (*…Result, error);
// a helper of the same name has the same result type name in every fake.
func TestFakesShopperHelpers(t *testing.T) {
	results := map[string]map[string][]string{} // helper → result → fakes
	for _, f := range fakes(t) {
		card := f.lookup("Card")
		if card == nil {
			t.Errorf("%stest has no Card", f.name)
			continue
		}
		helpers := 0
		for name, sig := range f.methods() {
			ps := sig.Params()
			takesCard := false
			for i := range ps.Len() {
				if isNamed(ps.At(i).Type(), f.pkg, "Card") {
					takesCard = true
				}
			}
			closes := strings.HasPrefix(name, "Close") && name != "Close" || strings.HasPrefix(name, "Cancel")
			switch {
			case takesCard && ps.Len() > 0 && isContext(ps.At(0).Type()):
				helpers++
				if ps.Len() != 3 || !isString(ps.At(1).Type()) || !isNamed(ps.At(2).Type(), f.pkg, "Card") {
					t.Errorf("%stest.%s%s: a shopper helper takes (ctx, <page or widget URL> string, Card)", f.name, name, sig)
				}
			case closes:
				if name != "CloseWidget" {
					t.Errorf("%stest.%s: the helper that closes a widget is CloseWidget in every fake", f.name, name)
				}
				if ps.Len() != 2 || !isContext(ps.At(0).Type()) || !isString(ps.At(1).Type()) {
					t.Errorf("%stest.%s%s: a close helper takes (ctx, <widget URL> string)", f.name, name, sig)
				}
			case takesCard:
				continue // a no-HTTP shortcut (finrotatest.Prepare)
			default:
				continue
			}
			res := f.resultName(sig)
			if res == "" || !strings.HasSuffix(res, "Result") {
				t.Errorf("%stest.%s returns %s, want (*<Step>Result, error) with a struct of the fake", f.name, name, sig.Results())
				continue
			}
			if results[name] == nil {
				results[name] = map[string][]string{}
			}
			results[name][res] = append(results[name][res], f.name)
		}
		if helpers == 0 {
			t.Errorf("%stest has no shopper helper (ctx, URL, Card)", f.name)
		}
	}
	for name, byResult := range results {
		if len(byResult) > 1 {
			t.Errorf("%s returns different types in different fakes: %v", name, byResult)
		}
	}
}

// TestFakesCards: every fake's Card names a concept as the others do, a
// field two cards share has one type, a card with a number has the core
// fields, and every fake has a TestCard.
func TestFakesCards(t *testing.T) {
	seen := map[string]types.Type{}
	seenIn := map[string]string{}
	for _, f := range fakes(t) {
		obj, ok := f.lookup("Card").(*types.TypeName)
		if !ok {
			t.Errorf("%stest has no type Card", f.name)
			continue
		}
		st, ok := obj.Type().Underlying().(*types.Struct)
		if !ok {
			t.Errorf("%stest.Card is not a struct", f.name)
			continue
		}
		fields := map[string]bool{}
		for i := range st.NumFields() {
			fl := st.Field(i)
			fields[fl.Name()] = true
			if want, ok := cardConcepts[strings.ToLower(fl.Name())]; !ok {
				t.Errorf("%stest.Card.%s: a field no other fake knows; add it to cardConcepts with the name every fake will use", f.name, fl.Name())
			} else if want != fl.Name() {
				t.Errorf("%stest.Card.%s: every fake calls it %s", f.name, fl.Name(), want)
			}
			if prev, ok := seen[fl.Name()]; ok && !types.Identical(prev, fl.Type()) {
				t.Errorf("%stest.Card.%s is %s, %stest's is %s", f.name, fl.Name(), fl.Type(), seenIn[fl.Name()], prev)
			} else if !ok {
				seen[fl.Name()], seenIn[fl.Name()] = fl.Type(), f.name
			}
		}
		if fields["Number"] {
			for _, c := range cardCore {
				if !fields[c] {
					t.Errorf("%stest.Card has a Number but no %s", f.name, c)
				}
			}
		}
		if v, ok := f.lookup("TestCard").(*types.Var); !ok || !types.Identical(v.Type(), obj.Type()) {
			t.Errorf("%stest has no var TestCard Card", f.name)
		}
	}
}

// TestFakesRedeliverAndWaitNotified: what a fake (or the shopper's browser
// it plays) sends the merchant is redelivered with one signature and one
// sentinel, and recorded as the one Delivery type; a fake whose provider
// notifies server to server has WaitNotified and Deliveries.
func TestFakesRedeliverAndWaitNotified(t *testing.T) {
	var delivery types.Type
	var redelivering []string
	for _, f := range fakes(t) {
		sig := f.method("Redeliver")
		if sig == nil {
			if f.lookup("ErrNothingToRedeliver") != nil || f.lookup("Delivery") != nil {
				t.Errorf("%stest has ErrNothingToRedeliver or Delivery but no Redeliver", f.name)
			}
		} else {
			redelivering = append(redelivering, f.name)
			d, ok := f.lookup("Delivery").(*types.TypeName)
			switch {
			case !ok:
				t.Errorf("%stest has Redeliver but no Delivery", f.name)
			case delivery == nil:
				delivery = d.Type()
			case !types.Identical(delivery, d.Type()):
				t.Errorf("%stest.Delivery is its own type, not the one all fakes share", f.name)
			}
			if ok && (sig.Params().Len() != 2 || !isContext(sig.Params().At(0).Type()) || !isString(sig.Params().At(1).Type()) ||
				sig.Results().Len() != 2 || !types.Identical(sig.Results().At(0).Type(), d.Type()) || !isErrorType(sig.Results().At(1).Type())) {
				t.Errorf("%stest.Redeliver%s, want Redeliver(ctx, id string) (Delivery, error)", f.name, sig)
			}
			if v, ok := f.lookup("ErrNothingToRedeliver").(*types.Var); !ok || !isErrorType(v.Type()) {
				t.Errorf("%stest has Redeliver but no ErrNothingToRedeliver", f.name)
			}
		}
		for _, other := range []string{"ErrNoCallback", "ErrNotNotified", "NotifyAttempts"} {
			if f.lookup(other) != nil || f.method(other) != nil {
				t.Errorf("%stest.%s: the fakes say this with ErrNothingToRedeliver and Deliveries", f.name, other)
			}
		}

		wait, deliveries := f.method("WaitNotified"), f.method("Deliveries")
		if notifiers[f.name] != (wait != nil) || notifiers[f.name] != (deliveries != nil) {
			t.Errorf("%stest: WaitNotified %v, Deliveries %v; want both exactly where the provider notifies server to server", f.name, wait != nil, deliveries != nil)
		}
		if wait != nil && sig != nil && !types.Identical(wait, sig) {
			t.Errorf("%stest.WaitNotified%s, want the shape of Redeliver%s", f.name, wait, sig)
		}
		if deliveries != nil && delivery != nil && (deliveries.Params().Len() != 1 || !isString(deliveries.Params().At(0).Type()) ||
			deliveries.Results().Len() != 1 || !types.Identical(deliveries.Results().At(0).Type(), types.NewSlice(delivery))) {
			t.Errorf("%stest.Deliveries%s, want Deliveries(id string) []Delivery", f.name, deliveries)
		}
	}
	sort.Strings(redelivering)
	if strings.Join(redelivering, " ") != "finrota iotpay ktwidget odero" {
		t.Errorf("Redeliver in %v; want every fake that sends the merchant something (all but flexiti)", redelivering)
	}
	// One sentinel value, whichever fake a test imports.
	all := []error{finrotatest.ErrNothingToRedeliver, iotpaytest.ErrNothingToRedeliver, ktwidgettest.ErrNothingToRedeliver, oderotest.ErrNothingToRedeliver}
	for _, err := range all[1:] {
		if !errors.Is(err, all[0]) {
			t.Errorf("%v is a different value from finrotatest's", err)
		}
	}
}
