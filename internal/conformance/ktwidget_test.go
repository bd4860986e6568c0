package conformance_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paywidget/paywidget-go/internal/conformance"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

var ktSeq atomic.Int64

func ktOrder() *ktwidget.Order {
	return &ktwidget.Order{OrderID: "o-" + strconv.FormatInt(ktSeq.Add(1), 10), Amount: ktwidget.MustParseAmount("2750.50"), Type: ktwidget.TypeEcom}
}

var ktwidgetSubject = conformance.Subject{
	Name: "ktwidget",
	New: func(t *testing.T, https bool, opts ...httpx.Option) *conformance.Session {
		start := ktwidgettest.NewServer
		if https {
			start = ktwidgettest.NewTLSServer
		}
		srv := start(t)
		cfg := srv.Config()
		cfg.CallbackBase = "https://shop.example/kt/notify"
		c, err := ktwidget.New(cfg, append([]ktwidget.Option{ktwidget.WithBaseURL(srv.URL), ktwidget.WithHTTPClient(srv.Client())}, conformance.Options[ktwidget.Option](opts)...)...)
		if err != nil {
			t.Fatal(err)
		}
		var hash string
		created := func(ctx context.Context) error {
			p, err := c.CreatePayment(ctx, ktOrder(), nil)
			if err == nil {
				hash = p.TransactionHash
			}
			return err
		}
		bad := func(name string, f func(o *ktwidget.Order)) conformance.Case {
			return conformance.Case{Name: name, Do: func(ctx context.Context) error {
				o := ktOrder()
				f(o)
				_, err := c.CreatePayment(ctx, o, nil)
				return err
			}}
		}
		amt := ktwidget.MustParseAmount
		return &conformance.Session{
			Fake: srv,
			Money: []conformance.Call{{Name: "CreatePayment", Method: "POST", Path: "/api/v1/merchant-widget/payment", Created: srv.Transactions,
				Do: func(ctx context.Context) error { _, err := c.CreatePayment(ctx, ktOrder(), nil); return err }}},
			Reads: []conformance.Call{{Name: "AcquirerOptions", Method: "GET", Prepare: created,
				Do: func(ctx context.Context) error { _, err := c.AcquirerOptions(ctx, hash); return err }}},
			Invalid: []conformance.Case{
				bad("order_id empty", func(o *ktwidget.Order) { o.OrderID = "" }),
				bad("order_id 129", func(o *ktwidget.Order) { o.OrderID = strings.Repeat("o", 129) }),
				bad("amount 0", func(o *ktwidget.Order) { o.Amount = amt("0") }),
				bad("amount 3 places", func(o *ktwidget.Order) { o.Amount = ktwidgetThreePlaces() }),
				bad("type empty", func(o *ktwidget.Order) { o.Type = "" }),
				bad("type unknown", func(o *ktwidget.Order) { o.Type = "gift" }),
				bad("service missing", func(o *ktwidget.Order) { o.Type = ktwidget.TypeService }),
				bad("service on ecom", func(o *ktwidget.Order) { o.Service = &ktwidget.Service{ServiceID: 1, ContractValue: "1"} }),
				bad("service_id 0", func(o *ktwidget.Order) {
					o.Type, o.Service = ktwidget.TypeService, &ktwidget.Service{ContractValue: "1"}
				}),
				bad("contract_value empty", func(o *ktwidget.Order) {
					o.Type, o.Service = ktwidget.TypeService, &ktwidget.Service{ServiceID: 1}
				}),
				bad("callback_success_url relative", func(o *ktwidget.Order) { o.CallbackSuccessURL = "/n" }),
				bad("callback_back_url bare host", func(o *ktwidget.Order) { o.CallbackBackURL = "widget.nplus.tech" }),
				{Name: "acquirer-options hash empty", Do: func(ctx context.Context) error { _, err := c.AcquirerOptions(ctx, ""); return err }},
				{Name: "receipt hash too long", Do: func(ctx context.Context) error { _, err := c.Receipt(ctx, strings.Repeat("h", 129)); return err }},
			},
			Secrets: func() []string {
				out := []string{ktwidgettest.AppID, ktwidgettest.CallbackSecret}
				for _, o := range srv.Orders() {
					if o.CallbackPostURL != "" {
						out = append(out, o.CallbackPostURL)
					}
				}
				return out
			},
			Refused: conformance.Case{Name: "acquirer options of an unknown transaction", Do: func(ctx context.Context) error {
				_, err := c.AcquirerOptions(ctx, "nosuchhash")
				return err
			}},
			APIError: func(err error) bool { var e *ktwidget.APIError; return errors.As(err, &e) },
		}
	},
}

func TestKTWidget(t *testing.T) { conformance.Run(t, ktwidgetSubject) }

// ktwidgetThreePlaces is an Amount ParseAmount refuses but decoding can
// still make.
func ktwidgetThreePlaces() ktwidget.Amount {
	var a ktwidget.Amount
	if err := a.UnmarshalText([]byte("1.001")); err != nil {
		panic(err)
	}
	return a
}
