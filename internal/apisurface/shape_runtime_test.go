package apisurface

// The behaviour half of the shape tests: what go/types cannot see.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/odero"
)

// zeroErrors makes the zero value of every exported error type of the
// provider packages and their fakes (TestErrorTypesAreListedForZeroValues
// fails for a type missing here).
var zeroErrors = map[string]func() error{
	"finrota.APIError":                func() error { return &finrota.APIError{} },
	"finrota.DecodeError":             func() error { return &finrota.DecodeError{} },
	"finrota.PaymentError":            func() error { return &finrota.PaymentError{} },
	"finrota.StatusError":             func() error { return &finrota.StatusError{} },
	"finrota.TransportError":          func() error { return &finrota.TransportError{} },
	"finrota.ValidationError":         func() error { return &finrota.ValidationError{} },
	"flexiti.APIError":                func() error { return &flexiti.APIError{} },
	"flexiti.FieldError":              func() error { return flexiti.FieldError{} },
	"flexiti.DecodeError":             func() error { return &flexiti.DecodeError{} },
	"flexiti.StatusError":             func() error { return &flexiti.StatusError{} },
	"flexiti.TransportError":          func() error { return &flexiti.TransportError{} },
	"flexiti.ValidationError":         func() error { return &flexiti.ValidationError{} },
	"iotpay.APIError":                 func() error { return &iotpay.APIError{} },
	"iotpay.DecodeError":              func() error { return &iotpay.DecodeError{} },
	"iotpay.StatusError":              func() error { return &iotpay.StatusError{} },
	"iotpay.TransportError":           func() error { return &iotpay.TransportError{} },
	"iotpay.ValidationError":          func() error { return &iotpay.ValidationError{} },
	"ktwidget.APIError":               func() error { return &ktwidget.APIError{} },
	"ktwidget.DecodeError":            func() error { return &ktwidget.DecodeError{} },
	"ktwidget.StatusError":            func() error { return &ktwidget.StatusError{} },
	"ktwidget.TransportError":         func() error { return &ktwidget.TransportError{} },
	"ktwidget.ValidationError":        func() error { return &ktwidget.ValidationError{} },
	"odero.APIError":                  func() error { return &odero.APIError{} },
	"odero.CallbackError":             func() error { return &odero.CallbackError{} },
	"odero.DecodeError":               func() error { return &odero.DecodeError{} },
	"odero.PaymentError":              func() error { return &odero.PaymentError{} },
	"odero.StatusError":               func() error { return &odero.StatusError{} },
	"odero.TransportError":            func() error { return &odero.TransportError{} },
	"finrota.InProgressError":         func() error { return &finrota.InProgressError{} },
	"finrota.ReferenceConflictError":  func() error { return &finrota.ReferenceConflictError{} },
	"flexiti.InProgressError":         func() error { return &flexiti.InProgressError{} },
	"flexiti.ReferenceConflictError":  func() error { return &flexiti.ReferenceConflictError{} },
	"iotpay.InProgressError":          func() error { return &iotpay.InProgressError{} },
	"iotpay.ReferenceConflictError":   func() error { return &iotpay.ReferenceConflictError{} },
	"ktwidget.InProgressError":        func() error { return &ktwidget.InProgressError{} },
	"ktwidget.ReferenceConflictError": func() error { return &ktwidget.ReferenceConflictError{} },
	"odero.InProgressError":           func() error { return &odero.InProgressError{} },
	"odero.ReferenceConflictError":    func() error { return &odero.ReferenceConflictError{} },
	"odero.ValidationError":           func() error { return &odero.ValidationError{} },
}

// TestZeroErrorsPrint: Error() of every error type's zero value returns a
// text and does not panic (a nil cause, an empty code).
func TestZeroErrorsPrint(t *testing.T) {
	for name, mk := range zeroErrors {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s{}.Error() panics: %v", name, r)
				}
			}()
			if mk().Error() == "" {
				t.Errorf("%s{}.Error() is empty", name)
			}
			_ = fmt.Sprintf("%v %+v", mk(), mk())
			_ = errors.Unwrap(mk())
			_ = errors.Is(mk(), finrota.ErrOutcomeUnknown)
		}()
	}
}

