package conformance_test

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/odero"
)

// validationErrors flattens err (a joined error or one *ValidationError)
// into its items; any item that is not a *ValidationError fails the test.
func validationErrors(t *testing.T, err error) []*httpx.ValidationError {
	t.Helper()
	var items []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		items = j.Unwrap()
	} else {
		items = []error{err}
	}
	var out []*httpx.ValidationError
	for _, it := range items {
		var ve *httpx.ValidationError
		if !errors.As(it, &ve) {
			t.Errorf("item %q is not a *ValidationError", it)
			continue
		}
		if !errors.Is(it, httpx.ErrInvalidRequest) {
			t.Errorf("item %q does not match ErrInvalidRequest", it)
		}
		out = append(out, ve)
	}
	return out
}

// TestNewReportsEveryConfigProblem: for all five providers, a Config with
// several problems is refused by New with every problem reported at once —
// one *ValidationError per field, each matching ErrInvalidRequest, naming
// the Go field and (where the field has one) the wire name beside it.
func TestNewReportsEveryConfigProblem(t *testing.T) {
	cases := map[string]struct {
		newErr func() error
		// want maps each Go field to its wire name ("" when it has none).
		want map[string]string
	}{
		"finrota": {func() error {
			_, err := finrota.New(finrota.Config{})
			return err
		}, map[string]string{"APIKey": "apiKey", "SecretKey": "secretKey", "Environment": ""}},
		"flexiti": {func() error {
			_, err := flexiti.New(flexiti.Config{ClientID: "a/b", Lang: "de", ClaimLease: -time.Second})
			return err
		}, map[string]string{"ClientID": "client_id", "ClientSecret": "client_secret", "Lang": "lang", "ClaimLease": "", "Environment": ""}},
		"iotpay": {func() error {
			_, err := iotpay.New(iotpay.Config{LoginName: strings.Repeat("l", 13), NotifyURL: "ftp://shop.example/n"})
			return err
		}, map[string]string{"MerchantID": "mchId", "Key": "", "LoginName": "loginName", "NotifyURL": "notifyUrl", "Environment": ""}},
		"ktwidget": {func() error {
			_, err := ktwidget.New(ktwidget.Config{PublicKey: "not base64!", CallbackSecret: "short", CallbackBase: "/relative"})
			return err
		}, map[string]string{"AppID": "app_id", "PublicKey": "app_key", "CallbackSecret": "", "CallbackBase": "callback_post_url", "Environment": ""}},
		"odero": {func() error {
			_, err := odero.New(odero.Config{CallbackURL: "javascript:alert(1)"})
			return err
		}, map[string]string{"APIKey": "x-api-key", "SecretKey": "", "CallbackURL": "callbackUrl", "Environment": ""}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := c.newErr()
			if !errors.Is(err, httpx.ErrInvalidRequest) {
				t.Fatalf("New: %v; want ErrInvalidRequest", err)
			}
			got := map[string]string{}
			for _, ve := range validationErrors(t, err) {
				if ve.Provider != name {
					t.Errorf("%q names provider %q", ve, ve.Provider)
				}
				if _, dup := got[ve.Field]; dup {
					t.Errorf("field %s reported twice", ve.Field)
				}
				got[ve.Field] = ve.Wire
				want := name + ": " + ve.Field
				if ve.Wire != "" && ve.Wire != ve.Field {
					want += " (" + ve.Wire + ")"
				}
				if !strings.Contains(err.Error(), want+": ") {
					t.Errorf("message %q lacks %q", err, want)
				}
			}
			for field, wire := range c.want {
				w, ok := got[field]
				switch {
				case !ok:
					t.Errorf("%s not reported; New said:\n%v", field, err)
				case w != wire:
					t.Errorf("%s reported with wire name %q, want %q", field, w, wire)
				}
			}
			for field := range got {
				if _, ok := c.want[field]; !ok {
					t.Errorf("unexpected problem reported for %s:\n%v", field, err)
				}
			}
		})
	}
}

