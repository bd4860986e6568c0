package conformance_test

// Side-by-side benchmarks: each provider's main call through the SDK
// against its fake, beside the same exchange written with plain net/http
// and encoding/json; and each signature or seal beside its bare primitive.
//
//	go test -run '^$' -bench . -benchmem -count 6 ./internal/conformance

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/nacl/box"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/internal/benchcpu"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// plainClient is what a hand-written integration would use.
func plainClient() *http.Client { return &http.Client{Timeout: 60 * time.Second} }

func plainDo(b *testing.B, hc *http.Client, req *http.Request, out any) {
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("plain: %d %v %s", resp.StatusCode, err, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		b.Fatal(err)
	}
}

// benchCheckout is a paid-for checkout and the client that opened it.
type benchCheckout struct {
	*odero.Checkout
	client *odero.Client
}

// oderoBenchCheckout opens a checkout on srv with a client that has the
// callback URL every checkout needs.
func oderoBenchCheckout(b *testing.B, srv *oderotest.Server, opts ...odero.Option) benchCheckout {
	cfg := srv.Config()
	cfg.CallbackURL = "https://shop.example/cb"
	c, err := odero.New(cfg, append([]odero.Option{odero.WithBaseURL(srv.URL), odero.WithHTTPClient(srv.Client())}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	co, err := c.InitCheckout(context.Background(), oderoInit())
	if err != nil {
		b.Fatal(err)
	}
	return benchCheckout{co, c}
}

func BenchmarkRoundTrip(b *testing.B) {
	ctx := context.Background()

	b.Run("odero/sdk", func(b *testing.B) {
		srv := oderotest.NewServer(b)
		co := oderoBenchCheckout(b, srv, odero.WithHTTPClient(plainClient()))
		c := co.client
		srv.Complete(co.Token, oderotest.Outcome{Status: odero.PaymentStatusSuccess})
		b.ReportAllocs()
		stop := benchcpu.Measure(b)
		for b.Loop() {
			if _, err := c.RetrieveCheckout(ctx, co.Token); err != nil {
				b.Fatal(err)
			}
		}
		stop()
	})
	b.Run("odero/plain", func(b *testing.B) {
		srv := oderotest.NewServer(b)
		co := oderoBenchCheckout(b, srv)
		srv.Complete(co.Token, oderotest.Outcome{Status: odero.PaymentStatusSuccess})
		hc := plainClient()
		u := srv.URL + "/payment/v1/checkout-payments/" + co.Token
		var n atomic.Int64
		b.ReportAllocs()
		stop := benchcpu.Measure(b)
		for b.Loop() {
			rnd := "rnd" + strconv.FormatInt(n.Add(1), 10)
			sum := sha256.Sum256([]byte(u + oderotest.APIKey + oderotest.SecretKey + rnd))
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			req.Header.Set("Accept", "application/json") // the fake, like the gateway, requires it
			req.Header.Set("x-api-key", oderotest.APIKey)
			req.Header.Set("x-rnd-key", rnd)
			req.Header.Set("x-auth-version", "v1")
			req.Header.Set("x-signature", base64.StdEncoding.EncodeToString(sum[:]))
			var out struct {
				Data odero.Payment `json:"data"`
			}
			plainDo(b, hc, req, &out)
		}
		stop()
	})

	b.Run("iotpay/sdk", func(b *testing.B) {
		srv := iotpaytest.NewServer(b)
		c, _ := srv.NewClient(iotpay.WithHTTPClient(plainClient()))
		srv.BindCard("card-1")
		o, _ := c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "bench-1", CardID: "card-1", Amount: iotpay.AmountFromMinor(100)})
		b.ReportAllocs()
		stop := benchcpu.Measure(b)
		for b.Loop() {
			if _, err := c.Query(ctx, &iotpay.QueryRequest{PayOrderID: o.PayOrderID}); err != nil {
				b.Fatal(err)
			}
		}
		stop()
	})
	b.Run("iotpay/plain", func(b *testing.B) {
		srv := iotpaytest.NewServer(b)
		c, _ := srv.NewClient()
		srv.BindCard("card-1")
		o, _ := c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "bench-1", CardID: "card-1", Amount: iotpay.AmountFromMinor(100)})
		hc := plainClient()
		b.ReportAllocs()
		stop := benchcpu.Measure(b)
		for b.Loop() {
			canon := "mchId=" + iotpaytest.MerchantID + "&payOrderId=" + o.PayOrderID
			sum := md5.Sum([]byte(canon + "&key=" + iotpaytest.Key))
			body, _ := json.Marshal(map[string]string{"mchId": iotpaytest.MerchantID, "payOrderId": o.PayOrderID, "sign": strings.ToUpper(hex.EncodeToString(sum[:]))})
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v3/cc_query", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json;charset=UTF-8")
			var out struct {
				RetCode string       `json:"retCode"`
				RetData iotpay.Order `json:"retData"`
			}
			plainDo(b, hc, req, &out)
		}
		stop()
	})

	b.Run("ktwidget/sdk", func(b *testing.B) {
		srv := ktwidgettest.NewServer(b)
		c, _ := srv.NewClient(ktwidget.WithHTTPClient(plainClient()))
		var n int
		b.ReportAllocs()
		stop := benchcpu.Measure(b)
		for b.Loop() {
			n++
			if _, err := c.CreatePayment(ctx, &ktwidget.Order{OrderID: "sdk-" + strconv.Itoa(n), Amount: ktwidget.MustParseAmount("2750.00"), Type: ktwidget.TypeEcom}, nil); err != nil {
				b.Fatal(err)
			}
		}
		stop()
	})
	b.Run("ktwidget/plain", func(b *testing.B) {
		srv := ktwidgettest.NewServer(b)
		pk := srv.RawPublicKey()
		hc := plainClient()
		var n int
		b.ReportAllocs()
		stop := benchcpu.Measure(b)
		for b.Loop() {
			n++
			plain, _ := json.Marshal(map[string]any{"order": map[string]any{"order_id": "plain-" + strconv.Itoa(n), "amount": json.Number("2750.00"), "type": "ecom"}})
			sealed, _ := box.SealAnonymous(nil, plain, pk, rand.Reader)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/v1/merchant-widget/payment", strings.NewReader(base64.StdEncoding.EncodeToString(sealed)))
			req.Header.Set("Auth-Identifier", ktwidgettest.AppID)
			req.Header.Set("Content-Type", "text/plain")
			var out struct {
				Response struct {
					Data struct {
						TransactionHash string `json:"transaction_hash"`
					} `json:"data"`
				} `json:"response"`
			}
			plainDo(b, hc, req, &out)
		}
		stop()
	})

	b.Run("finrota/sdk", func(b *testing.B) {
		srv := finrotatest.NewServer(b)
		c, _ := srv.NewClient(finrota.WithHTTPClient(plainClient()))
		b.ReportAllocs()
		stop := benchcpu.Measure(b)
		for b.Loop() {
			if _, err := c.CreateWidgetToken(ctx); err != nil {
				b.Fatal(err)
			}
		}
		stop()
	})
	b.Run("finrota/plain", func(b *testing.B) {
		srv := finrotatest.NewServer(b)
		hc := plainClient()
		body, _ := json.Marshal(map[string]string{"apiKey": finrotatest.APIKey, "secretKey": finrotatest.SecretKey})
		treq, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/auth/api/token/connect", bytes.NewReader(body))
		treq.Header.Set("Content-Type", "application/json")
		var tok struct{ Token string }
		plainDo(b, hc, treq, &tok)
		b.ReportAllocs()
		stop := benchcpu.Measure(b)
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/b2c/widget/token", nil)
			req.Header.Set("Authorization", "Bearer "+tok.Token)
			var out struct{ Token string }
			plainDo(b, hc, req, &out)
		}
		stop()
	})

	b.Run("flexiti/sdk", func(b *testing.B) {
		srv := flexititest.NewServer(b)
		c, _ := srv.NewClient(flexiti.WithHTTPClient(plainClient()))
		id := flexitiAuthorization(b, srv, c)
		b.ReportAllocs()
		stop := benchcpu.Measure(b)
		for b.Loop() {
			if _, err := c.GetAuthorization(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
		stop()
	})
	b.Run("flexiti/plain", func(b *testing.B) {
		srv := flexititest.NewServer(b)
		c, _ := srv.NewClient()
		id := flexitiAuthorization(b, srv, c)
		hc := plainClient()
		form := url.Values{"client_id": {flexititest.ClientID}, "client_secret": {flexititest.ClientSecret}, "grant_type": {"client_credentials"}, "scope": {"merchant"}}
		ref := flexiti.NewReferenceID()
		treq, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v2.5/oauth/token", strings.NewReader(form.Encode()))
		treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		treq.Header.Set("x-reference-id", ref)
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		plainDo(b, hc, treq, &tok)
		u := srv.URL + "/v2.5.1/client-id/" + flexititest.ClientID + "/authorization/" + id.String() + "?lang=en"
		b.ReportAllocs()
		stop := benchcpu.Measure(b)
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			req.Header.Set("x-reference-id", ref)
			var out flexiti.Authorization
			plainDo(b, hc, req, &out)
		}
		stop()
	})
}