// sharedSentinels are the sentinels two or more packages declare, per
// package; each must be one value (TestSharedSentinelsAreListed keeps the
// list complete).
var sharedSentinels = map[string][]error{
	"ErrOutcomeUnknown":       {finrota.ErrOutcomeUnknown, flexiti.ErrOutcomeUnknown, iotpay.ErrOutcomeUnknown, ktwidget.ErrOutcomeUnknown, odero.ErrOutcomeUnknown},
	"ErrUnauthorized":         {finrota.ErrUnauthorized, flexiti.ErrUnauthorized, iotpay.ErrUnauthorized, ktwidget.ErrUnauthorized, odero.ErrUnauthorized},
	"ErrRateLimited":          {finrota.ErrRateLimited, flexiti.ErrRateLimited, iotpay.ErrRateLimited, ktwidget.ErrRateLimited, odero.ErrRateLimited},
	"ErrInvalidRequest":       {finrota.ErrInvalidRequest, flexiti.ErrInvalidRequest, iotpay.ErrInvalidRequest, ktwidget.ErrInvalidRequest, odero.ErrInvalidRequest},
	"ErrMalformedResponse":    {finrota.ErrMalformedResponse, flexiti.ErrMalformedResponse, iotpay.ErrMalformedResponse, ktwidget.ErrMalformedResponse, odero.ErrMalformedResponse},
	"ErrResponseTooLarge":     {finrota.ErrResponseTooLarge, flexiti.ErrResponseTooLarge, iotpay.ErrResponseTooLarge, ktwidget.ErrResponseTooLarge, odero.ErrResponseTooLarge},
	"ErrLeaseLost":            {finrota.ErrLeaseLost, flexiti.ErrLeaseLost, iotpay.ErrLeaseLost, ktwidget.ErrLeaseLost, odero.ErrLeaseLost},
	"ErrPaymentFailed":        {finrota.ErrPaymentFailed, odero.ErrPaymentFailed},
	"ErrInvalidCallback":      {ktwidget.ErrInvalidCallback, odero.ErrInvalidCallback},
	"ErrInProgress":           {finrota.ErrInProgress, flexiti.ErrInProgress, iotpay.ErrInProgress, ktwidget.ErrInProgress, odero.ErrInProgress},
	"ErrReferenceConflict":    {finrota.ErrReferenceConflict, flexiti.ErrReferenceConflict, iotpay.ErrReferenceConflict, ktwidget.ErrReferenceConflict, odero.ErrReferenceConflict},
	"ErrAwaitingNotification": {finrota.ErrAwaitingNotification, flexiti.ErrAwaitingNotification, iotpay.ErrAwaitingNotification, ktwidget.ErrAwaitingNotification, odero.ErrAwaitingNotification},
	"ErrLeaseSpent":           {finrota.ErrLeaseSpent, flexiti.ErrLeaseSpent, iotpay.ErrLeaseSpent, ktwidget.ErrLeaseSpent, odero.ErrLeaseSpent},
	"ErrAlreadyDone":          {finrota.ErrAlreadyDone, flexiti.ErrAlreadyDone, iotpay.ErrAlreadyDone, ktwidget.ErrAlreadyDone, odero.ErrAlreadyDone},
}

var sharedSentinelNames = func() map[string]bool {
	m := map[string]bool{}
	for n := range sharedSentinels {
		m[n] = true
	}
	return m
}()

// TestSharedSentinelsAreOneValue: errors.Is(err, <any package>.ErrX) holds
// for an ErrX error of every provider.
func TestSharedSentinelsAreOneValue(t *testing.T) {
	for name, vals := range sharedSentinels {
		for i, v := range vals {
			if v == nil || v != vals[0] {
				t.Errorf("%s: the %d-th package's value differs from the first's", name, i)
			}
		}
	}
}

