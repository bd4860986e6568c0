package fakeserver_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/examples/internal/fakeserver"
	"github.com/paywidget/paywidget-go/examples/internal/finrotaflow"
	"github.com/paywidget/paywidget-go/examples/internal/flexitiflow"
	"github.com/paywidget/paywidget-go/examples/internal/iotpayflow"
	"github.com/paywidget/paywidget-go/examples/internal/ktwidgetflow"
	"github.com/paywidget/paywidget-go/examples/internal/oderoflow"
	"github.com/paywidget/paywidget-go/examples/internal/steps"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/ktwidget"
)

// syncBuffer is the command's stdout, read while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the command as a user would (with args), waits for its
// listing and returns it; the command is interrupted when the test ends,
// and must then exit 0 and say it stopped.
func start(t *testing.T, args ...string) (fakeserver.Listing, *syncBuffer) {
	t.Helper()
	ctx, interrupt := context.WithCancel(context.Background())
	out, errs := &syncBuffer{}, &syncBuffer{}
	code := make(chan int, 1)
	go func() { code <- fakeserver.Run(ctx, append([]string{"-json"}, args...), out, errs) }()
	t.Cleanup(func() {
		interrupt()
		select {
		case c := <-code:
			assert.Equal(t, 0, c, "exit code after an interrupt; stderr: %s", errs.String())
			assert.Contains(t, out.String(), "fakes: stopped")
		case <-time.After(10 * time.Second):
			t.Error("the command did not stop after the interrupt")
		}
	})
	var l fakeserver.Listing
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := json.NewDecoder(strings.NewReader(out.String())).Decode(&l); err == nil {
			break
		}
		select {
		case c := <-code:
			t.Fatalf("the command exited %d before listing: %s", c, errs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listing printed: %q %q", out.String(), errs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.Len(t, l.Providers, 5)
	return l, out
}

func provider(t *testing.T, l fakeserver.Listing, name string) fakeserver.Provider {
	for _, p := range l.Providers {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("%s not listed", name)
	return fakeserver.Provider{}
}

func admin(t *testing.T, l fakeserver.Listing, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, l.Admin+path, r)
	require.NoError(t, err)
	resp, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

// TestEveryProviderFromThePrintedListing runs each provider's merchant flow
// with nothing but what the command printed: base URL and credentials.
func TestEveryProviderFromThePrintedListing(t *testing.T) {
	for _, https := range []bool{false, true} {
		name := "http"
		var args []string
		if https {
			name, args = "https-h2", []string{"-tls"}
		}
		t.Run(name, func(t *testing.T) {
			l, _ := start(t, args...)
			env := map[string]string{}
			for _, p := range l.Providers {
				if https {
					assert.True(t, strings.HasPrefix(p.BaseURL, "https://"), p.BaseURL)
					continue
				}
				assert.True(t, strings.HasPrefix(p.BaseURL, "http://127.0.0.1:"), p.BaseURL)
				c := p.Credentials
				switch p.Name {
				case "finrota":
					env["FINROTA_API_KEY"], env["FINROTA_SECRET_KEY"] = c["APIKey"], c["SecretKey"]
				case "flexiti":
					env["FLEXITI_CLIENT_ID"], env["FLEXITI_CLIENT_SECRET"] = c["ClientID"], c["ClientSecret"]
				case "ktwidget":
					env["KTWIDGET_APP_ID"], env["KTWIDGET_APP_KEY"], env["KTWIDGET_WIDGET_URL"] = c["AppID"], c["PublicKey"], p.BaseURL
				case "iotpay":
					env["IOTPAY_MCH_ID"], env["IOTPAY_KEY"], env["IOTPAY_LOGIN_NAME"] = c["MerchantID"], c["Key"], c["LoginName"]
				case "odero":
					env["ODERO_API_KEY"], env["ODERO_SECRET_KEY"] = c["APIKey"], c["SecretKey"]
				}
				assert.Contains(t, p.Config, p.BaseURL)
			}
			if https {
				// Over HTTPS the certificate is the fakes' own: a client
				// that does not trust it is refused; one that trusts the
				// printed ca.pem talks HTTP/2 to the fake.
				p := provider(t, l, "iotpay")
				_, err := http.Get(p.BaseURL + "/v3/cc_query")
				require.Error(t, err)
				resp, err := http.Get(l.Admin + "/ca.pem")
				require.NoError(t, err)
				pemBytes, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				pool := x509.NewCertPool()
				require.True(t, pool.AppendCertsFromPEM(pemBytes))
				tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true}
				defer tr.CloseIdleConnections()
				client, err := iotpay.New(iotpay.Config{MerchantID: p.Credentials["MerchantID"], Key: iotpay.Secret(p.Credentials["Key"]),
					LoginName: p.Credentials["LoginName"]}, iotpay.WithBaseURL(p.BaseURL), iotpay.WithHTTPClient(&http.Client{Transport: tr, Timeout: 10 * time.Second}))
				require.NoError(t, err)
				_, err = client.Query(context.Background(), &iotpay.QueryRequest{MchOrderNo: "nobody"})
				require.Error(t, err, "an unknown order")
				_, body := admin(t, l, http.MethodGet, "/iotpay/requests", nil)
				reqs, _ := body["requests"].([]any)
				require.NotEmpty(t, reqs)
				assert.Equal(t, "HTTP/2.0", reqs[len(reqs)-1].(map[string]any)["proto"])
				return
			}
			flows := map[string]steps.Flow{"finrota": finrotaflow.Run, "flexiti": flexitiflow.Run, "ktwidget": ktwidgetflow.Run,
				"iotpay": iotpayflow.Run, "odero": oderoflow.Run}
			for _, p := range l.Providers {
				rec := steps.NewRecorder(nil, p.Name, steps.JSONLines)
				err := flows[p.Name](context.Background(), steps.Target{BaseURL: p.BaseURL, Getenv: func(k string) string { return env[k] }}, rec)
				require.NoError(t, err, p.Name)
				ok := 0
				for _, r := range rec.Results() {
					if r.OK {
						ok++
					}
				}
				assert.Positive(t, ok, "%s: no step succeeded against the command's fake", p.Name)
			}
			// Every call reached the fakes and was recorded.
			for _, p := range l.Providers {
				code, body := admin(t, l, http.MethodGet, "/"+p.Name+"/requests", nil)
				require.Equal(t, http.StatusOK, code)
				assert.NotEmpty(t, body["requests"], p.Name)
			}
		})
	}
}

// TestScriptADeclineAndAFaultOverTheAdminAPI scripts IOTPay's next payment
// as declined and a 502 on cc_query, as a non-Go caller would.
func TestScriptADeclineAndAFaultOverTheAdminAPI(t *testing.T) {
	l, _ := start(t)
	p := provider(t, l, "iotpay")
	client, err := iotpay.New(iotpay.Config{MerchantID: p.Credentials["MerchantID"], Key: iotpay.Secret(p.Credentials["Key"]),
		LoginName: p.Credentials["LoginName"], NotifyURL: "http://127.0.0.1:1/notify"}, iotpay.WithBaseURL(p.BaseURL))
	require.NoError(t, err)

	code, body := admin(t, l, http.MethodPost, "/iotpay/next-payment", map[string]string{"outcome": "declined"})
	require.Equal(t, http.StatusOK, code, body)
	co, err := client.Purchase(context.Background(), &iotpay.PurchaseRequest{MchOrderNo: "fk-decline-1", Amount: iotpay.AmountFromMinor(1999), ReturnURL: "http://127.0.0.1:1/return"})
	require.NoError(t, err)
	// The shopper pays with the card that would pay: the scripted decline wins.
	page, _ := url.Parse(co.RedirectURL)
	resp, err := http.PostForm(page.Scheme+"://"+page.Host+"/cc/pay", url.Values{"key": {co.SecureID}, "cardNum": {"4242424242424242"},
		"expiryDate": {"1230"}, "cvv": {"123"}, "holder": {"Test"}})
	if err == nil {
		resp.Body.Close()
	}
	o, err := client.Query(context.Background(), &iotpay.QueryRequest{MchOrderNo: "fk-decline-1"})
	require.NoError(t, err)
	assert.Equal(t, iotpay.StatusFailed, o.Status)

	code, body = admin(t, l, http.MethodPost, "/iotpay/faults", map[string]any{"method": "POST", "path": "/v3/cc_query", "kind": "status", "status": 502, "count": 3})
	require.Equal(t, http.StatusOK, code, body)
	_, err = client.Query(context.Background(), &iotpay.QueryRequest{MchOrderNo: "fk-decline-1"})
	require.Error(t, err, "three 502s outlast the SDK's two retries")
	// The listing tells what the fake processed: the scripted 502s were not;
	// the earlier query was, with IOTPay's answer.
	_, body = admin(t, l, http.MethodGet, "/iotpay/requests", nil)
	var faulted, answered int
	for _, r := range body["requests"].([]any) {
		q := r.(map[string]any)
		if q["path"] != "/v3/cc_query" {
			continue
		}
		if q["processed"] == true {
			answered++
			assert.Contains(t, q["reply"], "retCode")
		} else {
			faulted++
			assert.Nil(t, q["status"])
		}
	}
	assert.Equal(t, 3, faulted)
	assert.Equal(t, 1, answered)

	code, _ = admin(t, l, http.MethodPost, "/iotpay/reset", nil)
	require.Equal(t, http.StatusOK, code)
	_, body = admin(t, l, http.MethodGet, "/iotpay/requests", nil)
	assert.Empty(t, body["requests"])

	// Bad scripts are refused with a reason, not ignored.
	code, body = admin(t, l, http.MethodPost, "/iotpay/next-payment", map[string]string{"outcome": "maybe"})
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body["error"], "paid, declined, pending")
	code, body = admin(t, l, http.MethodPost, "/iotpay/faults", map[string]any{"method": "POST", "path": "/v3/cc_query", "kind": "explode"})
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body["error"], "drop-before")
	code, _ = admin(t, l, http.MethodPost, "/iotpay/faults", map[string]any{"methd": "POST"})
	assert.Equal(t, http.StatusBadRequest, code, "a misspelt field is refused")
	code, body = admin(t, l, http.MethodPost, "/nopay/reset", nil)
	assert.Equal(t, http.StatusNotFound, code)
	assert.Contains(t, body["error"], "iotpay")
	code, body = admin(t, l, http.MethodPost, "/finrota/next-payment", map[string]string{"outcome": "declined"})
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Contains(t, body["error"], "declined card")
}

