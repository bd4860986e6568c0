package ktwidget_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/nacl/box"

	"github.com/paywidget/paywidget-go/ktwidget"
)

func keyPair(t testing.TB) (*[32]byte, *[32]byte) {
	pub, priv, err := box.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return pub, priv
}

func clientFor(t testing.TB, pub *[32]byte) *ktwidget.Client {
	return clientWithBase(t, pub, "")
}

// clientWithBase is clientFor with Config.CallbackBase set to base.
func clientWithBase(t testing.TB, pub *[32]byte, base string) *ktwidget.Client {
	c, err := ktwidget.New(ktwidget.Config{AppID: "e2d3d70d53c67bcd377266f74e98587c", PublicKey: base64.StdEncoding.EncodeToString(pub[:]),
		CallbackSecret: "0123456789abcdef0123456789abcdef", Environment: ktwidget.Test, CallbackBase: base})
	require.NoError(t, err)
	return c
}

func open(t *testing.T, sealed string, pub, priv *[32]byte) string {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	require.NoError(t, err, "standard padded base64")
	plain, ok := box.OpenAnonymous(nil, raw, pub, priv)
	require.True(t, ok)
	assert.Len(t, raw, len(plain)+box.AnonymousOverhead)
	return string(plain)
}

func TestSealRoundTrip(t *testing.T) {
	pub, priv := keyPair(t)
	c := clientWithBase(t, pub, "https://shop.example/kt")
	post, err := c.CallbackURL("order-42")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(post, "https://shop.example/kt?o=order-42&t="), post)
	show := false
	for _, desc := range []string{"Copper kettle <1L> & tea", "Оплата заказа №42 — чайник"} {
		sealed, err := c.Seal(&ktwidget.Order{OrderID: "order-42", Amount: ktwidget.MustParseAmount("1500.50"), Type: ktwidget.TypeEcom,
			Description: desc, ShowCloseButton: &show}, nil)
		require.NoError(t, err)
		got := open(t, sealed, pub, priv)
		// Written as JSON.stringify writes it: no HTML escaping, no newline,
		// amount a number without trailing zeros, empty optionals left out.
		want := `{"order":{"order_id":"order-42","amount":1500.5,"type":"ecom","description":"` + desc +
			`","callback_post_url":"` + post + `","show_close_button":false}}`
		assert.Equal(t, want, got)
		assert.True(t, json.Valid([]byte(got)))
	}
	// Without CallbackBase no callback_post_url is sent.
	sealed, err := clientFor(t, pub).Seal(&ktwidget.Order{OrderID: "s-1", Amount: ktwidget.MustParseAmount("500.00"), Type: ktwidget.TypeService,
		Service: &ktwidget.Service{ServiceID: 1, ContractValue: "+77001234567"}}, &ktwidget.User{Email: "a@example.com"})
	require.NoError(t, err)
	assert.Equal(t, `{"order":{"order_id":"s-1","amount":500,"type":"service","service":{"service_id":1,"contract_value":"+77001234567"}},"user":{"email":"a@example.com"}}`,
		open(t, sealed, pub, priv))
}

func TestSealIsFreshEachTime(t *testing.T) {
	pub, _ := keyPair(t)
	c := clientFor(t, pub)
	o := &ktwidget.Order{OrderID: "o", Amount: ktwidget.MustParseAmount("1"), Type: ktwidget.TypeEcom}
	a, err := c.Seal(o, nil)
	require.NoError(t, err)
	b, err := c.Seal(o, nil)
	require.NoError(t, err)
	assert.NotEqual(t, a, b, "a new ephemeral key per message")
}

