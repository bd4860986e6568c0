package httpx

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// DecodeJSON decodes body into v. A malformed, too deeply nested or mistyped
// reply becomes a *DecodeError that matches ErrMalformedResponse and never
// quotes the body. (encoding/json refuses nesting deeper than 10 000 levels
// on its own, so a hostile reply cannot exhaust the stack.)
func DecodeJSON(provider string, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return &DecodeError{Provider: provider, Into: typeName(v), Err: sanitizeJSONError(err)}
	}
	return nil
}

// MarshalJSON encodes v the way payment APIs expect it: no HTML escaping of
// <, > and &, and no trailing newline.
func MarshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// sanitizeJSONError keeps encoding/json's structural complaint but drops any
// quoted value it might carry (a SyntaxError never quotes input; an
// UnmarshalTypeError names only the kind and field).
func sanitizeJSONError(err error) error {
	switch e := err.(type) {
	case *json.SyntaxError:
		return e
	case *json.UnmarshalTypeError:
		return &json.UnmarshalTypeError{Value: e.Value, Type: e.Type, Offset: e.Offset, Struct: e.Struct, Field: e.Field}
	}
	return err
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "nil"
	}
	if t.Kind() == reflect.Struct && t.Name() == "" {
		return "reply" // an anonymous envelope: its Go text is noise in a message
	}
	return t.String()
}
