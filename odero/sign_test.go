package odero_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/odero"
)

// The vectors of the specification (§2.4): #1, #2 from the PHP client's unit
// tests, #4, #5 from the Java and .NET tests, #8, #9 derived.
func TestSignatureGoldenVectors(t *testing.T) {
	const body4 = `{"email":"haluk.demir@example.com","name":"Haluk","surname":"Demir","gsmNumber":"905551111111","identityNumber":"11111111110","buyerExternalId":"ext-1511"}`
	const body9 = `{"price":100,"paidPrice":100,"currency":"TRY","paymentGroup":"PRODUCT","callbackUrl":"https://example.com/odero/callback","conversationId":"order-1","items":[{"name":"Item 1","price":60},{"name":"Item 2","price":40}]}`
	cases := []struct {
		name, url, rnd, body, want string
	}{
		{"1", "http://localhost:8000/installment/v1/installments", "1234", "", "uK7LkWOEzVH+Px/YOiMuSXvPkHLR4KoA7PuykXcYovQ="},
		{"2", "http://localhost:8000/payment/v1/cards", "1234", `{"cardUserKey":"de050909-39a9-473c-a81a-f186dd55cfef"}`, "kQm62AfjXCw6rS6QBCLXta9tV1GqD/SXsAlYP+cEhG8="},
		{"4", "http://api-gateway.tokenpay.com.tr/onboarding/v1/buyers", "rand-2010", body4, "JaiELeQK7vZ4lJDb9uOWYVIYAm0h5dwJgFjDc5eV4Y4="},
		{"5", "http://api-gateway.tokenpay.com.tr/onboarding/v1/buyers", "rand-2010", "", "yRf3Cblvjp9tfHtR9NWSmZpV91HibpzXJt88ndEWxik="},
		{"8", "https://sandbox-api-gateway.oderopay.com.tr/payment/v1/checkout-payments/fe4b0c2d-3c48-4553-9429-695d204bd7c1", "Xa15Fp11T", "", "S2Lv7mdkQ+raG6M0sn762SbPEj9UWrJath36T3GKhHk="},
		{"9", "https://sandbox-api-gateway.oderopay.com.tr/payment/v1/checkout-payments/init", "Xa15Fp11T", body9, "Gplvo5SXdgO1QUQl0EEaFornb6vKoUpBjRpfGj6wtSw="},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, odero.Signature(c.url, "api-key", "secret-key", c.rnd, []byte(c.body)))
		})
	}
}

// Vector #9's body is exactly what InitCheckout marshals for that request:
// the bytes signed are the bytes a merchant's request produces.
func TestInitBodyMatchesVector9(t *testing.T) {
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = readAll(t, r)
		_, _ = w.Write([]byte(`{"data":{"token":"t-1","pageUrl":"https://pay.example/t-1"}}`))
	}))
	defer srv.Close()
	c, err := odero.New(odero.Config{APIKey: "api-key", SecretKey: "secret-key", CallbackURL: "https://example.com/odero/callback"}, odero.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.InitCheckout(context.Background(), &odero.InitCheckoutRequest{
		Price: odero.MustParseAmount("100"), PaidPrice: odero.MustParseAmount("100"),
		Currency: odero.TRY, Group: odero.PaymentGroupProduct,
		ConversationID: "order-1",
		Items:          []odero.Item{{Name: "Item 1", Price: odero.MustParseAmount("60")}, {Name: "Item 2", Price: odero.MustParseAmount("40")}},
	})
	require.NoError(t, err)
	const body9 = `{"price":100,"paidPrice":100,"currency":"TRY","paymentGroup":"PRODUCT","callbackUrl":"https://example.com/odero/callback","conversationId":"order-1","items":[{"name":"Item 1","price":60},{"name":"Item 2","price":40}]}`
	require.Equal(t, body9, string(got), "the marshalled body must be byte-identical to the vector's")
	assert.Equal(t, "Gplvo5SXdgO1QUQl0EEaFornb6vKoUpBjRpfGj6wtSw=",
		odero.Signature("https://sandbox-api-gateway.oderopay.com.tr/payment/v1/checkout-payments/init", "api-key", "secret-key", "Xa15Fp11T", got))
}

func TestDecodeURLPercentDecodesQuery(t *testing.T) {
	u, err := url.Parse("http://localhost:8000/onboarding/v1/members?name=Zeytinya%C4%9F%C4%B1%20%C3%9Cretim&plus=a%2Bb")
	require.NoError(t, err)
	got, err := odero.DecodeURL(u)
	require.NoError(t, err)
	assert.Equal(t, "http://localhost:8000/onboarding/v1/members?name=Zeytinyağı Üretim&plus=a+b", got)
}

func TestEveryAttemptSignsWithAFreshRandomKey(t *testing.T) {
	var mu sync.Mutex
	var rnds []string
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		rnd := r.Header.Get("x-rnd-key")
		rnds = append(rnds, rnd)
		full, _ := odero.DecodeURL(&url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: r.URL.RawQuery})
		assert.Equal(t, odero.Signature(full, "k", "s", rnd, nil), r.Header.Get("x-signature"))
		assert.Equal(t, "k", r.Header.Get("x-api-key"))
		assert.Equal(t, "v1", r.Header.Get("x-auth-version"))
		if calls < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"data":{"id":7,"paymentStatus":"SUCCESS"}}`))
	}))
	defer srv.Close()
	c, err := odero.New(odero.Config{APIKey: "k", SecretKey: "s"}, odero.WithBaseURL(srv.URL),
		odero.WithRetry(odero.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
	require.NoError(t, err)
	p, err := c.RetrieveCheckout(context.Background(), "tok-1")
	require.NoError(t, err)
	assert.Equal(t, int64(7), p.ID)
	require.Len(t, rnds, 3)
	alnum := regexp.MustCompile(`^[A-Za-z0-9]{16}$`)
	seen := map[string]bool{}
	for _, r := range rnds {
		assert.Regexp(t, alnum, r)
		assert.False(t, seen[r], "x-rnd-key reused across attempts")
		seen[r] = true
	}
}

func TestAuthVersionConfigurable(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("x-auth-version")
		_, _ = w.Write([]byte(`{"data":{}}`))
	}))
	defer srv.Close()
	c, err := odero.New(odero.Config{APIKey: "k", SecretKey: "s", AuthVersion: "1"}, odero.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.RetrieveCheckout(context.Background(), "tok")
	require.NoError(t, err)
	assert.Equal(t, "1", got)
}

func TestRandomKeysAreDistinct(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		k, err := odero.NewRandomKey()
		require.NoError(t, err)
		require.Len(t, k, odero.RandomKeyLength)
		require.False(t, seen[k])
		seen[k] = true
	}
}

func BenchmarkSignature(b *testing.B) {
	body := []byte(`{"price":100,"paidPrice":100,"currency":"TRY","paymentGroup":"PRODUCT","callbackUrl":"https://example.com/odero/callback","conversationId":"order-1","items":[{"name":"Item 1","price":60},{"name":"Item 2","price":40}]}`)
	const u = "https://sandbox-api-gateway.oderopay.com.tr/payment/v1/checkout-payments/init"
	b.ReportAllocs()
	for b.Loop() {
		_ = odero.Signature(u, "api-key", "secret-key", "Xa15Fp11T", body)
	}
}
