package ktwidget_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/nacl/box"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

func fakeClient(t *testing.T, srv *ktwidgettest.Server, opts ...ktwidget.Option) *ktwidget.Client {
	base := []ktwidget.Option{ktwidget.WithRetry(ktwidget.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})}
	c, err := srv.NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func order(id string) *ktwidget.Order {
	return &ktwidget.Order{OrderID: id, Amount: ktwidget.MustParseAmount("2750.00"), Type: ktwidget.TypeEcom, Description: "Copper kettle"}
}

func TestCreatePaymentWireFormat(t *testing.T) {
	pub, priv := keyPair(t)
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body = readBody(r)
		_, _ = w.Write([]byte(`{"error":[],"response":{"success":true,"data":{"transaction_hash":"0123456789abcdef0123456789abcdef01234567","show_close_button":true}}}`))
	}))
	defer srv.Close()
	c, err := ktwidget.New(ktwidget.Config{AppID: "app-1", PublicKey: base64.StdEncoding.EncodeToString(pub[:]), WidgetURL: "https://widget.example"}, ktwidget.WithBaseURL(srv.URL))
	require.NoError(t, err)
	p, err := c.CreatePayment(context.Background(), order("o-1"), nil)
	require.NoError(t, err)
	assert.Equal(t, "/api/v1/merchant-widget/payment", got.URL.Path)
	assert.Equal(t, "app-1", got.Header.Get("Auth-Identifier"))
	assert.Equal(t, "text/plain", got.Header.Get("Content-Type"))
	raw, err := base64.StdEncoding.DecodeString(string(body))
	require.NoError(t, err, "the body is the bare base64 string")
	plain, ok := box.OpenAnonymous(nil, raw, pub, priv)
	require.True(t, ok)
	assert.Equal(t, `{"order":{"order_id":"o-1","amount":2750,"type":"ecom","description":"Copper kettle"}}`, string(plain))
	assert.Equal(t, "https://widget.example/payment-card?hash=0123456789abcdef0123456789abcdef01234567&show_close_button=true", p.WidgetURL)
	assert.Equal(t, "https://widget.example/payment-card?hash=0123456789abcdef0123456789abcdef01234567&show_close_buttontrue", p.CompatURL)
}

func TestErrorEnvelopes(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		code   int
		is     error
	}{
		{"readme shape", 422, `{"success":false,"data":[],"error":{"code":4220002,"messages":{"error":"validation failed"},"hint":"check order"}}`, 4220002, ktwidget.ErrRejected},
		{"php shape under response", 200, `{"response":{"success":false},"error":{"code":"4010103","messages":["unknown app"]}}`, 4010103, ktwidget.ErrUnauthorized},
		{"ref shape", 400, `{"success":false,"error":{"code":4220103,"message":"bad","validation":{"amount":["required"]},"hint":"h"}}`, 4220103, ktwidget.ErrRejected},
		{"key expired", 200, `{"success":false,"data":[],"error":{"code":4220104,"messages":{"error":"Crypto key expired"}}}`, 4220104, ktwidget.ErrKeyExpired},
		{"success false only", 200, `{"success":false,"data":[],"error":[]}`, 0, nil},
	}
	pub, _ := keyPair(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c, err := ktwidget.New(ktwidget.Config{AppID: "a", PublicKey: b64(pub[:])}, ktwidget.WithBaseURL(srv.URL))
			require.NoError(t, err)
			_, err = c.CreatePayment(context.Background(), order("o"), nil)
			var api *ktwidget.APIError
			require.ErrorAs(t, err, &api)
			assert.Equal(t, tc.code, api.Code)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			assert.NotErrorIs(t, err, ktwidget.ErrOutcomeUnknown, "a refusal is not ambiguous")
		})
	}
}

