package oderotest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/paywidget/paywidget-go/internal/decimal"
	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/odero"
)

// initRequest is the init body as the gateway reads it. Unknown fields are
// refused so that a misspelt field fails loudly in tests.
type initRequest struct {
	ConversationID     string             `json:"conversationId"`
	Price              *decimal.Decimal   `json:"price"`
	PaidPrice          *decimal.Decimal   `json:"paidPrice"`
	WalletPrice        *decimal.Decimal   `json:"walletPrice"`
	BuyerID            int64              `json:"buyerId"`
	CardUserKey        string             `json:"cardUserKey"`
	Currency           odero.Currency     `json:"currency"`
	PaymentGroup       odero.PaymentGroup `json:"paymentGroup"`
	CallbackURL        string             `json:"callbackUrl"`
	Items              []item             `json:"items"`
	Plan               *odero.Plan        `json:"plan"`
	Installment        int                `json:"installment"`
	PaymentPhase       odero.PaymentPhase `json:"paymentPhase"`
	ExpireAfterMinutes int                `json:"expireAfterMinutes"`
}

type item struct {
	Name             string           `json:"name"`
	Price            *decimal.Decimal `json:"price"`
	ExternalID       string           `json:"externalId"`
	SubMerchantID    int64            `json:"subMerchantId"`
	SubMerchantPrice *decimal.Decimal `json:"subMerchantPrice"`
}

func (s *Server) initCheckout(w http.ResponseWriter, r *http.Request, body []byte) {
	var req initRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "10000", "", "malformed request: "+err.Error())
		return
	}
	if msg := checkInit(&req); msg != "" {
		writeError(w, http.StatusBadRequest, "10000", "", msg)
		return
	}
	s.mu.Lock()
	c := &checkout{token: newToken(), req: req}
	s.checkouts[c.token] = c
	s.order = append(s.order, c.token)
	s.mu.Unlock()
	writeData(w, http.StatusOK, map[string]string{
		"token":   c.token,
		"pageUrl": fake.BaseURL(r) + "/checkout/" + c.token,
	})
}

// checkInit applies the gateway's documented rules and returns what broke.
func checkInit(r *initRequest) string {
	switch {
	case r.Price == nil || r.Price.Sign() <= 0:
		return "price must be greater than 0"
	case r.PaidPrice == nil || r.PaidPrice.Sign() <= 0:
		return "paidPrice is required"
	case r.Currency == "":
		return "currency is required"
	case r.PaymentGroup == "":
		return "paymentGroup is required"
	case r.CallbackURL == "":
		return "callbackUrl is required"
	case len(r.Items) == 0:
		return "items are required"
	case r.PaymentGroup == odero.PaymentGroupSubscription && r.Plan == nil:
		return "plan is required for SUBSCRIPTION"
	}
	if r.CallbackURL != odero.NoCallbackURL {
		if u, err := url.Parse(r.CallbackURL); err != nil || !u.IsAbs() {
			return "callbackUrl must be absolute"
		}
	}
	var sum decimal.Decimal
	for _, it := range r.Items {
		if it.Name == "" || it.Price == nil || it.Price.Sign() <= 0 {
			return "every item needs a name and a positive price"
		}
		var err error
		if sum, err = sum.Add(*it.Price); err != nil {
			return "item prices overflow"
		}
	}
	if !sum.Equal(*r.Price) {
		return "items must sum to price"
	}
	return ""
}

func (s *Server) retrieveCheckout(w http.ResponseWriter, r *http.Request, _ []byte) {
	token := r.PathValue("token")
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checkouts[token]
	if !ok || c.payment == nil {
		writeError(w, http.StatusOK, "10101", "", "Ödeme bulunamadı!")
		return
	}
	writeData(w, http.StatusOK, s.paymentJSON(c))
}

// paymentJSON renders the detailed payment shape.
func (s *Server) paymentJSON(c *checkout) map[string]any {
	p := c.payment
	card := map[string]any{
		"cardType":        "CREDIT_CARD",
		"cardAssociation": "VISA",
		"binNumber":       p.bin,
		"lastFourDigits":  p.last4,
		"installment":     max(c.req.Installment, 1),
		"isThreeDS":       p.threeDS,
	}
	if p.status == odero.PaymentStatusFailure {
		card["error"] = map[string]string{"errorCode": p.code, "errorGroup": p.group, "errorName": p.group, "errorMessage": "declined"}
	}
	var txs []map[string]any
	for i, it := range c.req.Items {
		txs = append(txs, map[string]any{
			"id": p.txIDs[i], "name": it.Name, "externalId": it.ExternalID,
			"price": it.Price, "paidPrice": it.Price, "transactionStatus": "WAITING_FOR_APPROVAL",
		})
	}
	var refunds []map[string]any
	for _, rf := range s.refunds {
		if rf.PaymentID == p.id {
			e := map[string]any{"id": rf.ID, "refundStatus": rf.Status, "price": rf.RefundPrice, "refundDestinationType": rf.Destination,
				"createdDate": rf.CreatedDate}
			if rf.ConversationID != "" {
				e["conversationId"] = rf.ConversationID
			}
			refunds = append(refunds, e)
		}
	}
	out := map[string]any{
		"id":                  p.id,
		"createdDate":         "2026-11-22T10:00:00",
		"updatedDate":         "2026-11-22T10:00:05.123",
		"orderId":             "fake-" + itoa(p.id),
		"price":               c.req.Price,
		"paidPrice":           c.req.PaidPrice,
		"walletPrice":         0,
		"paymentType":         "CARD_PAYMENT",
		"currency":            c.req.Currency,
		"paymentStatus":       p.status,
		"paymentCard":         card,
		"paymentTransactions": txs,
		"paymentRefunds":      refunds,
	}
	if c.req.ConversationID != "" {
		out["conversationId"] = c.req.ConversationID
	}
	return out
}

// pay records a payment for c; the caller holds s.mu.
func (s *Server) pay(c *checkout, bin, last4 string, o Outcome) *payment {
	p := &payment{id: s.nextID(), bin: bin, last4: last4, status: o.Status, threeDS: o.ThreeDS}
	if p.status == "" {
		p.status = odero.PaymentStatusSuccess
	}
	if p.status == odero.PaymentStatusFailure {
		p.group, p.code = string(o.Group), o.Code
		if p.group == "" {
			p.group, p.code = string(odero.GroupDoNotHonour), "10005"
		}
	} else if o.ThreeDS {
		p.status = odero.PaymentStatusInitThreeDS
	}
	for range c.req.Items {
		p.txIDs = append(p.txIDs, s.nextID())
	}
	c.payment = p
	return p
}
