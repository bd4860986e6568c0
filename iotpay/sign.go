package iotpay

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
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
func Canonical(p Params) string { return canonical(p, false) }

func canonical(p Params, caseInsensitive bool) string {
	keys := make([]string, 0, len(p))
	for k, v := range p {
		if k == "sign" {
			continue
		}
		if _, ok := render(v); ok {
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
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		v, _ := render(p[k])
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	return b.String()
}

// Sign returns IOTPay's sign of p under the merchant key: uppercase hex MD5
// of Canonical(p) + "&key=" + key.
func Sign(p Params, key string) string { return signString(Canonical(p), key) }

func signString(canonical, key string) string {
	sum := md5.Sum([]byte(canonical + "&key=" + key))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
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
	ok := secret.Equal(signString(canonical(p, false), key), got)
	ok = secret.Equal(signString(canonical(p, true), key), got) || ok
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
