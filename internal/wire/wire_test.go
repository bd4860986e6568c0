package wire_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/wire"
)

var order = wire.Schema{
	wire.Req("id", wire.String).Max(8),
	wire.Req("amount", wire.Number).Decimal(2),
	wire.Opt("phone", wire.Number).Integer(10),
	wire.Opt("paid", wire.Bool),
	wire.Req("customer", wire.Object,
		wire.Req("name", wire.String),
		wire.Opt("tags", wire.Array).Of(wire.String)),
	wire.Opt("items", wire.Array,
		wire.Req("sku", wire.String),
		wire.Req("qty", wire.Number).Integer(0)),
}

func TestCheckJSON(t *testing.T) {
	good := `{"id":"o-1","amount":10.5,"phone":5145550123,"paid":true,"customer":{"name":"Jane","tags":["a"]},"items":[{"sku":"x","qty":2}],"extra":1}`
	require.Nil(t, order.CheckJSON([]byte(good)))
	assert.Nil(t, order.CheckJSON([]byte(`{"id":"o-1","amount":1,"customer":{"name":"J"},"phone":null}`)), "optional fields may be absent or null")

	for name, tc := range map[string]struct{ body, field, problem string }{
		"string number":     {`{"id":"o-1","amount":"10.50","customer":{"name":"J"}}`, "amount", "must be a JSON number, not a string"},
		"number string":     {`{"id":1,"amount":1,"customer":{"name":"J"}}`, "id", "must be a JSON string, not a number"},
		"missing":           {`{"id":"o-1","customer":{"name":"J"}}`, "amount", "required"},
		"null required":     {`{"id":"o-1","amount":null,"customer":{"name":"J"}}`, "amount", "required"},
		"nested missing":    {`{"id":"o-1","amount":1,"customer":{}}`, "customer.name", "required"},
		"nested wrong":      {`{"id":"o-1","amount":1,"customer":{"name":"J","tags":[1]}}`, "customer.tags[0]", "must be a JSON string, not a number"},
		"array element":     {`{"id":"o-1","amount":1,"customer":{"name":"J"},"items":[{"sku":"x","qty":"2"}]}`, "items[0].qty", "must be a JSON number, not a string"},
		"array elem kind":   {`{"id":"o-1","amount":1,"customer":{"name":"J"},"items":["x"]}`, "items[0]", "must be a JSON object, not a string"},
		"bool as string":    {`{"id":"o-1","amount":1,"paid":"true","customer":{"name":"J"}}`, "paid", "must be a JSON boolean, not a string"},
		"too long":          {`{"id":"o-123456789","amount":1,"customer":{"name":"J"}}`, "id", "longer than 8"},
		"places":            {`{"id":"o","amount":1.005,"customer":{"name":"J"}}`, "amount", "more than 2 decimal places"},
		"integer":           {`{"id":"o","amount":1,"phone":514555.5,"customer":{"name":"J"}}`, "phone", "must be an integer"},
		"digits":            {`{"id":"o","amount":1,"phone":15145550123,"customer":{"name":"J"}}`, "phone", "more than 10 digits"},
		"exponent":          {`{"id":"o","amount":1e2,"customer":{"name":"J"}}`, "amount", "must be written without an exponent"},
		"object as array":   {`{"id":"o","amount":1,"customer":[]}`, "customer", "must be a JSON object, not an array"},
		"not an object":     {`[1]`, "", "the body is not a JSON object"},
		"trailing data":     {`{"id":"o","amount":1,"customer":{"name":"J"}} {}`, "", "data after the JSON object"},
		"null array member": {`{"id":"o","amount":1,"customer":{"name":"J"},"items":[null]}`, "items[0]", "must not be null"},
	} {
		t.Run(name, func(t *testing.T) {
			v := order.CheckJSON([]byte(tc.body))
			require.NotNil(t, v)
			assert.Equal(t, tc.field, v.Field)
			assert.Equal(t, tc.problem, v.Problem)
		})
	}
}

