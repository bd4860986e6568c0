// Package wire is the fakes' declarative check of a request against a
// provider's specification: the JSON type of every documented body field
// (numbers are numbers, strings are strings), which fields are required,
// documented lengths, and the headers and content type. Each <provider>test
// package writes its endpoints down as Specs (in its schema.go) and answers a
// Violation with that provider's own error shape. Fields a schema does not
// name pass unchecked, as providers ignore what they do not read.
package wire

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Kind is the JSON type a field must have.
type Kind uint8

// The JSON kinds.
const (
	Number Kind = iota + 1
	String
	Bool
	Object
	Array
)

func (k Kind) String() string {
	switch k {
	case Number:
		return "number"
	case String:
		return "string"
	case Bool:
		return "boolean"
	case Object:
		return "object"
	case Array:
		return "array"
	}
	return "any"
}

func article(k Kind) string {
	if k == Object || k == Array || k == 0 {
		return "an "
	}
	return "a "
}

// Field is one documented field.
type Field struct {
	Name     string
	Kind     Kind
	Required bool
	// Int: a Number must be an integer (no fraction, no exponent).
	Int bool
	// Digits: an integer Number has at most this many digits (number(N)).
	Digits int
	// Places: a Number has at most this many decimal places (number(18,2)).
	Places int
	// Len: a String has at most this many bytes (ASCII(N)).
	Len int
	// Members are an Object's fields, or the fields of each element of an
	// Array of objects.
	Members Schema
	// Elem is the kind of an Array's elements (0: any).
	Elem Kind
}

// Schema is the fields of one JSON object.
type Schema []Field

// Req is a required field of kind k; members describe an object or the
// elements of an array of objects.
func Req(name string, k Kind, members ...Field) Field {
	f := Field{Name: name, Kind: k, Required: true, Members: members}
	if k == Array && len(members) > 0 {
		f.Elem = Object
	}
	return f
}

// Opt is an optional field of kind k (absent or null passes).
func Opt(name string, k Kind, members ...Field) Field {
	f := Req(name, k, members...)
	f.Required = false
	return f
}

// Integer makes a Number field an integer of at most digits digits (0: any).
func (f Field) Integer(digits int) Field {
	f.Int, f.Digits = true, digits
	return f
}

// Decimal makes a Number field carry at most places decimal places.
func (f Field) Decimal(places int) Field {
	f.Places = places
	return f
}

// Max bounds a String field's length in bytes.
func (f Field) Max(n int) Field {
	f.Len = n
	return f
}

// Of sets an Array's element kind.
func (f Field) Of(k Kind) Field {
	f.Elem = k
	return f
}

// Violation is what broke: the field (dotted path, "header X" or
// "Content-Type") and the problem.
type Violation struct {
	Field   string
	Problem string
	// Value is the offending JSON text or header value, when there is one.
	Value string
}

func (v *Violation) Error() string {
	if v.Field == "" {
		return v.Problem
	}
	return v.Field + ": " + v.Problem
}

// CheckJSON checks that body is one JSON object whose fields match s.
func (s Schema) CheckJSON(body []byte) *Violation {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return &Violation{Problem: "the body is not a JSON object"}
	}
	if _, err := dec.Token(); err == nil {
		return &Violation{Problem: "data after the JSON object"}
	}
	return s.check("", obj)
}

func (s Schema) check(prefix string, obj map[string]json.RawMessage) *Violation {
	for _, f := range s {
		path := prefix + f.Name
		raw, ok := obj[f.Name]
		if !ok || string(bytes.TrimSpace(raw)) == "null" {
			if f.Required {
				return &Violation{Field: path, Problem: "required"}
			}
			continue
		}
		if v := f.check(path, bytes.TrimSpace(raw)); v != nil {
			return v
		}
	}
	return nil
}

func kindOf(raw []byte) Kind {
	switch c := raw[0]; {
	case c == '"':
		return String
	case c == '{':
		return Object
	case c == '[':
		return Array
	case c == 't' || c == 'f':
		return Bool
	case c == '-' || (c >= '0' && c <= '9'):
		return Number
	}
	return 0
}

func (f Field) check(path string, raw []byte) *Violation {
	got := kindOf(raw)
	if f.Kind != 0 && got != f.Kind {
		return &Violation{Field: path, Problem: "must be a JSON " + f.Kind.String() + ", not " + article(got) + got.String(), Value: clip(raw)}
	}
	switch got {
	case Number:
		return f.checkNumber(path, string(raw))
	case String:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return &Violation{Field: path, Problem: "malformed string", Value: clip(raw)}
		}
		if f.Len > 0 && len(s) > f.Len {
			return &Violation{Field: path, Problem: "longer than " + strconv.Itoa(f.Len), Value: clip(raw)}
		}
	case Object:
		if len(f.Members) == 0 {
			return nil
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return &Violation{Field: path, Problem: "malformed object"}
		}
		return f.Members.check(path+".", obj)
	case Array:
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return &Violation{Field: path, Problem: "malformed array"}
		}
		elem := Field{Kind: f.Elem, Members: f.Members}
		for i, e := range elems {
			p := path + "[" + strconv.Itoa(i) + "]"
			e = bytes.TrimSpace(e)
			if string(e) == "null" {
				return &Violation{Field: p, Problem: "must not be null"}
			}
			if v := elem.check(p, e); v != nil {
				return v
			}
		}
	}
	return nil
}

