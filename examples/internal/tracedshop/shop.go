// Package tracedshop is the merchant backend the tracing examples trace: a
// few calls of three providers against their built-in fakes (loopback, no
// network), chosen so that the trace shows what a Tracer sees — a token
// fetch nested in the call that needed it, a read retried after a 503, a
// payment whose answer was lost (outcome unknown) and the query that follows,
// a request refused before sending (validation), and a <Call>Once whose
// look-up and send nest inside it.
package tracedshop

import (
	"context"
	"errors"
	"time"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

// Tracer is what every provider's WithTracer takes (one interface,
// re-exported by each package under the same name).
type Tracer = iotpay.Tracer

// quick retries fast, so that the example's retried read takes
// milliseconds.
var quick = iotpay.RetryPolicy{MaxRetries: 2, MinWait: 5 * time.Millisecond, MaxWait: 20 * time.Millisecond}

// Run makes the calls with tracer set on every client. Failures the
// scenario provokes on purpose are not errors of Run.
func Run(ctx context.Context, tracer Tracer) error {
	if err := runFinrota(ctx, tracer); err != nil {
		return err
	}
	if err := runIOTPay(ctx, tracer); err != nil {
		return err
	}
	return runFlexiti(ctx, tracer)
}

// runFinrota: the first call fetches the access token inside its own span;
// the second is answered 503 once and retried.
func runFinrota(ctx context.Context, tracer Tracer) error {
	gw := finrotatest.Start()
	defer gw.Close()
	c, err := gw.NewClient(finrota.WithTracer(tracer), finrota.WithRetry(quick))
	if err != nil {
		return err
	}
	if _, err := c.CreateWidgetToken(ctx); err != nil {
		return err
	}
	gw.Fail("GET", "/b2c/widget/token", finrotatest.Fault{Kind: finrotatest.Status, Status: 503})
	_, err = c.CreateWidgetToken(ctx)
	return err
}

// runIOTPay: a purchase, a purchase whose connection drops after IOTPay took
// it (outcome unknown) followed by the query that settles it, and one
// refused before sending.
func runIOTPay(ctx context.Context, tracer Tracer) error {
	gw := iotpaytest.Start()
	defer gw.Close()
	cfg := gw.Config()
	cfg.NotifyURL = "https://shop.example/iotpay/notify"
	c, err := iotpay.New(cfg, iotpay.WithBaseURL(gw.URL), iotpay.WithHTTPClient(gw.Client()),
		iotpay.WithTracer(tracer), iotpay.WithRetry(quick))
	if err != nil {
		return err
	}
	order := func(no string) *iotpay.PurchaseRequest {
		return &iotpay.PurchaseRequest{MchOrderNo: no, Amount: iotpay.AmountFromMinor(1500), ReturnURL: "https://shop.example/return"}
	}
	if _, err := c.Purchase(ctx, order("order-1001")); err != nil {
		return err
	}
	gw.Fail("POST", "/v3/cc_purchase", iotpaytest.Fault{Kind: iotpaytest.DropAfter})
	if _, err := c.Purchase(ctx, order("order-1002")); !errors.Is(err, iotpay.ErrOutcomeUnknown) {
		return errors.New("tracedshop: the dropped purchase did not end in ErrOutcomeUnknown")
	}
	if _, err := c.Query(ctx, &iotpay.QueryRequest{MchOrderNo: "order-1002"}); err != nil {
		return err
	}
	bad := order("order-1003")
	bad.Amount = iotpay.AmountFromMinor(0)
	if _, err := c.Purchase(ctx, bad); !errors.Is(err, iotpay.ErrInvalidRequest) {
		return errors.New("tracedshop: a zero amount was not refused before sending")
	}
	return nil
}

// runFlexiti: the shopper passes the widget, then AuthorizeOnce looks the
// reference up and authorizes, each a span inside its own.
func runFlexiti(ctx context.Context, tracer Tracer) error {
	gw := flexititest.Start()
	defer gw.Close()
	c, err := gw.NewClient(flexiti.WithTracer(tracer), flexiti.WithRetry(quick))
	if err != nil {
		return err
	}
	f, err := c.NewFlow(ctx)
	if err != nil {
		return err
	}
	ws, err := f.WidgetInit(ctx, &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase,
		CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: flexititest.AccountNumber}})
	if err != nil {
		return err
	}
	if _, ok := gw.PassWidget(ws.WidgetSessionID, flexititest.PIN); !ok {
		return errors.New("tracedshop: the fake widget did not pass")
	}
	_, err = f.AuthorizeOnce(ctx, &flexiti.AuthorizeRequest{AccountNumber: flexititest.AccountNumber, Reference: "order-2001",
		Amount: flexiti.MustParseAmount("149.99"), FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}})
	return err
}
