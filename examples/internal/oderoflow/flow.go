// Package oderoflow is OderoPay's merchant flow for the example programs:
// initialise a hosted checkout, send the shopper to it, verify the callback
// with a signed query, then refund the payment and read the refund back.
package oderoflow

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
	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// Run plays the flow against the built-in fake (t.Fake()) or against
// t.BaseURL with ODERO_API_KEY and ODERO_SECRET_KEY; ODERO_CALLBACK_URL, when
// set, is the public URL the gateway's callback should reach (by default a
// local listener of this program).
func Run(ctx context.Context, t steps.Target, rec *steps.Recorder) error {
	var (
		cfg  odero.Config
		opts []odero.Option
		gw   *oderotest.Server
	)
	if t.Fake() {
		gw = oderotest.Start()
		defer gw.Close()
		cfg = gw.Config()
		opts = append(opts, odero.WithBaseURL(gw.URL))
	} else {
		key, err := t.Env("ODERO_API_KEY")
		if err != nil {
			return err
		}
		sec, err := t.Env("ODERO_SECRET_KEY")
		if err != nil {
			return err
		}
		cfg = odero.Config{APIKey: odero.Secret(key), SecretKey: odero.Secret(sec)}
		opts = append(opts, odero.WithBaseURL(t.BaseURL))
	}
	// The shop's own listener comes first: its address is the configured
	// callback (never a request's Host header).
	handler := &odero.CallbackHandler{}
	site := httptest.NewUnstartedServer(handler)
	if l, lerr := net.Listen("tcp", "127.0.0.1:0"); lerr == nil {
		site.Listener.Close()
		site.Listener = l
	}
	defer site.Close()
	cfg.CallbackURL = "http://" + site.Listener.Addr().String() + "/odero/callback"
	if !t.Fake() && t.Getenv("ODERO_CALLBACK_URL") != "" {
		cfg.CallbackURL = t.Getenv("ODERO_CALLBACK_URL")
	}
	client, err := odero.New(cfg, opts...)
	if err != nil {
		return err
	}

	// The merchant's side: one order, and the callback endpoint that turns
	// the browser's POST into a verified verdict.
	order := odero.Expectation{
		ConversationID: "demo-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		PaidPrice:      odero.MustParseAmount("149.90"),
		Currency:       odero.TRY,
	}
	verdicts := make(chan *odero.Verdict, 1)
	var once sync.Once
	*handler = odero.CallbackHandler{
		Client: client,
		Expect: func(context.Context, *odero.Callback) (odero.Expectation, error) { return order, nil },
		Report: func(_ context.Context, v *odero.Verdict) error {
			once.Do(func() { verdicts <- v })
			return nil
		},
	}
	site.Start()

	var co *odero.Checkout
	err = rec.Step("init checkout", func() (any, any, error) {
		req := &odero.InitCheckoutRequest{
			ConversationID: order.ConversationID,
			Price:          order.PaidPrice,
			PaidPrice:      order.PaidPrice,
			Currency:       order.Currency,
			Group:          odero.PaymentGroupProduct,
			Items: []odero.Item{
				{Name: "Kettle", Price: odero.MustParseAmount("120.00")},
				{Name: "Tea", Price: odero.MustParseAmount("29.90")},
			},
		}
		sent := map[string]any{"conversationId": req.ConversationID, "price": req.Price, "currency": req.Currency, "items": len(req.Items)}
		var err error
		co, err = client.InitCheckout(ctx, req)
		if err != nil {
			return sent, nil, err
		}
		return sent, map[string]any{"token": co.Token, "pageUrl": co.PageURL}, nil
	})
	if err != nil {
		return err
	}

	if !t.Fake() {
		iframe, _ := co.IframeURL()
		rec.Action("pay on hosted page", "open "+co.PageURL+" (or "+iframe+" in an iframe) and pay; the gateway posts the result to "+cfg.CallbackURL)
		return rec.Step("retrieve checkout", func() (any, any, error) {
			p, err := client.RetrieveCheckout(ctx, co.Token)
			var apiErr *odero.APIError
			if errors.As(err, &apiErr) {
				// Not paid yet: the gateway answers with its error envelope.
				return co.Token, map[string]any{"paid": false, "errorCode": apiErr.Code}, nil
			}
			if err != nil {
				return co.Token, nil, err
			}
			return co.Token, map[string]any{"paymentStatus": p.Status, "paidPrice": p.PaidPrice}, nil
		})
	}

	err = rec.Step("shopper pays on hosted page", func() (any, any, error) {
		res, err := gw.PayPage(ctx, co.PageURL, oderotest.TestCard)
		if err != nil {
			return co.PageURL, nil, err
		}
		if res.Delivery == nil || res.Delivery.Status != http.StatusOK {
			return co.PageURL, nil, errors.New("the browser's callback was not answered 200")
		}
		return map[string]string{"page": co.PageURL, "card": "test card ending 1111"}, map[string]int{"callbackStatus": res.Delivery.Status}, nil
	})
	if err != nil {
		return err
	}

	var verdict *odero.Verdict
	err = rec.Step("callback verified", func() (any, any, error) {
		select {
		case verdict = <-verdicts:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		got := map[string]any{"outcome": verdict.Outcome, "paidPrice": verdict.Payment.PaidPrice, "currency": verdict.Payment.Currency, "paymentId": verdict.Payment.ID}
		if verdict.Outcome != odero.OutcomePaid {
			return order, got, errors.New("payment not paid: " + string(verdict.Outcome))
		}
		return map[string]any{"expected": order.PaidPrice, "conversationId": order.ConversationID}, got, nil
	})
	if err != nil {
		return err
	}

	var refund *odero.Refund
	err = rec.Step("refund payment", func() (any, any, error) {
		req := &odero.RefundRequest{PaymentID: verdict.Payment.ID, ConversationID: order.ConversationID + "-refund", Destination: odero.RefundToCard}
		var err error
		refund, err = client.Refund(ctx, req)
		if err != nil {
			return req, nil, err
		}
		return req, map[string]any{"id": refund.ID, "status": refund.Status, "refundPrice": refund.RefundPrice, "type": refund.Type}, nil
	})
	if err != nil {
		return err
	}

	return rec.Step("read refund back", func() (any, any, error) {
		got, err := client.GetRefund(ctx, refund.ID)
		if err != nil {
			return refund.ID, nil, err
		}
		return refund.ID, map[string]any{"status": got.Status, "refundPrice": got.RefundPrice}, nil
	})
}