// TestTriggerSaysWhenTheAnswerIsNotTheAcknowledgment fires KTPay's
// notification at a handler that answers text/plain, then at the SDK's own
// handler, through the trigger subcommand.
func TestTriggerSaysWhenTheAnswerIsNotTheAcknowledgment(t *testing.T) {
	l, _ := start(t)
	p := provider(t, l, "ktwidget")
	var reports atomic.Int32
	cfg := ktwidget.Config{AppID: ktwidget.Secret(p.Credentials["AppID"]), PublicKey: p.Credentials["PublicKey"], WidgetURL: p.BaseURL,
		CallbackSecret: ktwidget.Secret(p.Credentials["CallbackSecret"])}
	mux := http.NewServeMux()
	shop := httptest.NewServer(mux)
	defer shop.Close()
	cfg.CallbackBase = shop.URL + "/kt/"
	client, err := ktwidget.New(cfg, ktwidget.WithBaseURL(p.BaseURL))
	require.NoError(t, err)
	var recorded ktwidget.Expectation
	mux.Handle("POST /kt/", &ktwidget.NotificationHandler{Client: client, Expect: func(context.Context, *ktwidget.Notification) (ktwidget.Expectation, error) {
		return recorded, nil
	}, Report: func(context.Context, *ktwidget.Notification) error {
		reports.Add(1)
		return nil
	}})
	mux.HandleFunc("POST /wrong", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"status":"ok"}`) // text/plain: not what KTPay wants
	})
	pay, err := client.CreatePayment(context.Background(), &ktwidget.Order{OrderID: "fk-kt-1", Amount: ktwidget.MustParseAmount("150.00"),
		Type: ktwidget.TypeEcom, Description: "kettle"}, nil)
	require.NoError(t, err)
	recorded = ktwidget.Expectation{TransactionHash: pay.TransactionHash, Amount: ktwidget.MustParseAmount("150.00")}

	var out, errs bytes.Buffer
	code := fakeserver.Run(context.Background(), []string{"trigger", "-admin", l.Admin, "-provider", "ktwidget", "-order", "fk-kt-1",
		"-outcome", "paid", "-to", shop.URL + "/wrong"}, &out, &errs)
	assert.Equal(t, 1, code, "an unacknowledged notification fails the trigger: %s %s", out.String(), errs.String())
	assert.Contains(t, out.String(), `NOT acknowledged: Content-Type "text/plain; charset=utf-8"`)
	assert.Contains(t, out.String(), "application/json")

	out.Reset()
	code = fakeserver.Run(context.Background(), []string{"trigger", "-admin", l.Admin, "-provider", "ktwidget", "-order", "fk-kt-1",
		"-times", "3", "-concurrent"}, &out, &errs)
	require.Equal(t, 0, code, "%s %s", out.String(), errs.String())
	assert.Equal(t, 3, strings.Count(out.String(), "acknowledged as ktwidget expects"))
	assert.Equal(t, int32(1), reports.Load(), "three concurrent deliveries, one report")

	out.Reset()
	code = fakeserver.Run(context.Background(), []string{"trigger", "-admin", l.Admin, "-provider", "flexiti", "-order", "x"}, &out, &errs)
	assert.Equal(t, 1, code)
	assert.Contains(t, errs.String(), "no server-to-server notification")
	code = fakeserver.Run(context.Background(), []string{"trigger", "-admin", l.Admin, "-provider", "ktwidget", "-order", "nobody"}, &out, &errs)
	assert.Equal(t, 1, code)
	assert.Contains(t, errs.String(), "no order with this reference")
}