// TestUnknownEnvironmentListsTheConstants: an Environment that is none of
// the provider's constants is refused by New, naming Environment and every
// valid constant.
func TestUnknownEnvironmentListsTheConstants(t *testing.T) {
	const bogus = "https://api.example"
	cases := map[string]struct {
		err       error
		constants []string
	}{
		"finrota": {func() error {
			_, err := finrota.New(finrota.Config{APIKey: "k", SecretKey: "s", Environment: bogus})
			return err
		}(), []string{"finrota.Sandbox", "finrota.Production"}},
		"flexiti": {func() error {
			_, err := flexiti.New(flexiti.Config{ClientID: "id", ClientSecret: "s", Environment: bogus})
			return err
		}(), []string{"flexiti.Training", "flexiti.MerchantIntegration", "flexiti.Production"}},
		"iotpay": {func() error {
			_, err := iotpay.New(iotpay.Config{MerchantID: "1", Key: "k", LoginName: "l", Environment: bogus})
			return err
		}(), []string{"iotpay.Sandbox", "iotpay.Production"}},
		"ktwidget": {func() error {
			_, err := ktwidget.New(ktwidget.Config{AppID: "a", PublicKey: testPublicKey, Environment: ktwidget.Environment{API: bogus, Widget: bogus}})
			return err
		}(), []string{"ktwidget.Test", "ktwidget.Production"}},
		"odero": {func() error {
			_, err := odero.New(odero.Config{APIKey: "k", SecretKey: "s", Environment: bogus})
			return err
		}(), []string{"odero.SandboxTR", "odero.SandboxAZ", "odero.ProductionTR", "odero.ProductionAZ"}},
	}
	for name, c := range cases {
		var ve *httpx.ValidationError
		if !errors.As(c.err, &ve) || ve.Field != "Environment" {
			t.Errorf("%s: New with an unknown Environment: %v; want a *ValidationError for Environment", name, c.err)
			continue
		}
		for _, k := range c.constants {
			if !strings.Contains(c.err.Error(), k) {
				t.Errorf("%s: %q does not list %s", name, c.err, k)
			}
		}
	}
}

