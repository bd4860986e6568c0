// Package iotpayflow is IOTPay's merchant flow for the example programs:
// start a card purchase, let the shopper pay on IOTPay's page, receive and
// verify the signed notification, query the order, and refund part of it.
package iotpayflow

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/paywidget/paywidget-go/examples/internal/steps"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

// Run plays the flow against the built-in fake, or against t.BaseURL with
// IOTPAY_MCH_ID, IOTPAY_KEY and IOTPAY_LOGIN_NAME; IOTPAY_NOTIFY_URL, when
// set, is the public notifyUrl (by default a local listener of this program).
func Run(ctx context.Context, t steps.Target, rec *steps.Recorder) error {
	var (
		cfg  iotpay.Config
		opts []iotpay.Option
		gw   *iotpaytest.Server
	)
	if t.Fake() {
		gw = iotpaytest.Start()
		defer gw.Close()
		cfg = gw.Config()
		opts = append(opts, iotpay.WithBaseURL(gw.URL))
	} else {
		var err error
		if cfg.MerchantID, err = t.Env("IOTPAY_MCH_ID"); err != nil {
			return err
		}
		key, err := t.Env("IOTPAY_KEY")
		if err != nil {
			return err
		}
		cfg.Key = iotpay.Secret(key)
		if cfg.LoginName, err = t.Env("IOTPAY_LOGIN_NAME"); err != nil {
			return err
		}
		opts = append(opts, iotpay.WithBaseURL(t.BaseURL))
	}
	// The shop's own listener comes first: its address is the configured
	// notifyUrl (never a request's Host header).
	mux := http.NewServeMux()
	site := httptest.NewUnstartedServer(mux)
	if l, lerr := net.Listen("tcp", "127.0.0.1:0"); lerr == nil {
		site.Listener.Close()
		site.Listener = l
	}
	defer site.Close()
	siteURL := "http://" + site.Listener.Addr().String()
	cfg.NotifyURL = siteURL + "/iotpay/notify"
	if !t.Fake() && t.Getenv != nil && t.Getenv("IOTPAY_NOTIFY_URL") != "" {
		cfg.NotifyURL = t.Getenv("IOTPAY_NOTIFY_URL")
	}
	client, err := iotpay.New(cfg, opts...)
	if err != nil {
		return err
	}

	orderNo := "demo" + strconv.FormatInt(time.Now().UnixNano(), 36)
	notified := make(chan *iotpay.Order, 1)
	mux.Handle("POST /iotpay/notify", &iotpay.NotificationHandler{Client: client, Expect: func(_ context.Context, o *iotpay.Order) (iotpay.Expectation, error) {
		if o.MchOrderNo != orderNo { // the shop's own record: one order of 19.99
			return iotpay.Expectation{}, errors.New("unknown order")
		}
		return iotpay.Expectation{MchOrderNo: orderNo, Amount: iotpay.AmountFromMinor(1999)}, nil
	}, Report: func(_ context.Context, o *iotpay.Order) error {
		select {
		case notified <- o:
		default:
		}
		return nil
	}})
	mux.HandleFunc("GET /iotpay/return", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("thanks"))
	})
	site.Start()

	var co *iotpay.Checkout
	err = rec.Step("purchase", func() (any, any, error) {
		req := &iotpay.PurchaseRequest{MchOrderNo: orderNo, Amount: iotpay.AmountFromMinor(1999), Subject: "Copper kettle",
			ReturnURL: siteURL + "/iotpay/return"}
		sent := map[string]any{"mchOrderNo": orderNo, "amount": req.Amount, "currency": iotpay.Currency, "channel": iotpay.ChannelCard}
		var err error
		if co, err = client.Purchase(ctx, req); err != nil {
			return sent, nil, err
		}
		return sent, map[string]any{"secureId": co.SecureID[:8] + "…", "redirectUrl": co.RedirectURL}, nil
	})
	if err != nil {
		return err
	}

	if !t.Fake() {
		rec.Action("pay on IOTPay's page", "open "+co.RedirectURL+" and pay; IOTPay notifies "+cfg.NotifyURL)
		return rec.Step("query order", func() (any, any, error) {
			o, err := client.Query(ctx, &iotpay.QueryRequest{MchOrderNo: orderNo})
			if err != nil {
				return orderNo, nil, err
			}
			return orderNo, map[string]any{"status": o.Status, "outcome": o.Status.Outcome()}, nil
		})
	}

	err = rec.Step("shopper pays on card page", func() (any, any, error) {
		res, err := gw.PayPage(ctx, co.RedirectURL, iotpaytest.TestCard)
		if err != nil {
			return nil, nil, err
		}
		ret, err := iotpay.ParseReturn(&http.Request{URL: res.Return})
		if err != nil {
			return nil, nil, err
		}
		return map[string]string{"card": "test card ending 4242"}, map[string]any{"returnRetCode": ret.RetCode, "returnStatus": ret.Status, "note": "unsigned: confirmed below"}, nil
	})
	if err != nil {
		return err
	}

	var paid *iotpay.Order
	err = rec.Step("notify verified", func() (any, any, error) {
		select {
		case paid = <-notified:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		got := map[string]any{"payOrderId": paid.PayOrderID, "amount": paid.Amount, "status": paid.Status, "outcome": paid.Status.Outcome()}
		if !paid.Status.Paid() || !paid.Amount.Equal(iotpay.AmountFromMinor(1999)) || paid.MchOrderNo != orderNo {
			return nil, got, errors.New("notification does not match the order")
		}
		return nil, got, nil
	})
	if err != nil {
		return err
	}

	err = rec.Step("query order", func() (any, any, error) {
		o, err := client.Query(ctx, &iotpay.QueryRequest{PayOrderID: paid.PayOrderID})
		if err != nil {
			return paid.PayOrderID, nil, err
		}
		return paid.PayOrderID, map[string]any{"status": o.Status, "refundable": o.Refundable}, nil
	})
	if err != nil {
		return err
	}

	return rec.Step("refund part", func() (any, any, error) {
		req := &iotpay.RefundRequest{MchRefundNo: orderNo + "r", PayOrderID: paid.PayOrderID, RefundAmount: iotpay.AmountFromMinor(500)}
		o, err := client.Refund(ctx, req)
		if err != nil {
			return req, nil, err
		}
		return map[string]any{"payOrderId": req.PayOrderID, "refundAmount": req.RefundAmount}, map[string]any{"refundId": o.PayOrderID, "status": o.Status, "payType": o.PayType}, nil
	})
}
