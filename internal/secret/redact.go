package secret

import (
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
)

// secretType is the reflect.Type of Secret.
var secretType = reflect.TypeFor[Secret]()

// Struct is how a provider type that holds tokens, keys or card data in
// plain string fields prints itself: through fmt (every verb) and through
// slog (text and JSON handlers alike, as a slog.LogValuer), its exported
// fields are written with the ones named in Hide, and every Secret, replaced
// by Redacted (an unexported Secret field is shown as redacted too, so the
// reader sees that a secret is there). A type opts in with two one-line
// methods:
//
//	var tRedact = secret.Struct{Name: "pkg.T", Hide: []string{"Token"}}
//
//	func (t T) Format(f fmt.State, _ rune) { tRedact.Print(f, t) }
//	func (t T) LogValue() slog.Value      { return tRedact.Log(t) }
//
// Nested values keep their own redaction: a field whose type is a
// slog.LogValuer, or a slice of them, is logged through it, and fmt prints
// every field with its own Format or String method.
type Struct struct {
	// Name is how the type is printed, for example "flexiti.FlowState".
	Name string
	// Hide lists the Go names of the fields never printed.
	Hide []string
}

func (s Struct) hidden(f reflect.StructField) bool {
	return f.Type == secretType || slices.Contains(s.Hide, f.Name)
}

// deref follows pointers to the struct v holds; ok is false for nil or for
// something that is not a struct.
func deref(v any) (reflect.Value, bool) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return rv, false
		}
		rv = rv.Elem()
	}
	return rv, rv.Kind() == reflect.Struct
}

// Print writes v (a struct or a pointer to one) as Name{Field:value …}
// for every verb, hidden fields as Redacted.
func (s Struct) Print(f fmt.State, v any) {
	rv, ok := deref(v)
	if !ok {
		_, _ = fmt.Fprintf(f, "%s(nil)", s.Name)
		return
	}
	var b strings.Builder
	b.WriteString(s.Name)
	b.WriteByte('{')
	t := rv.Type()
	first := true
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() && sf.Type != secretType {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(sf.Name)
		b.WriteByte(':')
		if s.hidden(sf) {
			b.WriteString(Redacted)
			continue
		}
		fmt.Fprintf(&b, "%v", rv.Field(i).Interface())
	}
	b.WriteByte('}')
	_, _ = f.Write([]byte(b.String()))
}

// Log returns v (a struct or a pointer to one) as a slog group of its
// exported fields, hidden fields as Redacted.
func (s Struct) Log(v any) slog.Value {
	rv, ok := deref(v)
	if !ok {
		return slog.StringValue(s.Name + "(nil)")
	}
	t := rv.Type()
	attrs := make([]slog.Attr, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() && sf.Type != secretType {
			continue
		}
		if s.hidden(sf) {
			attrs = append(attrs, slog.String(sf.Name, Redacted))
			continue
		}
		attrs = append(attrs, slog.Attr{Key: sf.Name, Value: logValue(rv.Field(i))})
	}
	return slog.GroupValue(attrs...)
}

var logValuerType = reflect.TypeFor[slog.LogValuer]()

// logValue is a field's value for slog. A slice or array of LogValuers
// becomes a group keyed by index, so each element redacts itself (the JSON
// handler would otherwise marshal the slice as a whole).
func logValue(fv reflect.Value) slog.Value {
	if (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Array) && fv.Type().Elem().Implements(logValuerType) {
		attrs := make([]slog.Attr, fv.Len())
		for i := range attrs {
			attrs[i] = slog.Attr{Key: fmt.Sprint(i), Value: slog.AnyValue(fv.Index(i).Interface())}
		}
		return slog.GroupValue(attrs...)
	}
	if fv.Kind() == reflect.Pointer && fv.IsNil() {
		return slog.AnyValue(nil)
	}
	return slog.AnyValue(fv.Interface())
}