// counting is a loopback server that counts what reaches it and answers 500.
func counting(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// urlCase is one merchant URL field: try builds a client for the production
// environment or not (pointed at base with WithBaseURL) and uses u in that
// field, returning the error of New or of the call.
type urlCase struct {
	try func(production bool, base, u string) error
}

// merchantURLs lists every callback, notify and return URL a merchant gives
// any of the five providers, as "pkg.Type.Field". Flexiti takes none.
var merchantURLs = map[string]urlCase{
	"finrota.CompleteRequest.ReturnURL": {func(prod bool, base, u string) error {
		c, err := finrota.New(finrota.Config{APIKey: "k", SecretKey: "s", Environment: pick(prod, finrota.Production, finrota.Sandbox)}, finrota.WithBaseURL(base), finrota.WithoutRetries())
		if err != nil {
			return err
		}
		_, err = c.CompletePayment(context.Background(), &finrota.CompleteRequest{Amount: finrota.MustParseAmount("10.00"), PrepareToken: "p",
			ReturnURL: u, ClientReferenceCode: "r1", CustomerIP: "192.0.2.1"})
		return err
	}},
	"finrota.PayRequest.ReturnURL": {func(prod bool, base, u string) error {
		c, err := finrota.New(finrota.Config{APIKey: "k", SecretKey: "s", Environment: pick(prod, finrota.Production, finrota.Sandbox)}, finrota.WithBaseURL(base), finrota.WithoutRetries())
		if err != nil {
			return err
		}
		_, err = c.Pay(context.Background(), &finrota.PayRequest{Card: finrota.Card{Number: "4111111111111111", HolderName: "Test Shopper", CVV: "123", ExpMonth: 12, ExpYear: 2030},
			Currency: finrota.TRY, Amount: finrota.MustParseAmount("10.00"), InstallmentToken: "i", ReturnURL: u, ClientReferenceCode: "r1", CustomerIP: "192.0.2.1"})
		return err
	}},
	"iotpay.Config.NotifyURL": {func(prod bool, base, u string) error {
		c, err := iotpay.New(iotpay.Config{MerchantID: "1", Key: "k", LoginName: "l", NotifyURL: u, Environment: pick(prod, iotpay.Production, iotpay.Sandbox)}, iotpay.WithBaseURL(base), iotpay.WithoutRetries())
		if err != nil {
			return err
		}
		_, err = c.Query(context.Background(), &iotpay.QueryRequest{MchOrderNo: "o1"})
		return err
	}},
	"iotpay.AddCardRequest.ReturnURL": {func(prod bool, base, u string) error {
		c, err := iotpayClient(prod, base)
		if err != nil {
			return err
		}
		_, err = c.AddCard(context.Background(), &iotpay.AddCardRequest{CardID: "c1", ReturnURL: u})
		return err
	}},
	"iotpay.PurchaseRequest.ReturnURL": {func(prod bool, base, u string) error {
		c, err := iotpayClient(prod, base)
		if err != nil {
			return err
		}
		_, err = c.Purchase(context.Background(), &iotpay.PurchaseRequest{MchOrderNo: "o1", Amount: iotpay.AmountFromMinor(1000), ReturnURL: u})
		return err
	}},
	"iotpay.VoidRequest.NotifyURL": {func(prod bool, base, u string) error {
		c, err := iotpayClient(prod, base)
		if err != nil {
			return err
		}
		_, err = c.Void(context.Background(), &iotpay.VoidRequest{MchRefundNo: "v1", PayOrderID: "p1", NotifyURL: u})
		return err
	}},
	"iotpay.RefundRequest.NotifyURL": {func(prod bool, base, u string) error {
		c, err := iotpayClient(prod, base)
		if err != nil {
			return err
		}
		_, err = c.Refund(context.Background(), &iotpay.RefundRequest{MchRefundNo: "r1", PayOrderID: "p1", RefundAmount: iotpay.AmountFromMinor(100), NotifyURL: u})
		return err
	}},
	"ktwidget.Config.CallbackBase": {func(prod bool, base, u string) error {
		c, err := ktwidget.New(ktwidget.Config{AppID: "a", PublicKey: testPublicKey, CallbackSecret: "0123456789abcdef", CallbackBase: u,
			Environment: pick(prod, ktwidget.Production, ktwidget.Test)}, ktwidget.WithBaseURL(base), ktwidget.WithoutRetries())
		if err != nil {
			return err
		}
		_, err = c.CreatePayment(context.Background(), &ktwidget.Order{OrderID: "o1", Amount: ktwidget.MustParseAmount("10.00"), Type: ktwidget.TypeEcom}, nil)
		return err
	}},
	"ktwidget.Order.CallbackBackURL":         ktOrderURL(func(o *ktwidget.Order, u string) { o.CallbackBackURL = u }),
	"ktwidget.Order.CallbackSuccessURL":      ktOrderURL(func(o *ktwidget.Order, u string) { o.CallbackSuccessURL = u }),
	"ktwidget.Order.CallbackFailedURL":       ktOrderURL(func(o *ktwidget.Order, u string) { o.CallbackFailedURL = u }),
	"ktwidget.Order.CallbackForceBackURL":    ktOrderURL(func(o *ktwidget.Order, u string) { o.CallbackForceBackURL = u }),
	"ktwidget.Order.CallbackForceSuccessURL": ktOrderURL(func(o *ktwidget.Order, u string) { o.CallbackForceSuccessURL = u }),
	"ktwidget.Order.CallbackForceFailedURL":  ktOrderURL(func(o *ktwidget.Order, u string) { o.CallbackForceFailedURL = u }),
	"odero.Config.CallbackURL": {func(prod bool, base, u string) error {
		c, err := odero.New(odero.Config{APIKey: "k", SecretKey: "s", CallbackURL: u, Environment: pick(prod, odero.ProductionTR, odero.SandboxTR)}, odero.WithBaseURL(base), odero.WithoutRetries())
		if err != nil {
			return err
		}
		_, err = c.RetrieveCheckout(context.Background(), "00000000-0000-0000-0000-000000000000")
		return err
	}},
}

// notMerchantURLs are the exported fields named like a URL that the merchant
// does not give the provider to call or redirect to, with the reason.
var notMerchantURLs = map[string]string{
	"finrota.Redirect.URL":                 "the bank's 3-D Secure page, from Finrota's reply",
	"finrota.Widget.ScriptURL":             "Finrota's widget script",
	"finrota.Widget.CompleteURL":           "the merchant's own page the widget posts to from the same origin (a path is allowed); never sent to Finrota",
	"flexiti.APIError.URL":                 "from Flexiti's error reply",
	"flexiti.WidgetSession.RedirectionURL": "Flexiti's widget page, from its reply",
	"iotpay.Checkout.RedirectURL":          "IOTPay's hosted page, from its reply",
	"iotpay.Order.RedirectURL":             "IOTPay's page, from its reply",
	"ktwidget.Config.WidgetURL":            "KTPay's widget host, not the merchant's",
	"ktwidget.Payment.WidgetURL":           "KTPay's widget page, built from its reply",
	"ktwidget.Payment.CompatURL":           "KTPay's widget page, built from its reply",
	"odero.Checkout.PageURL":               "OderoPay's hosted page, from its reply",
}

func pick[T any](prod bool, production, other T) T {
	if prod {
		return production
	}
	return other
}

func iotpayClient(prod bool, base string) (*iotpay.Client, error) {
	return iotpay.New(iotpay.Config{MerchantID: "1", Key: "k", LoginName: "l", NotifyURL: "https://shop.example/iotpay/notify", Environment: pick(prod, iotpay.Production, iotpay.Sandbox)}, iotpay.WithBaseURL(base), iotpay.WithoutRetries())
}

func ktOrderURL(set func(*ktwidget.Order, string)) urlCase {
	return urlCase{func(prod bool, base, u string) error {
		c, err := ktwidget.New(ktwidget.Config{AppID: "a", PublicKey: testPublicKey, Environment: pick(prod, ktwidget.Production, ktwidget.Test)},
			ktwidget.WithBaseURL(base), ktwidget.WithoutRetries())
		if err != nil {
			return err
		}
		o := &ktwidget.Order{OrderID: "o1", Amount: ktwidget.MustParseAmount("10.00"), Type: ktwidget.TypeEcom}
		set(o, u)
		_, err = c.CreatePayment(context.Background(), o, nil)
		return err
	}}
}

// TestProductionRefusesHTTPURLs: for every callback, notify and return URL
// field of every provider, an http URL with the production environment is
// refused before anything is sent, naming that field; the same URL outside
// production, and an https one in production, are accepted (the call goes
// out).
func TestProductionRefusesHTTPURLs(t *testing.T) {
	for key, c := range merchantURLs {
		field := key[strings.LastIndex(key, ".")+1:]
		t.Run(key, func(t *testing.T) {
			srv, n := counting(t)
			err := c.try(true, srv.URL, "http://shop.example/pay/return")
			var ve *httpx.ValidationError
			if !errors.As(err, &ve) || ve.Field != field || !strings.Contains(ve.Rule, "https") {
				t.Fatalf("production + http %s: %v; want a *ValidationError for %s asking for https", field, err, field)
			}
			if n.Load() != 0 {
				t.Errorf("%d requests sent for a refused URL", n.Load())
			}
			for _, ok := range []struct {
				prod bool
				u    string
			}{{false, "http://shop.example/pay/return"}, {false, "http://127.0.0.1:8080/return"}, {true, "https://shop.example/pay/return"}} {
				before := n.Load()
				err := c.try(ok.prod, srv.URL, ok.u)
				if errors.Is(err, httpx.ErrInvalidRequest) {
					t.Errorf("production=%v %s refused: %v", ok.prod, ok.u, err)
				}
				if n.Load() == before {
					t.Errorf("production=%v %s: nothing sent (%v)", ok.prod, ok.u, err)
				}
			}
		})
	}
}

// TestMerchantURLListIsComplete reads the five provider packages and finds
// every exported struct field named like a URL (…URL, …Url, CallbackBase):
// each is in merchantURLs (and so tested above) or in notMerchantURLs with
// the reason.
func TestMerchantURLListIsComplete(t *testing.T) {
	name := regexp.MustCompile(`(URL|Url)$|^CallbackBase$`)
	seen := map[string]bool{}
	for _, dir := range []string{"finrota", "flexiti", "ktwidget", "iotpay", "odero"} {
		entries, err := os.ReadDir(filepath.Join("..", "..", dir))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join("..", "..", dir, e.Name()), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				ts, ok := n.(*ast.TypeSpec)
				if !ok || !ts.Name.IsExported() {
					return true
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					return false
				}
				for _, fl := range st.Fields.List {
					for _, id := range fl.Names {
						if !id.IsExported() || !name.MatchString(id.Name) {
							continue
						}
						key := dir + "." + ts.Name.Name + "." + id.Name
						seen[key] = true
						if _, ok := merchantURLs[key]; !ok && notMerchantURLs[key] == "" {
							t.Errorf("%s looks like a URL field: add it to merchantURLs (and refuse http in production) or to notMerchantURLs with the reason", key)
						}
					}
				}
				return false
			})
		}
	}
	for key := range merchantURLs {
		if !seen[key] {
			t.Errorf("merchantURLs lists %s, which no longer exists", key)
		}
	}
	for key := range notMerchantURLs {
		if !seen[key] {
			t.Errorf("notMerchantURLs lists %s, which no longer exists", key)
		}
	}
}
