package iotpaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/paywidget/paywidget-go/iotpay"
)

// NotifyRetries is how many times a notification is sent before the fake
// gives up (IOTPay retries "several times").
const NotifyRetries = 5

// notify sends o's signed notification to url in the background until it is
// answered SUCCESS; the caller holds s.mu.
func (s *Server) notify(o iotpay.Order, url string) {
	p := iotpay.Params{
		"payOrderId": o.PayOrderID, "mchId": o.MerchantID, "mchOrderNo": o.MchOrderNo,
		"originalOrderId": o.OriginalOrderID, "amount": cents(o.Amount), "currency": o.Currency,
		"payType": o.PayType, "refundable": cents(o.Refundable), "status": int64(o.Status),
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

func (s *Server) deliver(ctx context.Context, url string, body []byte) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.hc.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	return resp.StatusCode == http.StatusOK && strings.EqualFold(strings.TrimSpace(string(b)), "success")
}
