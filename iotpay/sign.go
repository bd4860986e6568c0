package iotpay

import (
	"bytes"
	"crypto/md5"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/paywidget/paywidget-go/internal/secret"
)

// Params are the parameters of one message, exactly as they are signed and
// sent: string values, and int64 for amounts and statuses. Empty strings are
// neither signed nor sent; zero integers are both.
type Params map[string]any

// render is a value as IOTPay signs it, and whether it is signed at all.
func render(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, x != ""
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	case json.Number:
		return x.String(), x != ""
	case bool:
		return strconv.FormatBool(x), true
	default:
		// Nested values are signed as their JSON text.
		b, err := json.Marshal(x)
		if err != nil {
			return "", false
		}
		return string(b), true
	}
}

// Canonical is the string IOTPay signs before "&key=": every parameter but
// sign whose value is not empty, sorted by name in byte order, joined as raw
// k=v pairs with '&'.
func Canonical(p Params) string { return string(appendCanonical(nil, p, false)) }

// appendValue appends v as IOTPay signs it and reports whether it is signed
// at all (empty strings and nil are not).
func appendValue(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case string:
		return append(b, x...), x != ""
	case int64:
		return strconv.AppendInt(b, x, 10), true
	case int:
		return strconv.AppendInt(b, int64(x), 10), true
	}
	s, ok := render(v)
	return append(b, s...), ok
}

func signed(v any) bool {
	switch x := v.(type) {
	case string:
		return x != ""
	case int64, int:
		return true
	}
	_, ok := render(v)
	return ok
}

func appendCanonical(b []byte, p Params, caseInsensitive bool) []byte {
	var store [32]string
	keys := store[:0]
	for k, v := range p {
		if k != "sign" && signed(v) {
			keys = append(keys, k)
		}
	}
	if caseInsensitive {
		slices.SortFunc(keys, func(a, b string) int {
			if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		})
	} else {
		slices.Sort(keys)
	}
	for i, k := range keys {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, k...)
		b = append(b, '=')
		b, _ = appendValue(b, p[k])
	}
	return b
}

// Sign returns IOTPay's sign of p under the merchant key: uppercase hex MD5
// of Canonical(p) + "&key=" + key.
func Sign(p Params, key string) string {
	var buf [512]byte
	return signBytes(appendCanonical(buf[:0], p, false), key)
}

// signBytes hashes canonical + "&key=" + key (canonical may be extended in
// place) and renders the digest as uppercase hex.
func signBytes(canonical []byte, key string) string {
	b := append(canonical, "&key="...)
	b = append(b, key...)
	sum := md5.Sum(b)
	const digits = "0123456789ABCDEF"
	var out [2 * md5.Size]byte
	for i, c := range sum {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&0x0f]
	}
	return string(out[:])
}

// ErrInvalidSignature is matched when a notification's sign does not match
// its fields under the merchant key.
var ErrInvalidSignature = errors.New("iotpay: invalid signature")

// verify checks p's sign over every field it carries, in byte order or in
// case-insensitive order (IOTPay's own code sorts both ways), in constant
// time.
func verify(p Params, key string) error {
	got, _ := p["sign"].(string)
	if got == "" {
		return ErrInvalidSignature
	}
	got = strings.ToUpper(got)
	var buf [1024]byte
	ok := secret.Equal(signBytes(appendCanonical(buf[:0], p, false), key), got)
	ok = secret.Equal(signBytes(appendCanonical(buf[:0], p, true), key), got) || ok
	if !ok {
		return ErrInvalidSignature
	}
	return nil
}

// decodeParams decodes a flat JSON object keeping numbers as their literal
// text (never through float64).
func decodeParams(body []byte) (Params, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var p Params
	if err := dec.Decode(&p); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON object")
	}
	if p == nil {
		return nil, errors.New("not a JSON object")
	}
	return p, nil
}