func flexitiAuthorization(b *testing.B, srv *flexititest.Server, c *flexiti.Client) flexiti.ID {
	ctx := context.Background()
	f, err := c.NewFlow(ctx)
	if err != nil {
		b.Fatal(err)
	}
	ws, _ := f.WidgetInit(ctx, &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase, CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: flexititest.AccountNumber}})
	srv.PassWidget(ws.WidgetSessionID, flexititest.PIN)
	a, err := f.Authorize(ctx, &flexiti.AuthorizeRequest{AccountNumber: flexititest.AccountNumber, Amount: flexiti.MustParseAmount("10.00"),
		FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}})
	if err != nil {
		b.Fatal(err)
	}
	return a.AuthorizationID
}

func BenchmarkSign(b *testing.B) {
	oderoBody := []byte(`{"price":100,"paidPrice":100,"currency":"TRY","paymentGroup":"PRODUCT","callbackUrl":"https://example.com/odero/callback","conversationId":"order-1","items":[{"name":"Item 1","price":60},{"name":"Item 2","price":40}]}`)
	const oderoURL = "https://sandbox-api-gateway.oderopay.com.tr/payment/v1/checkout-payments/init"
	b.Run("odero/sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = odero.Signature(oderoURL, "api-key", "secret-key", "Xa15Fp11T", oderoBody)
		}
	})
	b.Run("odero/sha256", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h := sha256.New()
			h.Write([]byte(oderoURL + "api-key" + "secret-key" + "Xa15Fp11T"))
			h.Write(oderoBody)
			_ = base64.StdEncoding.EncodeToString(h.Sum(nil))
		}
	})

	params := iotpay.Params{"mchId": "10000701", "mchOrderNo": "1234567890abc", "amount": int64(1500), "currency": "CAD",
		"loginName": "jack123", "subject": "ipad pro", "body": "", "channel": "PF_CC",
		"notifyUrl": "https://example.com/notify", "returnUrl": "https://example.com/return?a=1&b=2"}
	const key = "0123456789ABCDEF0123456789ABCDEF"
	b.Run("iotpay/sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = iotpay.Sign(params, key)
		}
	})
	canonical := iotpay.Canonical(params)
	b.Run("iotpay/md5", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sum := md5.Sum([]byte(canonical + "&key=" + key))
			_ = strings.ToUpper(hex.EncodeToString(sum[:]))
		}
	})

	pub, _, _ := box.GenerateKey(rand.Reader)
	c, _ := ktwidget.New(ktwidget.Config{AppID: "a", PublicKey: base64.StdEncoding.EncodeToString(pub[:]), Environment: ktwidget.Test})
	order := &ktwidget.Order{OrderID: "order-42", Amount: ktwidget.MustParseAmount("1500.50"), Type: ktwidget.TypeEcom, Description: "Copper kettle"}
	plain := []byte(`{"order":{"order_id":"order-42","amount":1500.50,"type":"ecom","description":"Copper kettle"}}`)
	b.Run("ktwidget/sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Seal(order, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ktwidget/box", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sealed, _ := box.SealAnonymous(nil, plain, pub, rand.Reader)
			_ = base64.StdEncoding.EncodeToString(sealed)
		}
	})
}
