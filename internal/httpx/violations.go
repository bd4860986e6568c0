package httpx

import (
	"errors"
	"reflect"
	"strings"
)

// Violations collects every rule a request breaks, so that a merchant sees
// them all at once instead of fixing one per attempt. Each is a
// *ValidationError naming the Go field and the wire field:
//
//	v := httpx.NewViolations(provider, r)
//	if r.Price.Sign() <= 0 {
//		v.Add("price", "must be greater than 0")
//	}
//	return v.Err()
type Violations struct {
	provider string
	typ      reflect.Type
	errs     []error
}

// NewViolations starts a collection for a request of provider. req (a struct
// or a pointer to one) is used only for its type: Add finds the Go field of a
// wire name through its json tags.
func NewViolations(provider string, req any) *Violations {
	v := &Violations{provider: provider}
	if req != nil {
		v.typ = reflect.TypeOf(req)
	}
	return v
}

// Add records that the field written wire on the wire (a path such as
// "items[2].price" or "card.expiry") broke rule.
func (v *Violations) Add(wire, rule string) {
	v.errs = append(v.errs, &ValidationError{Provider: v.provider, Field: GoPath(v.typ, wire), Wire: wire, Rule: rule})
}

// AddField records a violation whose Go field the json tags do not give
// (a request without tags, or a Go name unlike the wire name).
func (v *Violations) AddField(field, wire, rule string) {
	v.errs = append(v.errs, &ValidationError{Provider: v.provider, Field: field, Wire: wire, Rule: rule})
}

// AddErr records err when it is not nil: a *ValidationError from a helper keeps
// its fields (its Go name resolved here when the helper named only the wire
// field); anything else is kept as it is.
func (v *Violations) AddErr(err error) {
	if err == nil {
		return
	}
	var ve *ValidationError
	if errors.As(err, &ve) && ve.Wire == "" && ve.Provider == v.provider {
		if goName := GoPath(v.typ, ve.Field); goName != ve.Field {
			ve = &ValidationError{Provider: ve.Provider, Field: goName, Wire: ve.Field, Rule: ve.Rule}
			err = ve
		}
	}
	v.errs = append(v.errs, err)
}

// Len is the number of violations so far.
func (v *Violations) Len() int { return len(v.errs) }

// Err is nil when nothing was added, the one *ValidationError when one was,
// and otherwise all of them joined (errors.Join): the message lists each on
// its own line, errors.As finds the first, and errors.Is(err,
// ErrInvalidRequest) holds.
func (v *Violations) Err() error {
	switch len(v.errs) {
	case 0:
		return nil
	case 1:
		return v.errs[0]
	}
	return errors.Join(v.errs...)
}

// GoPath turns a wire path ("items[2].price") into the Go field path of t
// ("Items[2].Price") by the json tags of t's struct fields. Segments it cannot
// resolve are kept as written.
func GoPath(t reflect.Type, wire string) string {
	if t == nil || wire == "" {
		return wire
	}
	var out []string
	for _, seg := range strings.Split(wire, ".") {
		name, index, _ := strings.Cut(seg, "[")
		if index != "" {
			index = "[" + index
		}
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			t = t.Elem()
		}
		goName := name
		var next reflect.Type
		if t != nil && t.Kind() == reflect.Struct {
			if f, ok := fieldByWire(t, name); ok {
				goName, next = f.Name, f.Type
			}
		}
		out = append(out, goName+index)
		t = next
	}
	return strings.Join(out, ".")
}

// fieldByWire finds the field of struct t whose json name is wire, looking
// into embedded structs, and falls back to a Go field named wire in any
// letter case.
func fieldByWire(t reflect.Type, wire string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == wire {
			return f, true
		}
		if f.Anonymous && tag == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if g, ok := fieldByWire(ft, wire); ok {
					return g, true
				}
			}
		}
	}
	if f, ok := t.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, wire) }); ok && f.IsExported() {
		return f, true // query parameters and the like: no json tag, same name
	}
	return reflect.StructField{}, false
}

// Collect reports every non-nil error of errs at once, as Violations.Err
// does: for helpers that each check one rule and return a *ValidationError.
// req, when not nil, gives the Go names of wire fields (see NewViolations).
func Collect(provider string, req any, errs ...error) error {
	v := NewViolations(provider, req)
	for _, err := range errs {
		v.AddErr(err)
	}
	return v.Err()
}
