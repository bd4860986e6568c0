package iotpaytest

import (
	"encoding/json"
	"net/http"
	"strconv"
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
	body := notification(o)
	interval := s.notifyInterval()
	waits := make([]time.Duration, NotifyRetries-1)
	for i := range waits {
		waits[i] = time.Duration(i+1) * interval
	}
	s.notes.Send(o.PayOrderID, url, "application/json", body, waits)
}

// checkAck says why an answer is not IOTPay's acknowledgment: IOTPay takes
// 200 with the body SUCCESS (any case, surrounding space ignored) and
// resends anything else.
func checkAck(resp *http.Response, body []byte) string {
	switch {
	case resp.StatusCode != http.StatusOK:
		return "status " + resp.Status + ", IOTPay wants 200"
	case !strings.EqualFold(strings.TrimSpace(string(body)), "success"):
		return "body " + strconv.Quote(string(body)) + ", IOTPay wants SUCCESS"
	}
	return ""
}

// acknowledged marks a paid order acknowledged (status 3) once its
// notification was answered SUCCESS.
func (s *Server) acknowledged(payOrderID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if stored, ok := s.orders[payOrderID]; ok && stored.Status == iotpay.StatusSuccess {
		stored.Status = iotpay.StatusComplete
	}
}

// notification is the signed JSON body IOTPay posts to notifyUrl for o.
func notification(o iotpay.Order) []byte {
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
	return body
}
