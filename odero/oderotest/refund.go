package oderotest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"

	"github.com/paywidget/paywidget-go/internal/decimal"
	"github.com/paywidget/paywidget-go/odero"
)

func decodeStrict(body []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v) == nil
}

// paymentByID finds a checkout's payment; the caller holds s.mu.
func (s *Server) paymentByID(id int64) *checkout {
	for _, c := range s.checkouts {
		if c.payment != nil && c.payment.id == id {
			return c
		}
	}
	return nil
}

func (s *Server) createRefund(w http.ResponseWriter, r *http.Request, body []byte) {
	var req odero.RefundRequest
	if !decodeStrict(body, &req) || req.PaymentID <= 0 {
		writeError(w, http.StatusBadRequest, "10000", "", "paymentId is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.paymentByID(req.PaymentID)
	if c == nil || c.payment.status != odero.PaymentStatusSuccess {
		writeError(w, http.StatusOK, "10101", "", "Ödeme bulunamadı!")
		return
	}
	if c.payment.refunded {
		writeError(w, http.StatusBadRequest, "10201", "", "payment already refunded")
		return
	}
	dest := req.Destination
	if dest == "" {
		dest = odero.RefundToCard
	}
	c.payment.refunded = true
	rf := &refund{odero.Refund{
		ID: s.nextID(), ConversationID: req.ConversationID, Status: odero.RefundStatusSuccess,
		RefundPrice: *c.req.PaidPrice, Type: odero.RefundTypeCancel, Destination: dest,
		Currency: c.req.Currency, PaymentID: c.payment.id,
	}}
	rf.CreatedDate, _ = odero.ParseDateTime("2026-11-22T10:05:00")
	s.refunds[rf.ID] = rf
	writeData(w, http.StatusOK, rf.Refund)
}

func (s *Server) getRefund(w http.ResponseWriter, r *http.Request, _ []byte) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	rf, ok := s.refunds[id]
	if !ok {
		writeError(w, http.StatusNotFound, "10102", "", "refund not found")
		return
	}
	writeData(w, http.StatusOK, rf.Refund)
}

func (s *Server) createTxRefund(w http.ResponseWriter, r *http.Request, body []byte) {
	var req odero.RefundTransactionRequest
	if !decodeStrict(body, &req) || req.PaymentTransactionID <= 0 || req.RefundPrice.Sign() <= 0 {
		writeError(w, http.StatusBadRequest, "10000", "", "paymentTransactionId and refundPrice are required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.checkouts {
		if c.payment == nil || c.payment.status != odero.PaymentStatusSuccess {
			continue
		}
		for i, tx := range c.payment.txIDs {
			if tx != req.PaymentTransactionID {
				continue
			}
			refunded := decimal.Decimal{}
			for _, t := range s.txRefunds {
				if t.PaymentTransactionID == tx {
					refunded, _ = refunded.Add(t.RefundPrice)
				}
			}
			total, err := refunded.Add(req.RefundPrice)
			if err != nil || total.Cmp(*c.req.Items[i].Price) > 0 {
				writeError(w, http.StatusBadRequest, "10202", "", "refundPrice exceeds what is left of the item")
				return
			}
			dest := req.Destination
			if dest == "" {
				dest = odero.RefundToCard
			}
			t := &txRefund{odero.RefundTransaction{
				ID: s.nextID(), ConversationID: req.ConversationID, Status: odero.RefundStatusSuccess,
				RefundPrice: req.RefundPrice, Currency: c.req.Currency, PaymentTransactionID: tx,
				PaymentID: c.payment.id, Destination: dest,
			}}
			s.txRefunds[t.ID] = t
			writeData(w, http.StatusOK, t.RefundTransaction)
			return
		}
	}
	writeError(w, http.StatusOK, "10103", "", "payment transaction not found")
}

func (s *Server) getTxRefund(w http.ResponseWriter, r *http.Request, _ []byte) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.txRefunds[id]
	if !ok {
		writeError(w, http.StatusNotFound, "10102", "", "refund not found")
		return
	}
	writeData(w, http.StatusOK, t.RefundTransaction)
}

// getPayment answers a payment's detail by its id (the official clients'
// retrievePayment), refunds included.
func (s *Server) getPayment(w http.ResponseWriter, r *http.Request, _ []byte) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.paymentByID(id)
	if c == nil {
		writeError(w, http.StatusOK, "10101", "", "Ödeme bulunamadı!")
		return
	}
	writeData(w, http.StatusOK, s.paymentJSON(c))
}

// searchTxRefunds lists item refunds matching every filter given
// (paymentId, paymentTransactionId, conversationId), oldest first, one page
// (page from 0, size default 10).
func (s *Server) searchTxRefunds(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	pid, _ := strconv.ParseInt(q.Get("paymentId"), 10, 64)
	tid, _ := strconv.ParseInt(q.Get("paymentTransactionId"), 10, 64)
	cid := q.Get("conversationId")
	page, _ := strconv.Atoi(q.Get("page"))
	size, _ := strconv.Atoi(q.Get("size"))
	if size <= 0 {
		size = 10
	}
	s.mu.Lock()
	var all []odero.RefundTransaction
	for _, t := range s.txRefunds {
		if (pid == 0 || t.PaymentID == pid) && (tid == 0 || t.PaymentTransactionID == tid) && (cid == "" || t.ConversationID == cid) {
			all = append(all, t.RefundTransaction)
		}
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	items := []odero.RefundTransaction{}
	if from := page * size; from < len(all) {
		items = all[from:min(from+size, len(all))]
	}
	writeData(w, http.StatusOK, map[string]any{"items": items, "page": page, "size": size, "totalSize": len(all)})
}
