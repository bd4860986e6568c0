package httpx

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// MaxJSONDepth bounds the nesting of a reply the SDK agrees to decode; a
// hostile reply nested deeper is refused before encoding/json sees it.
const MaxJSONDepth = 64

// DecodeJSON decodes body into v. A malformed, too deeply nested or mistyped
// reply becomes a *DecodeError that matches ErrMalformedResponse and never
// quotes the body.
func DecodeJSON(provider string, body []byte, v any) error {
	if err := checkDepth(body); err != nil {
		return &DecodeError{Provider: provider, Into: typeName(v), Err: err}
	}
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

type depthError struct{}

func (depthError) Error() string { return "nesting deeper than the allowed depth" }

// checkDepth scans body for bracket nesting outside strings.
func checkDepth(body []byte) error {
	depth, inStr, esc := 0, false, false
	for _, c := range body {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
			if depth > MaxJSONDepth {
				return depthError{}
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
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
	return t.String()
}
