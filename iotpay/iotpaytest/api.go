package iotpaytest

import (
	"net/http"
	"strings"

	"github.com/paywidget/paywidget-go/iotpay"
)

func (s *Server) purchase(r *http.Request, p iotpay.Params) (any, string) {
	amount, ok := num(p, "amount")
	switch {
	case str(p, "mchOrderNo") == "" || !ok || amount <= 0:
		return nil, "mchOrderNo and a positive integer amount are required"
	case str(p, "currency") != iotpay.Currency:
		return nil, "currency not supported"
	case str(p, "loginName") != LoginName:
		return nil, "loginName not exist"
	case str(p, "channel") != iotpay.ChannelCard && str(p, "channel") != iotpay.ChannelUnionPay:
		return nil, "channel not supported"
	case str(p, "notifyUrl") == "" || str(p, "returnUrl") == "":
		return nil, "notifyUrl and returnUrl are required"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.byMch[str(p, "mchOrderNo")]; dup {
		return nil, "mchOrderNo duplicate"
	}
	for _, o := range s.pending {
		if o.MchOrderNo == str(p, "mchOrderNo") {
			return nil, "mchOrderNo duplicate"
		}
	}
	sid := newSecureID()
	s.pending[sid] = &order{
		Order: iotpay.Order{MerchantID: MerchantID, MchOrderNo: str(p, "mchOrderNo"), Amount: iotpay.AmountFromMinor(amount), Currency: iotpay.Currency,
			PayType: "pay", Status: iotpay.StatusPending, Channel: str(p, "channel")},
		notifyURL: str(p, "notifyUrl"), returnURL: str(p, "returnUrl"), secureID: sid,
	}
	s.purchases++
	return map[string]string{"secureId": sid, "redirectUrl": s.base(r) + "/cc/purchase?key=" + sid}, ""
}

func (s *Server) addCard(r *http.Request, p iotpay.Params) (any, string) {
	if str(p, "cardId") == "" || str(p, "returnUrl") == "" || str(p, "loginName") != LoginName {
		return nil, "cardId, loginName and returnUrl are required"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.cards[str(p, "cardId")]; ok && c.bound {
		return nil, "cardId already binding"
	}
	sid := newSecureID()
	c := &card{id: str(p, "cardId"), returnURL: str(p, "returnUrl")}
	s.cards[c.id] = c
	s.binding[sid] = c
	return map[string]string{"secureId": sid, "redirectUrl": s.base(r) + "/cc/addcard?key=" + sid, "channel": str(p, "channel")}, ""
}

func (s *Server) queryCard(_ *http.Request, p iotpay.Params) (any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cards[str(p, "cardId")]
	if !ok || !c.bound {
		return nil, "cardId is not binding"
	}
	return map[string]string{"cardId": c.id, "cardNum": maskCard(c.number), "expiryDate": c.expiry, "holder": c.holder, "cvv": c.cvv}, ""
}

func (s *Server) purchaseWithToken(_ *http.Request, p iotpay.Params) (any, string) {
	amount, ok := num(p, "amount")
	if str(p, "mchOrderNo") == "" || !ok || amount <= 0 || str(p, "currency") != iotpay.Currency {
		return nil, "mchOrderNo, a positive amount and currency CAD are required"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, bound := s.cards[str(p, "cardId")]
	if !bound || !c.bound {
		return nil, "cardId is not binding"
	}
	if _, dup := s.byMch[str(p, "mchOrderNo")]; dup {
		return nil, "mchOrderNo duplicate"
	}
	o := &order{Order: iotpay.Order{MerchantID: MerchantID, MchOrderNo: str(p, "mchOrderNo"), Amount: iotpay.AmountFromMinor(amount),
		Currency: iotpay.Currency, PayType: "pay", Channel: iotpay.ChannelCard}, notifyURL: str(p, "notifyUrl")}
	s.purchases++
	s.settle(o, c.number, c.expiry, s.outcome(c.number))
	return o.Order, ""
}

func (s *Server) void(_ *http.Request, p iotpay.Params) (any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	orig, ok := s.orders[str(p, "payOrderId")]
	switch {
	case str(p, "mchRefundNo") == "":
		return nil, "mchRefundNo is required"
	case s.refundNoUsed(str(p, "mchRefundNo")):
		return nil, "mchRefundNo duplicate"
	case !ok || orig.PayType != "pay" || !orig.Status.Paid():
		return nil, "order not exist or not paid"
	case orig.voided || !orig.Refundable.Equal(orig.Amount):
		return nil, "order cannot be voided"
	}
	orig.voided = true
	rec := s.refundRecord(orig, str(p, "mchRefundNo"), cents(orig.Amount))
	orig.Refundable = iotpay.AmountFromMinor(0)
	return rec.Order, ""
}

func (s *Server) refund(_ *http.Request, p iotpay.Params) (any, string) {
	amount, ok := num(p, "refundAmount")
	s.mu.Lock()
	defer s.mu.Unlock()
	orig, found := s.orders[str(p, "payOrderId")]
	switch {
	case str(p, "mchRefundNo") == "" || !ok || amount <= 0:
		return nil, "mchRefundNo and a positive refundAmount are required"
	case s.refundNoUsed(str(p, "mchRefundNo")):
		return nil, "mchRefundNo duplicate"
	case !found || orig.PayType != "pay" || !orig.Status.Paid():
		return nil, "order not exist or not paid"
	case amount > cents(orig.Refundable):
		return nil, "refundAmount exceeds refundable"
	}
	rec := s.refundRecord(orig, str(p, "mchRefundNo"), amount)
	orig.Refundable = iotpay.AmountFromMinor(cents(orig.Refundable) - amount)
	return rec.Order, ""
}

// refundRecord stores a refund or void record; the caller holds s.mu.
func (s *Server) refundRecord(orig *order, mchRefundNo string, amount int64) *order {
	rec := &order{Order: iotpay.Order{
		PayOrderID: s.newID("RP"), MerchantID: MerchantID, MchOrderNo: mchRefundNo, OriginalOrderID: orig.PayOrderID,
		Amount: iotpay.AmountFromMinor(amount), Currency: iotpay.Currency, PayType: "refund", Refundable: iotpay.AmountFromMinor(0), Status: iotpay.StatusSuccess,
		PaySuccTime: "2026-11-22 10:05:00", CardNum: orig.CardNum, CardType: orig.CardType, Channel: orig.Channel,
	}}
	s.orders[rec.PayOrderID] = rec
	s.byRefundNo[mchRefundNo] = rec.PayOrderID
	return rec
}

func (s *Server) query(_ *http.Request, p iotpay.Params) (any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id := str(p, "payOrderId"); id != "" {
		if o, ok := s.orders[id]; ok {
			return o.Order, ""
		}
		return nil, "order not exist"
	}
	mch := str(p, "mchOrderNo")
	if id, ok := s.byMch[mch]; ok {
		return s.orders[id].Order, ""
	}
	for _, o := range s.pending {
		if o.MchOrderNo == mch {
			return o.Order, ""
		}
	}
	// A refund or void record carries its mchRefundNo as mchOrderNo.
	if id, ok := s.byRefundNo[mch]; ok {
		return s.orders[id].Order, ""
	}
	return nil, "order not exist"
}

// refundNoUsed reports a mchRefundNo already given to a refund or void (a
// merchant-unique number, like mchOrderNo); the caller holds s.mu.
func (s *Server) refundNoUsed(no string) bool {
	_, used := s.byRefundNo[no]
	return used
}

// outcome picks the status of a payment; the caller holds s.mu.
func (s *Server) outcome(number string) iotpay.Status {
	if len(s.next) > 0 {
		st := s.next[0]
		s.next = s.next[1:]
		return st
	}
	switch number {
	case "4000000000000002":
		return iotpay.StatusFailed
	case "4000000000000259":
		return iotpay.StatusUnknown
	}
	return iotpay.StatusSuccess
}

// settle records a payment's result and notifies a successful one; the
// caller holds s.mu.
func (s *Server) settle(o *order, number, expiry string, st iotpay.Status) {
	o.PayOrderID = s.newID("PC")
	o.Status = st
	o.CardNum = maskCard(number)
	o.ExpiryDate = expiry
	o.CardType = iotpay.CardVisa
	if strings.HasPrefix(number, "5") {
		o.CardType = iotpay.CardMastercard
	}
	if st.Paid() {
		o.Refundable = o.Amount
		o.PaySuccTime = "2026-11-22 10:00:00"
		o.AuthNum, o.TransNum, o.InvoiceNum = "A12345", "000108583539", o.MchOrderNo
	}
	s.orders[o.PayOrderID] = o
	s.byMch[o.MchOrderNo] = o.PayOrderID
	if st.Paid() && o.notifyURL != "" {
		s.notify(o.Order, o.notifyURL)
	}
}
