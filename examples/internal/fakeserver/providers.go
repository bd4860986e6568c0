package fakeserver

import (
	"context"
	"fmt"
	"strings"

	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// server is what the command needs of every fake: the fault script, the
// request log and its reset (the same types in all five fakes).
type server interface {
	Fail(method, path string, faults ...fake.Fault)
	Requests() []fake.Request
	Reset()
	Close()
}

// running is one provider's fake as the command serves it.
type running struct {
	spec *spec
	srv  server
	// base is the URL a client is configured with (WithBaseURL).
	base string
	// next scripts the outcome of the next payment; nil when the fake
	// decides by the test card alone.
	next func(outcome string) error
	// trigger sends a notification; nil for a provider that sends none.
	trigger func(ctx context.Context, t fake.Trigger) (fake.Sent, []fake.Delivery, error)
}

// spec is one provider as the command knows it.
type spec struct {
	Name, Display string
	// Credentials are the fake's test credentials, printed for pasting.
	Credentials [][2]string
	// Cards lists the test cards: what each one does.
	Cards [][2]string
	// Outcomes are the outcomes next-payment accepts, in order.
	Outcomes []string
	// Config is the Go to paste, with %s for the base URL.
	Config string
	// NoNotification says why the provider has nothing to trigger.
	NoNotification string
	start          func(addr string, https bool) (*running, error)
}

func card(number, rest string) string { return number + " " + rest }

var specs = []*spec{
	{
		Name: "finrota", Display: "Finrota",
		Credentials: [][2]string{{"APIKey", finrotatest.APIKey}, {"SecretKey", finrotatest.SecretKey}},
		Cards: [][2]string{
			{"pays", card(finrotatest.TestCard.Number, "exp 12/2030 cvv 123")},
			{"declined", card(finrotatest.DeclinedCard.Number, "exp 12/2030 cvv 123")},
		},
		Config: `finrota.New(finrota.Config{APIKey: %q, SecretKey: %q}, finrota.WithBaseURL(%q))`,
		NoNotification: "Finrota sends no server-to-server notification: after 3-D Secure the shopper's browser returns to your return URL " +
			"(finrotatest's PassThreeD plays it); confirm the payment with the payment listing",
		start: func(addr string, https bool) (*running, error) {
			s, err := finrotatest.Listen(addr, https)
			if err != nil {
				return nil, err
			}
			return &running{srv: s, base: s.URL}, nil
		},
	},
	{
		Name: "flexiti", Display: "Flexiti",
		Credentials: [][2]string{{"ClientID", flexititest.ClientID}, {"ClientSecret", flexititest.ClientSecret}},
		Cards:       [][2]string{{"PIN", "any 4 digits approve the widget's application"}},
		Config:      `flexiti.New(flexiti.Config{ClientID: %q, ClientSecret: %q}, flexiti.WithBaseURL(%q))`,
		NoNotification: "Flexiti sends no server-to-server notification: the widget posts its flx-success event to your page in the browser " +
			"(flexititest's EnterPIN plays it); your page forwards it to your server",
		start: func(addr string, https bool) (*running, error) {
			s, err := flexititest.Listen(addr, https)
			if err != nil {
				return nil, err
			}
			return &running{srv: s, base: s.URL}, nil
		},
	},
	{
		Name: "ktwidget", Display: "KTPay",
		Credentials: [][2]string{{"AppID", ktwidgettest.AppID}, {"CallbackSecret", ktwidgettest.CallbackSecret}, {"PublicKey", "(printed below: the fake's own key pair)"}},
		Cards: [][2]string{
			{"completed", card(ktwidgettest.TestCard.Number, "exp 12/30 cvc 123")},
			{"denied", card(ktwidgettest.DeclinedCard.Number, "exp 12/30 cvc 123")},
		},
		Outcomes: []string{"paid", "declined", "error"},
		Config:   `ktwidget.New(ktwidget.Config{AppID: %q, CallbackSecret: %q, PublicKey: %q, WidgetURL: %q})`,
		start: func(addr string, https bool) (*running, error) {
			s, err := ktwidgettest.Listen(addr, https)
			if err != nil {
				return nil, err
			}
			return &running{srv: s, base: s.URL, trigger: s.Trigger, next: func(o string) error {
				st, ok := map[string]string{"paid": ktwidget.StatusCompleted, "declined": ktwidget.StatusDenied, "error": ktwidget.StatusFailed}[o]
				if !ok {
					return outcomeError(o, "paid", "declined", "error")
				}
				s.NextPayment(st)
				return nil
			}}, nil
		},
	},
	{
		Name: "iotpay", Display: "IOTPay",
		Credentials: [][2]string{{"MerchantID", iotpaytest.MerchantID}, {"Key", iotpaytest.Key}, {"LoginName", iotpaytest.LoginName}},
		Cards: [][2]string{
			{"paid (status 2)", card(iotpaytest.TestCard.Number, "exp 1230 cvv 123")},
			{"declined (status 9)", card(iotpaytest.DeclinedCard.Number, "exp 1230 cvv 123")},
			{"left pending (status 1)", card("4000000000000259", "exp 1230 cvv 123")},
		},
		Outcomes: []string{"paid", "declined", "pending"},
		Config:   `iotpay.New(iotpay.Config{MerchantID: %q, Key: %q, LoginName: %q, NotifyURL: "<your notify URL>"}, iotpay.WithBaseURL(%q))`,
		start: func(addr string, https bool) (*running, error) {
			s, err := iotpaytest.Listen(addr, https)
			if err != nil {
				return nil, err
			}
			return &running{srv: s, base: s.URL, trigger: s.Trigger, next: func(o string) error {
				st, ok := map[string]iotpay.Status{"paid": iotpay.StatusSuccess, "declined": iotpay.StatusFailed, "pending": iotpay.StatusUnknown}[o]
				if !ok {
					return outcomeError(o, "paid", "declined", "pending")
				}
				s.NextPayment(st)
				return nil
			}}, nil
		},
	},
	{
		Name: "odero", Display: "OderoPay",
		Credentials: [][2]string{{"APIKey", oderotest.APIKey}, {"SecretKey", oderotest.SecretKey}},
		Cards: [][2]string{
			{"approved", card(oderotest.TestCard.Number, "exp 12/2030 cvc 123 (3-D Secure code 123456)")},
			{"declined DO_NOT_HONOUR", card(oderotest.DeclinedCard.Number, "exp 12/2030 cvc 123")},
		},
		Outcomes: []string{"paid", "declined", "3ds"},
		Config:   `odero.New(odero.Config{APIKey: %q, SecretKey: %q, CallbackURL: "<your callback URL>"}, odero.WithBaseURL(%q))`,
		start: func(addr string, https bool) (*running, error) {
			s, err := oderotest.Listen(addr, https)
			if err != nil {
				return nil, err
			}
			return &running{srv: s, base: s.URL, trigger: s.Trigger, next: func(o string) error {
				out, ok := map[string]oderotest.Outcome{
					"paid":     {Status: odero.PaymentStatusSuccess},
					"declined": {Status: odero.PaymentStatusFailure},
					"3ds":      {Status: odero.PaymentStatusSuccess, ThreeDS: true},
				}[o]
				if !ok {
					return outcomeError(o, "paid", "declined", "3ds")
				}
				s.NextPayment(out)
				return nil
			}}, nil
		},
	},
}

func outcomeError(got string, valid ...string) error {
	return fmt.Errorf("unknown outcome %q: want one of %s", got, strings.Join(valid, ", "))
}

// specByName finds a provider by its package name.
func specByName(name string) (*spec, bool) {
	for _, s := range specs {
		if s.Name == name {
			return s, true
		}
	}
	return nil, false
}
