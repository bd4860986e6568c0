package conformance_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/odero"
)

const testPublicKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" // 32 zero bytes

// TestNoProductionByDefault: for all five providers, a client with no
// Environment and no base URL is refused at New (so it can never talk to a
// production host), while an explicit Environment or WithBaseURL is
// accepted.
func TestNoProductionByDefault(t *testing.T) {
	const fake = "http://127.0.0.1:1"
	type build func(env bool, opts bool) (baseURL string, err error)
	cases := map[string]build{
		"finrota": func(env, base bool) (string, error) {
			cfg := finrota.Config{APIKey: "k", SecretKey: "s"}
			var o []finrota.Option
			if env {
				cfg.Environment = finrota.Sandbox
			}
			if base {
				o = append(o, finrota.WithBaseURL(fake))
			}
			c, err := finrota.New(cfg, o...)
			if err != nil {
				return "", err
			}
			return c.BaseURL(), nil
		},
		"flexiti": func(env, base bool) (string, error) {
			cfg := flexiti.Config{ClientID: "id", ClientSecret: "s"}
			var o []flexiti.Option
			if env {
				cfg.Environment = flexiti.Training
			}
			if base {
				o = append(o, flexiti.WithBaseURL(fake))
			}
			c, err := flexiti.New(cfg, o...)
			if err != nil {
				return "", err
			}
			return c.String(), nil
		},
		"iotpay": func(env, base bool) (string, error) {
			cfg := iotpay.Config{MerchantID: "1", Key: "k", LoginName: "l"}
			var o []iotpay.Option
			if env {
				cfg.Environment = iotpay.Sandbox
			}
			if base {
				o = append(o, iotpay.WithBaseURL(fake))
			}
			c, err := iotpay.New(cfg, o...)
			if err != nil {
				return "", err
			}
			return c.BaseURL(), nil
		},
		"ktwidget": func(env, base bool) (string, error) {
			cfg := ktwidget.Config{AppID: "a", PublicKey: testPublicKey}
			var o []ktwidget.Option
			if env {
				cfg.Environment = ktwidget.Test
			}
			if base {
				o = append(o, ktwidget.WithBaseURL(fake))
			}
			c, err := ktwidget.New(cfg, o...)
			if err != nil {
				return "", err
			}
			return c.BaseURL() + " " + c.WidgetBaseURL(), nil
		},
		"odero": func(env, base bool) (string, error) {
			cfg := odero.Config{APIKey: "k", SecretKey: "s"}
			var o []odero.Option
			if env {
				cfg.Environment = odero.SandboxTR
			}
			if base {
				o = append(o, odero.WithBaseURL(fake))
			}
			c, err := odero.New(cfg, o...)
			if err != nil {
				return "", err
			}
			return c.BaseURL(), nil
		},
	}
	production := []string{string(finrota.Production), string(flexiti.Production), string(iotpay.Production),
		ktwidget.Production.API, ktwidget.Production.Widget, string(odero.ProductionTR), string(odero.ProductionAZ)}
	for name, b := range cases {
		_, err := b(false, false)
		var ve *odero.ValidationError // the same type in every provider package
		if !errors.As(err, &ve) || ve.Field != "Environment" || !strings.Contains(err.Error(), name+": Environment: required") {
			t.Errorf("%s: New without Environment or base URL: want an Environment: required error, got %v", name, err)
		}
		for _, env := range []bool{true, false} {
			got, err := b(env, !env)
			if err != nil {
				t.Errorf("%s (environment %v): %v", name, env, err)
				continue
			}
			for _, p := range production {
				if strings.Contains(got, p) {
					t.Errorf("%s (environment %v): client reaches production host %s", name, env, p)
				}
			}
		}
	}
}

// Every client can drop its idle keep-alive connections, as http.Client can
// (the mechanism and its test live in internal/httpx).
var (
	_ interface{ CloseIdleConnections() } = (*finrota.Client)(nil)
	_ interface{ CloseIdleConnections() } = (*flexiti.Client)(nil)
	_ interface{ CloseIdleConnections() } = (*iotpay.Client)(nil)
	_ interface{ CloseIdleConnections() } = (*ktwidget.Client)(nil)
	_ interface{ CloseIdleConnections() } = (*odero.Client)(nil)
)

// TestOutcomeUnknownSaysWhatToDo: every provider's ErrOutcomeUnknown is the
// one shared value (errors.Is with any package's sentinel holds for any
// provider's error), while the errors built for each provider name it and
// what its merchant can do, which differs: KTPay has no query call at all.
func TestOutcomeUnknownSaysWhatToDo(t *testing.T) {
	for name, c := range map[string]struct {
		err  error
		want string
	}{
		"finrota":  {finrota.ErrOutcomeUnknown, "ListPayments"},
		"flexiti":  {flexiti.ErrOutcomeUnknown, "FindAuthorization"},
		"iotpay":   {iotpay.ErrOutcomeUnknown, "Query"},
		"ktwidget": {ktwidget.ErrOutcomeUnknown, "wait for the notification"},
		"odero":    {odero.ErrOutcomeUnknown, "GetRefund"},
	} {
		if c.err != httpx.ErrOutcomeUnknown {
			t.Errorf("%s.ErrOutcomeUnknown is not the shared value", name)
		}
		err := &httpx.TransportError{Provider: name, Method: "POST", Host: "h", Path: "/p", Sent: true, OutcomeUnknown: true, Err: errors.New("reset")}
		for _, other := range []error{finrota.ErrOutcomeUnknown, flexiti.ErrOutcomeUnknown, iotpay.ErrOutcomeUnknown, ktwidget.ErrOutcomeUnknown, odero.ErrOutcomeUnknown} {
			if !errors.Is(err, other) {
				t.Errorf("%s: errors.Is(err, another provider's ErrOutcomeUnknown) fails", name)
			}
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, name+": ") || !strings.Contains(msg, "outcome unknown — ") || !strings.Contains(msg, c.want) {
			t.Errorf("%s: an outcome-unknown error reads %q; want the provider, then advice naming %q", name, msg, c.want)
		}
	}
	if !strings.Contains(httpx.OutcomeAdvice("ktwidget"), "no status query") {
		t.Errorf("KTPay's advice must not suggest a query: %q", httpx.OutcomeAdvice("ktwidget"))
	}
}
