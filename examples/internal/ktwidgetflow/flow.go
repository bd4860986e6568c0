// Package ktwidgetflow is KTWidget's merchant flow for the example programs:
// create the sealed transaction server-side, open the widget, pay, and
// receive and acknowledge KTPay's notification.
package ktwidgetflow

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/paywidget/paywidget-go/examples/internal/steps"
	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

// orders is the merchant's record of created payments.
type orders struct {
	mu sync.Mutex
	m  map[string]ktwidget.Expectation
}

func (o *orders) Expect(_ context.Context, n *ktwidget.Notification) (ktwidget.Expectation, error) {
	id := n.OrderID
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.m[id]
	if !ok {
		return r, errors.New("unknown order")
	}
	return r, nil
}

// Run plays the flow against the built-in fake, or against t.BaseURL (the
// API host) with KTWIDGET_APP_ID and KTWIDGET_APP_KEY; KTWIDGET_WIDGET_URL
// sets the widget host and KTWIDGET_NOTIFY_URL a public notification URL
// (by default a local listener of this program).
func Run(ctx context.Context, t steps.Target, rec *steps.Recorder) error {
	var (
		cfg  ktwidget.Config
		opts []ktwidget.Option
		kt   *ktwidgettest.Server
	)
	if t.Fake() {
		kt = ktwidgettest.Start()
		defer kt.Close()
		cfg = kt.Config()
		opts = append(opts, ktwidget.WithBaseURL(kt.URL))
	} else {
		app, err := t.Env("KTWIDGET_APP_ID")
		if err != nil {
			return err
		}
		key, err := t.Env("KTWIDGET_APP_KEY")
		if err != nil {
			return err
		}
		cfg = ktwidget.Config{AppID: ktwidget.Secret(app), PublicKey: key, Environment: ktwidget.Test,
			WidgetURL: t.Getenv("KTWIDGET_WIDGET_URL"), CallbackSecret: ktwidget.Secret(strconv.FormatInt(time.Now().UnixNano(), 36) + "-demo-callback-secret")}
		opts = append(opts, ktwidget.WithBaseURL(t.BaseURL))
	}
	// The shop's own listener comes first: its address is the configured
	// notification base (never a request's Host header).
	mux := http.NewServeMux()
	site := httptest.NewUnstartedServer(mux)
	if l, lerr := net.Listen("tcp", "127.0.0.1:0"); lerr == nil {
		site.Listener.Close()
		site.Listener = l
	}
	defer site.Close()
	siteURL := "http://" + site.Listener.Addr().String()
	cfg.CallbackBase = siteURL + "/ktpay/notify"
	if !t.Fake() && t.Getenv("KTWIDGET_NOTIFY_URL") != "" {
		cfg.CallbackBase = t.Getenv("KTWIDGET_NOTIFY_URL")
	}
	client, err := ktwidget.New(cfg, opts...)
	if err != nil {
		return err
	}

	book := &orders{m: map[string]ktwidget.Expectation{}}
	notified := make(chan *ktwidget.Notification, 1)
	mux.Handle("POST /ktpay/notify", &ktwidget.NotificationHandler{Client: client, Expect: book.Expect, Report: func(_ context.Context, n *ktwidget.Notification) error {
		select {
		case notified <- n:
		default:
		}
		return nil
	}})
	site.Start()

	orderID := "demo-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	amount := ktwidget.MustParseAmount("2750.00")
	var p *ktwidget.Payment
	err = rec.Step("create payment", func() (any, any, error) {
		o := &ktwidget.Order{OrderID: orderID, Amount: amount, Type: ktwidget.TypeEcom, Description: "Copper kettle",
			CallbackSuccessURL: siteURL + "/orders/" + orderID}
		sent := map[string]any{"order_id": orderID, "amount": amount, "type": o.Type, "sealed": "crypto_box_seal, base64"}
		if p, err = client.CreatePayment(ctx, o, nil); err != nil {
			return sent, nil, err
		}
		book.mu.Lock()
		book.m[orderID] = ktwidget.Expectation{TransactionHash: p.TransactionHash, Amount: amount}
		book.mu.Unlock()
		return sent, map[string]any{"transaction_hash": p.TransactionHash, "widgetUrl": p.WidgetURL}, nil
	})
	if err != nil {
		return err
	}

	if !t.Fake() {
		rec.Action("pay in the widget", "open "+p.WidgetURL+" and pay; KTPay notifies "+cfg.CallbackBase)
		return nil
	}

	err = rec.Step("shopper pays in widget", func() (any, any, error) {
		res, err := kt.PayWidget(ctx, p.WidgetURL, ktwidgettest.TestCard)
		if err != nil {
			return nil, nil, err
		}
		return map[string]string{"card": "test card ending 5096"}, map[string]string{"widgetStatus": res.Status}, nil
	})
	if err != nil {
		return err
	}

	return rec.Step("notification acknowledged", func() (any, any, error) {
		select {
		case n := <-notified:
			got := map[string]any{"order_id": n.OrderID, "status": n.Status.Status, "amount": n.Amount, "ack": ktwidget.Ack}
			if !n.Paid() {
				return nil, got, errors.New("payment not completed: " + n.Status.Status)
			}
			return nil, got, nil
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	})
}