// TestOutcomeUnknownOfEveryProviderMatchesEverySentinel: a real
// outcome-unknown error of each provider (a money call whose reply was a
// 502) matches every package's ErrOutcomeUnknown.
func TestOutcomeUnknownOfEveryProviderMatchesEverySentinel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/oauth/token") || strings.HasSuffix(r.URL.Path, "/token/connect") { // Finrota's and Flexiti's token calls succeed
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"token":"t","expiry":"2099-01-01T00:00:00Z","type":"Bearer","access_token":"t","token_type":"bearer","expires_in":3600}`))
			return
		}
		http.Error(w, "bad gateway", http.StatusBadGateway)
	}))
	defer srv.Close()
	ctx := context.Background()
	calls := map[string]func() error{
		"finrota": func() error {
			c, err := finrota.New(finrota.Config{APIKey: "a", SecretKey: "s"}, finrota.WithBaseURL(srv.URL), finrota.WithoutRetries())
			if err != nil {
				return err
			}
			_, err = c.Do(ctx, http.MethodPost, "/b2c/refund", nil, map[string]any{"referenceCode": "r"}, nil)
			return err
		},
		"flexiti": func() error {
			c, err := flexiti.New(flexiti.Config{ClientID: "c", ClientSecret: "s"}, flexiti.WithBaseURL(srv.URL), flexiti.WithoutRetries())
			if err != nil {
				return err
			}
			_, err = c.Do(ctx, http.MethodPost, "/v2.5.1/client-id/c/accounts/1/refund", nil, map[string]any{"amount": 1}, nil)
			return err
		},
		"ktwidget": func() error {
			c, err := ktwidget.New(ktwidget.Config{AppID: "a", PublicKey: strings.Repeat("A", 43) + "="}, ktwidget.WithBaseURL(srv.URL), ktwidget.WithoutRetries())
			if err != nil {
				return err
			}
			_, err = c.Do(ctx, http.MethodPost, "/api/v1/merchant-widget/payment", nil, map[string]any{"x": 1}, nil)
			return err
		},
		"iotpay": func() error {
			c, err := iotpay.New(iotpay.Config{MerchantID: "m", Key: "k", LoginName: "l", NotifyURL: "https://shop.example/n"}, iotpay.WithBaseURL(srv.URL), iotpay.WithoutRetries())
			if err != nil {
				return err
			}
			_, err = c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "o", CardID: "c", Amount: iotpay.MustParseAmount("1.00")})
			return err
		},
		"odero": func() error {
			c, err := odero.New(odero.Config{APIKey: "a", SecretKey: "s"}, odero.WithBaseURL(srv.URL), odero.WithoutRetries())
			if err != nil {
				return err
			}
			_, err = c.Do(ctx, http.MethodPost, "/payment/v1/refunds", nil, map[string]any{"paymentId": 1}, nil)
			return err
		},
	}
	if len(calls) != len(providers) {
		t.Fatalf("%d providers called, want %d", len(calls), len(providers))
	}
	for name, call := range calls {
		err := call()
		for i, s := range sharedSentinels["ErrOutcomeUnknown"] {
			if !errors.Is(err, s) {
				t.Errorf("%s: errors.Is(err, %s.ErrOutcomeUnknown) fails for %v", name, providers[i], err)
			}
		}
		var st *odero.StatusError // the same type in every package
		if !errors.As(err, &st) || st.HTTPStatus != http.StatusBadGateway {
			t.Errorf("%s: a bare 502 is not a *StatusError with HTTPStatus 502: %v", name, err)
		}
	}
}

// TestParseAmountIsOneShape: in every package a literal with more places
// than the currency has, or a malformed one, is refused at parse time with
// ErrInvalidRequest, MustParseAmount panics on it, and AmountFromMinor
// counts minor units.
func TestParseAmountIsOneShape(t *testing.T) {
	type money struct {
		parse     func(string) (string, error)
		mustParse func(string) string
		fromMinor func(int64) string
	}
	all := map[string]money{
		"finrota":  {wrapParse(finrota.ParseAmount), func(s string) string { return finrota.MustParseAmount(s).String() }, func(n int64) string { return finrota.AmountFromMinor(n).String() }},
		"flexiti":  {wrapParse(flexiti.ParseAmount), func(s string) string { return flexiti.MustParseAmount(s).String() }, func(n int64) string { return flexiti.AmountFromMinor(n).String() }},
		"iotpay":   {wrapParse(iotpay.ParseAmount), func(s string) string { return iotpay.MustParseAmount(s).String() }, func(n int64) string { return iotpay.AmountFromMinor(n).String() }},
		"ktwidget": {wrapParse(ktwidget.ParseAmount), func(s string) string { return ktwidget.MustParseAmount(s).String() }, func(n int64) string { return ktwidget.AmountFromMinor(n).String() }},
		"odero":    {wrapParse(odero.ParseAmount), func(s string) string { return odero.MustParseAmount(s).String() }, func(n int64) string { return odero.AmountFromMinor(n).String() }},
	}
	if len(all) != len(providers) {
		t.Fatalf("%d packages checked, want %d", len(all), len(providers))
	}
	for name, m := range all {
		if got, err := m.parse("27.50"); err != nil || got != "27.50" {
			t.Errorf("%s.ParseAmount(27.50) = %q, %v", name, got, err)
		}
		for _, bad := range []string{"1.001", "0.125", "abc", "", "1,50"} {
			if _, err := m.parse(bad); !errors.Is(err, finrota.ErrInvalidRequest) {
				t.Errorf("%s.ParseAmount(%q): %v, want ErrInvalidRequest", name, bad, err)
			}
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s.MustParseAmount(%q) did not panic", name, bad)
					}
				}()
				m.mustParse(bad)
			}()
		}
		if got := m.fromMinor(1999); got != "19.99" {
			t.Errorf("%s.AmountFromMinor(1999) = %s, want 19.99", name, got)
		}
	}
}

func wrapParse[A fmt.Stringer](f func(string) (A, error)) func(string) (string, error) {
	return func(s string) (string, error) {
		a, err := f(s)
		if err != nil {
			return "", err
		}
		return a.String(), nil
	}
}

// TestDoRefusesABadPathBeforeSending: the escape hatch of every client
// checks its arguments the same way.
func TestDoRefusesABadPathBeforeSending(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	type doer interface {
		BaseURL() string
	}
	ctx := context.Background()
	var clients []func(path string) error
	fc, err := finrota.New(finrota.Config{APIKey: "a", SecretKey: "s"}, finrota.WithBaseURL(srv.URL))
	must(t, err)
	clients = append(clients, func(p string) error { _, err := fc.Do(ctx, "GET", p, nil, nil, nil); return err })
	xc, err := flexiti.New(flexiti.Config{ClientID: "c", ClientSecret: "s"}, flexiti.WithBaseURL(srv.URL))
	must(t, err)
	clients = append(clients, func(p string) error { _, err := xc.Do(ctx, "GET", p, nil, nil, nil); return err })
	ic, err := iotpay.New(iotpay.Config{MerchantID: "m", Key: "k", LoginName: "l"}, iotpay.WithBaseURL(srv.URL))
	must(t, err)
	clients = append(clients, func(p string) error { _, err := ic.Do(ctx, "POST", p, nil, nil, nil); return err })
	kc, err := ktwidget.New(ktwidget.Config{AppID: "a", PublicKey: strings.Repeat("A", 43) + "="}, ktwidget.WithBaseURL(srv.URL))
	must(t, err)
	clients = append(clients, func(p string) error { _, err := kc.Do(ctx, "GET", p, nil, nil, nil); return err })
	oc, err := odero.New(odero.Config{APIKey: "a", SecretKey: "s"}, odero.WithBaseURL(srv.URL))
	must(t, err)
	clients = append(clients, func(p string) error { _, err := oc.Do(ctx, "GET", p, nil, nil, nil); return err })
	for _, c := range []doer{fc, xc, ic, kc, oc} {
		if !strings.HasPrefix(c.BaseURL(), srv.URL) {
			t.Errorf("BaseURL() = %q, want the WithBaseURL host %q", c.BaseURL(), srv.URL)
		}
	}
	for i, do := range clients {
		for _, p := range []string{"relative", "/a/../b", ""} {
			if err := do(p); !errors.Is(err, finrota.ErrInvalidRequest) {
				t.Errorf("%s: Do(%q): %v, want ErrInvalidRequest", providers[i], p, err)
			}
		}
	}
	if hits != 0 {
		t.Errorf("%d requests sent for invalid paths", hits)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