func TestOrderValidation(t *testing.T) {
	pub, _ := keyPair(t)
	c := clientFor(t, pub)
	amt := ktwidget.MustParseAmount
	svc := &ktwidget.Service{ServiceID: 1, ContractValue: "7001234567"}
	for name, o := range map[string]*ktwidget.Order{
		"nil":               nil,
		"no order_id":       {Amount: amt("1"), Type: ktwidget.TypeEcom},
		"order_id 129":      {OrderID: strings.Repeat("x", 129), Amount: amt("1"), Type: ktwidget.TypeEcom},
		"amount 0":          {OrderID: "o", Amount: amt("0"), Type: ktwidget.TypeEcom},
		"amount negative":   {OrderID: "o", Amount: amt("-1"), Type: ktwidget.TypeEcom},
		"three places":      {OrderID: "o", Amount: decoded(t, "1.005"), Type: ktwidget.TypeEcom},
		"no type":           {OrderID: "o", Amount: amt("1")},
		"bad type":          {OrderID: "o", Amount: amt("1"), Type: "gift"},
		"service missing":   {OrderID: "o", Amount: amt("1"), Type: ktwidget.TypeService},
		"service on ecom":   {OrderID: "o", Amount: amt("1"), Type: ktwidget.TypeEcom, Service: svc},
		"service_id 0":      {OrderID: "o", Amount: amt("1"), Type: ktwidget.TypeService, Service: &ktwidget.Service{ContractValue: "1"}},
		"contract missing":  {OrderID: "o", Amount: amt("1"), Type: ktwidget.TypeService, Service: &ktwidget.Service{ServiceID: 1}},
		"relative back url": {OrderID: "o", Amount: amt("1"), Type: ktwidget.TypeEcom, CallbackSuccessURL: "/orders/o"},
		"bare host back":    {OrderID: "o", Amount: amt("1"), Type: ktwidget.TypeEcom, CallbackBackURL: "widget.nplus.tech"},
		"ftp force url":     {OrderID: "o", Amount: amt("1"), Type: ktwidget.TypeEcom, CallbackForceSuccessURL: "ftp://x.example/"},
	} {
		_, err := c.Seal(o, nil)
		require.ErrorIs(t, err, ktwidget.ErrInvalidRequest, name)
	}
}

func TestPublicKeyParsing(t *testing.T) {
	pub, _ := keyPair(t)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		k, err := ktwidget.ParsePublicKey(enc.EncodeToString(pub[:]))
		require.NoError(t, err)
		assert.Equal(t, pub, k)
	}
	k, err := ktwidget.ParsePublicKey("h09acJ8QSLPw40XZxdNfLbq4hXzWInC5zXL319RdXUI=") // the README's sample key
	require.NoError(t, err)
	assert.Len(t, k, 32)
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString(make([]byte, 31)), base64.StdEncoding.EncodeToString(make([]byte, 33))} {
		_, err := ktwidget.ParsePublicKey(bad)
		require.ErrorIs(t, err, ktwidget.ErrInvalidRequest, bad)
	}
}

func BenchmarkSealOrder(b *testing.B) {
	pub, _ := keyPair(b)
	c := clientWithBase(b, pub, "https://shop.example/kt/notify")
	o := &ktwidget.Order{OrderID: "order-42", Amount: ktwidget.MustParseAmount("1500.50"), Type: ktwidget.TypeEcom,
		Description: "Copper kettle"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Seal(o, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// The bare primitive over the same plaintext, for comparison.
func BenchmarkSealAnonymous(b *testing.B) {
	pub, _ := keyPair(b)
	plain := []byte(`{"order":{"order_id":"order-42","amount":1500.5,"type":"ecom","description":"Copper kettle","callback_post_url":"https://shop.example/kt/notify?o=order-42&t=abc"}}`)
	b.ReportAllocs()
	for b.Loop() {
		sealed, err := box.SealAnonymous(nil, plain, pub, rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		_ = base64.StdEncoding.EncodeToString(sealed)
	}
}

// decoded is an Amount ParseAmount refuses (too many places) but decoding a
// reply or adding can still make: Validate must refuse it too.
func decoded(t *testing.T, s string) ktwidget.Amount {
	t.Helper()
	var a ktwidget.Amount
	if err := a.UnmarshalText([]byte(s)); err != nil {
		t.Fatal(err)
	}
	return a
}