// checkNumber applies Int, Digits and Places to a number's text (JSON or
// form).
func (f Field) checkNumber(path, n string) *Violation {
	bad := func(problem string) *Violation {
		return &Violation{Field: path, Problem: problem, Value: clip([]byte(n))}
	}
	if !isNumber(n) {
		return bad("must be a number")
	}
	digits := strings.TrimPrefix(n, "-")
	intPart, frac, hasFrac := strings.Cut(digits, ".")
	if strings.ContainsAny(n, "eE") {
		if f.Int || f.Places > 0 {
			return bad("must be written without an exponent")
		}
		return nil
	}
	if f.Int && hasFrac {
		return bad("must be an integer")
	}
	if f.Digits > 0 && len(intPart) > f.Digits {
		return bad("more than " + strconv.Itoa(f.Digits) + " digits")
	}
	if f.Places > 0 && len(frac) > f.Places {
		return bad("more than " + strconv.Itoa(f.Places) + " decimal places")
	}
	return nil
}

// isNumber reports whether s is a JSON number.
func isNumber(s string) bool {
	return s != "" && json.Valid([]byte(s)) && kindOf([]byte(s)) == Number
}

func clip(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "…"
	}
	return string(b)
}

// CheckForm checks form (or query) values against s: a required field must
// be present and not empty, a Number must parse as a number, a Bool must be
// true or false, and Len bounds a String. Objects and arrays have no form
// encoding and are not checked.
func (s Schema) CheckForm(form url.Values) *Violation {
	for _, f := range s {
		v, ok := form[f.Name]
		if !ok || len(v) == 0 || v[0] == "" {
			if f.Required {
				return &Violation{Field: f.Name, Problem: "required"}
			}
			continue
		}
		switch f.Kind {
		case Number:
			if bad := f.checkNumber(f.Name, v[0]); bad != nil {
				return bad
			}
		case Bool:
			if v[0] != "true" && v[0] != "false" {
				return &Violation{Field: f.Name, Problem: "must be true or false", Value: v[0]}
			}
		case String:
			if f.Len > 0 && len(v[0]) > f.Len {
				return &Violation{Field: f.Name, Problem: "longer than " + strconv.Itoa(f.Len), Value: v[0]}
			}
		}
	}
	return nil
}

// Spec is what one endpoint requires of a request.
type Spec struct {
	// ContentType is the media type a request with a body must declare
	// (parameters aside; "" does not check).
	ContentType string
	// Charset, when set, is the charset parameter the Content-Type must
	// carry (compared without regard to case).
	Charset string
	// Accept, when set, is a media type the Accept header must list.
	Accept string
	// Headers must be present and not empty.
	Headers []string
	// Body is the JSON body's schema (nil: no JSON body is checked).
	Body Schema
	// Form is the form body's schema.
	Form Schema
	// Query is the query string's schema.
	Query Schema
}

// Check checks r (whose body was read into body) against the spec: headers
// first, then the content type, the query and the body.
func (s *Spec) Check(r *http.Request, body []byte) *Violation {
	for _, h := range s.Headers {
		if strings.TrimSpace(r.Header.Get(h)) == "" {
			return &Violation{Field: "header " + h, Problem: "required"}
		}
	}
	if s.Accept != "" && !accepts(r.Header.Values("Accept"), s.Accept) {
		return &Violation{Field: "Accept", Problem: "must list " + s.Accept, Value: r.Header.Get("Accept")}
	}
	if v := s.checkContentType(r.Header.Get("Content-Type")); v != nil {
		return v
	}
	if s.Query != nil {
		if v := s.Query.CheckForm(r.URL.Query()); v != nil {
			return v
		}
	}
	switch {
	case s.Body != nil:
		return s.Body.CheckJSON(body)
	case s.Form != nil:
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return &Violation{Problem: "the body is not form-encoded"}
		}
		return s.Form.CheckForm(form)
	}
	return nil
}

// accepts reports whether one of the Accept header values lists mt.
func accepts(values []string, mt string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if t, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && strings.EqualFold(t, mt) {
				return true
			}
		}
	}
	return false
}

func (s *Spec) checkContentType(ct string) *Violation {
	if s.ContentType == "" {
		return nil
	}
	bad := &Violation{Field: "Content-Type", Problem: "must be " + s.ContentType, Value: ct}
	if s.Charset != "" {
		bad.Problem += "; charset=" + s.Charset
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || !strings.EqualFold(mt, s.ContentType) {
		return bad
	}
	if s.Charset != "" && !strings.EqualFold(params["charset"], s.Charset) {
		return bad
	}
	return nil
}

// Specs are a fake's endpoints, keyed by the ServeMux pattern they are
// registered with ("POST /v3/cc_purchase").
type Specs map[string]*Spec

// Check checks r against the spec of the pattern that matched it (r.Pattern,
// set by http.ServeMux); a pattern without a spec passes.
func (m Specs) Check(r *http.Request, body []byte) *Violation {
	if s, ok := m[r.Pattern]; ok {
		return s.Check(r, body)
	}
	return nil
}