func TestServerErrorCodeIsOutcomeUnknown(t *testing.T) {
	pub, _ := keyPair(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"success":false,"data":[],"error":{"code":5000105,"messages":{"error":"unexpected"}}}`))
	}))
	defer srv.Close()
	c, err := ktwidget.New(ktwidget.Config{AppID: "a", PublicKey: b64(pub[:])}, ktwidget.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.CreatePayment(context.Background(), order("o"), nil)
	require.ErrorIs(t, err, ktwidget.ErrOutcomeUnknown)
}

// TestRateLimitSaysWhenToRetry: a 429 reads as rate limited and says when
// to try again, from Retry-After when KTPay sends it.
func TestRateLimitSaysWhenToRetry(t *testing.T) {
	pub, _ := keyPair(t)
	for _, tc := range []struct{ retryAfter, body, want string }{
		{"30", `{"success":false,"error":{"code":0}}`, "ktwidget: rate limited (HTTP 429): try again in 30s"},
		{"", `Too Many Requests`, ""},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.retryAfter != "" {
				w.Header().Set("Retry-After", tc.retryAfter)
			}
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(tc.body))
		}))
		c, err := ktwidget.New(ktwidget.Config{AppID: "a", PublicKey: b64(pub[:])}, ktwidget.WithBaseURL(srv.URL), ktwidget.WithoutRetries())
		require.NoError(t, err)
		_, err = c.CreatePayment(context.Background(), order("o"), nil)
		srv.Close()
		require.ErrorIs(t, err, ktwidget.ErrRateLimited)
		require.NotErrorIs(t, err, ktwidget.ErrOutcomeUnknown, "a 429 was not processed")
		if tc.want == "" { // no envelope: the same *StatusError as every provider's
			var se *ktwidget.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, http.StatusTooManyRequests, se.HTTPStatus)
			continue
		}
		var ae *ktwidget.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, tc.want, err.Error())
		assert.Equal(t, 30*time.Second, ae.RetryAfter)
	}
}

func TestCreatePaymentAgainstFake(t *testing.T) {
	srv := ktwidgettest.NewServer(t)
	c := fakeClient(t, srv)
	ctx := context.Background()
	p, err := c.CreatePayment(ctx, order("o-1"), &ktwidget.User{Phone: "+77001234567"})
	require.NoError(t, err)
	assert.Len(t, p.TransactionHash, 40)
	orders := srv.Orders()
	require.Len(t, orders, 1)
	assert.Equal(t, "o-1", orders[0].Order.OrderID)
	assert.Equal(t, "+77001234567", orders[0].User.Phone)
	page, err := c.AcquirerOptions(ctx, p.TransactionHash)
	require.NoError(t, err)
	assert.Contains(t, page, p.TransactionHash)
	pdf, err := c.Receipt(ctx, p.TransactionHash)
	require.NoError(t, err)
	assert.Equal(t, "%PDF-", string(pdf[:5]))

	// A duplicate order_id is refused by the fake.
	_, err = c.CreatePayment(ctx, order("o-1"), nil)
	require.ErrorIs(t, err, ktwidget.ErrRejected)

	// Key rotation: the old key gets 4220104 until the new one is installed.
	newKey := srv.ExpireKey()
	_, err = c.CreatePayment(ctx, order("o-2"), nil)
	require.ErrorIs(t, err, ktwidget.ErrKeyExpired)
	require.NoError(t, c.SetPublicKey(newKey))
	_, err = c.CreatePayment(ctx, order("o-2"), nil)
	require.NoError(t, err)

	// A wrong app id.
	cfg := srv.Config()
	cfg.AppID = "nope"
	bad, err := ktwidget.New(cfg, ktwidget.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = bad.CreatePayment(ctx, order("o-3"), nil)
	require.ErrorIs(t, err, ktwidget.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "nope")
}

func TestCreatePaymentNeverSentTwice(t *testing.T) {
	for _, f := range []ktwidgettest.Fault{{Kind: ktwidgettest.DropAfter}, {Kind: ktwidgettest.Truncate}, {Kind: ktwidgettest.Status, Status: 502}, {Kind: ktwidgettest.Malformed}} {
		srv := ktwidgettest.NewServer(t)
		c := fakeClient(t, srv)
		srv.Fail("POST", "/api/v1/merchant-widget/payment", f)
		_, err := c.CreatePayment(context.Background(), order("o-1"), nil)
		require.ErrorIs(t, err, ktwidget.ErrOutcomeUnknown, "fault %v", f.Kind)
		assert.Equal(t, 1, srv.Count("POST", "/api/v1/merchant-widget/payment"))
		if f.Kind != ktwidgettest.Status {
			assert.Equal(t, 1, srv.Transactions())
		}
	}
}

func TestInvalidOrderSendsNothing(t *testing.T) {
	srv := ktwidgettest.NewServer(t)
	c := fakeClient(t, srv)
	_, err := ktwidget.ParseAmount("1.001")
	require.ErrorIs(t, err, ktwidget.ErrInvalidRequest, "refused at parse time")
	var threePlaces ktwidget.Amount // an Amount can still get there (decoded, added): Validate refuses it
	require.NoError(t, threePlaces.UnmarshalText([]byte("1.001")))
	_, err = c.CreatePayment(context.Background(), &ktwidget.Order{OrderID: "o", Amount: threePlaces, Type: ktwidget.TypeEcom}, nil)
	var ve *httpx.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Amount", ve.Field)
	assert.Equal(t, "amount", ve.Wire)
	_, err = c.AcquirerOptions(context.Background(), "")
	require.ErrorIs(t, err, ktwidget.ErrInvalidRequest)
	assert.Empty(t, srv.Requests())
}

// TestOrderValidateReportsEveryViolation: every rule at once, Go and wire
// field named, "required" for what is missing.
func TestOrderValidateReportsEveryViolation(t *testing.T) {
	err := (&ktwidget.Order{Type: ktwidget.TypeService, CallbackSuccessURL: "/n"}).Validate()
	require.ErrorIs(t, err, ktwidget.ErrInvalidRequest)
	assert.Equal(t, strings.Join([]string{
		"ktwidget: OrderID (order_id): required",
		"ktwidget: Amount (amount): required",
		"ktwidget: Service (service): required for type service",
		"ktwidget: CallbackSuccessURL (callback_success_url): must be an absolute http(s) URL",
	}, "\n"), err.Error())
}
