package iotpaytest

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/iotpay"
)

// NotifyRetries is how many times a notification is sent before the fake
// gives up (IOTPay retries "several times").
const NotifyRetries = 5

// notify sends o's signed notification to url in the background until it is
// answered SUCCESS; the caller holds s.mu.
func (s *Server) notify(o iotpay.Order, url string) {
	body := notification(o)
	s.sent[o.PayOrderID] = sentNote{url: url, body: body}
	interval := s.notifyInterval()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for attempt := 1; attempt <= NotifyRetries; attempt++ {
			s.mu.Lock()
			s.notified[o.PayOrderID]++
			s.mu.Unlock()
			if s.deliver(context.Background(), url, body) {
				s.mu.Lock()
				s.answered[o.PayOrderID] = true
				if stored, ok := s.orders[o.PayOrderID]; ok && stored.Status == iotpay.StatusSuccess {
					stored.Status = iotpay.StatusComplete // acknowledged
				}
				s.mu.Unlock()
				return
			}
			time.Sleep(time.Duration(attempt) * interval)
		}
	}()
}

// ack is what IOTPay wants of the merchant's answer to a notification.
var ack = fake.Ack{Status: http.StatusOK, Body: "SUCCESS", Fold: true, Expect: `200 with the body "SUCCESS"`}

// deliver posts one notification and reports whether it was acknowledged.
func (s *Server) deliver(ctx context.Context, url string, body []byte) bool {
	return fake.Deliver(ctx, s.hc, http.MethodPost, url, "application/json", body, ack).Acknowledged
}

// notification is the signed JSON body IOTPay posts to notifyUrl for o.
func notification(o iotpay.Order) []byte {
	p := iotpay.Params{
		"payOrderId": o.PayOrderID, "mchId": o.MerchantID, "mchOrderNo": o.MchOrderNo,
		"originalOrderId": o.OriginalOrderID, "amount": o.Amount, "currency": o.Currency,
		"payType": o.PayType, "refundable": o.Refundable, "status": int64(o.Status),
		"invoiceNum": o.InvoiceNum, "paySuccTime": o.PaySuccTime, "cardNum": o.CardNum,
		"cardType": o.CardType, "expiryDate": o.ExpiryDate, "authNum": o.AuthNum,
		"transNum": o.TransNum, "channel": o.Channel,
	}
	for k, v := range p {
		if v == "" {
			delete(p, k)
		}
	}
	p["sign"] = iotpay.Sign(p, Key)
	body, _ := json.Marshal(map[string]any(p))
	return body
}