func TestCheckForm(t *testing.T) {
	s := wire.Schema{wire.Req("amount", wire.Number).Decimal(2), wire.Req("bin", wire.String).Max(8), wire.Opt("flag", wire.Bool)}
	assert.Nil(t, s.CheckForm(url.Values{"amount": {"27.50"}, "bin": {"415565"}}))
	assert.Equal(t, "required", s.CheckForm(url.Values{"amount": {"1"}, "bin": {""}}).Problem)
	assert.Equal(t, "must be a number", s.CheckForm(url.Values{"amount": {"ten"}, "bin": {"4"}}).Problem)
	assert.Equal(t, "must be true or false", s.CheckForm(url.Values{"amount": {"1"}, "bin": {"4"}, "flag": {"yes"}}).Problem)
	assert.Equal(t, "longer than 8", s.CheckForm(url.Values{"amount": {"1"}, "bin": {"123456789"}}).Problem)
}

func TestSpecChecksHeadersAndContentType(t *testing.T) {
	spec := &wire.Spec{ContentType: "application/json", Charset: "UTF-8", Headers: []string{"x-reference-id"},
		Query: wire.Schema{wire.Req("lang", wire.String)}, Body: wire.Schema{wire.Req("a", wire.Number)}}
	req := func(ct, ref, query string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, "http://x/p?"+query, strings.NewReader(""))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		if ref != "" {
			r.Header.Set("x-reference-id", ref)
		}
		return r
	}
	assert.Nil(t, spec.Check(req("application/json;charset=utf-8", "r", "lang=en"), []byte(`{"a":1}`)))
	assert.Equal(t, "header x-reference-id", spec.Check(req("application/json;charset=UTF-8", "", "lang=en"), []byte(`{"a":1}`)).Field)
	assert.Equal(t, "Content-Type", spec.Check(req("application/json", "r", "lang=en"), []byte(`{"a":1}`)).Field, "charset required")
	assert.Equal(t, "Content-Type", spec.Check(req("text/plain;charset=UTF-8", "r", "lang=en"), []byte(`{"a":1}`)).Field)
	assert.Equal(t, "lang", spec.Check(req("application/json;charset=UTF-8", "r", ""), []byte(`{"a":1}`)).Field)
	assert.Equal(t, "a", spec.Check(req("application/json;charset=UTF-8", "r", "lang=en"), []byte(`{"a":"1"}`)).Field)

	acc := &wire.Spec{Accept: "application/json"}
	r := req("", "", "")
	assert.Equal(t, "Accept", acc.Check(r, nil).Field)
	r.Header.Set("Accept", "text/html, application/json;q=0.9")
	assert.Nil(t, acc.Check(r, nil))

	form := &wire.Spec{ContentType: "application/x-www-form-urlencoded", Form: wire.Schema{wire.Req("client_id", wire.String)}}
	assert.Nil(t, form.Check(req("application/x-www-form-urlencoded", "", ""), []byte("client_id=c")))
	assert.Equal(t, "client_id", form.Check(req("application/x-www-form-urlencoded", "", ""), []byte("scope=merchant")).Field)
}

func TestSetAndDelete(t *testing.T) {
	body := []byte(`{"a":{"b":[{"c":1},{"c":2}]},"d":"x"}`)
	out, err := wire.Set(body, "a.b.1.c", `"2"`)
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":{"b":[{"c":1},{"c":"2"}]},"d":"x"}`, string(out))
	out, err = wire.Delete(body, "d")
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":{"b":[{"c":1},{"c":2}]}}`, string(out))
	out, err = wire.Delete(body, "a.b.0")
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":{"b":[{"c":2}]},"d":"x"}`, string(out))
	_, err = wire.Delete(body, "a.x")
	assert.Error(t, err)
	_, err = wire.Set(body, "a.b.5.c", `1`)
	assert.Error(t, err)
}
