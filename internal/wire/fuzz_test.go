package wire_test

import (
	"net/url"
	"testing"

	"github.com/paywidget/paywidget-go/internal/wire"
)

// The fakes check whatever a test or a browser sends them: no body, form or
// path makes the checker or the mutators panic, and a body the checker
// passes is a JSON object.
func FuzzCheckJSON(f *testing.F) {
	f.Add([]byte(`{"id":"o-1","amount":10.5,"customer":{"name":"J","tags":["a"]},"items":[{"sku":"x","qty":2}]}`), "items.0.qty")
	f.Add([]byte(`{"amount":"1","customer":[]}`), "customer")
	f.Add([]byte(`[null]`), "0")
	f.Add([]byte(`{"amount":1e999,"phone":-0.0}`), "amount")
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		if order.CheckJSON(body) == nil {
			if _, err := wire.Set(body, "id", `1`); err != nil {
				t.Fatalf("a body that passed is not an object: %q", body)
			}
		}
		_, _ = wire.Set(body, path, `"x"`)
		_, _ = wire.Delete(body, path)
		q, err := url.ParseQuery(string(body))
		if err == nil {
			_ = order.CheckForm(q)
		}
	})
}
