package ktwidgettest

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paywidget/paywidget-go/ktwidget"
)

var pages = template.Must(template.New("pages").Parse(`
{{define "card"}}<!doctype html><html><head><meta charset="utf-8"><title>KTPay (fake)</title></head><body style="background:#fff;margin:0;padding:1rem;min-height:100vh">
<h1>KTPay test payment</h1><p id="amount">{{.Amount}} ₸</p>
{{if .Close}}<button id="ktpay-close" type="button">Close</button>{{end}}
<form id="ktpay-card-form" method="post" action="/payment-card/pay">
<input type="hidden" name="hash" value="{{.Hash}}">
<label>Card number <input name="card" required></label>
<label>Expiry <input name="expiry" required></label>
<label>CVC <input name="cvc" required></label>
<button id="ktpay-pay" type="submit">Pay</button>
</form>
<script>
document.getElementById("ktpay-close") && document.getElementById("ktpay-close").addEventListener("click", function () {
  window.parent.postMessage("close", "*");
});
</script></body></html>{{end}}
{{define "receipt"}}<!doctype html><html><head><meta charset="utf-8"><title>KTPay receipt (fake)</title></head><body style="background:#fff;margin:0;padding:1rem;min-height:100vh">
<p id="ktpay-result" data-status="{{.Status}}" data-next="{{.Next}}">Payment {{.Status}}</p>
<button id="ktpay-continue" type="button">Continue</button>
<script>
document.getElementById("ktpay-continue").addEventListener("click", function () {
  var to = {{.Next}};
  if (to) { window.parent.postMessage(to, "*"); } else { window.parent.postMessage("close", "*"); }
});
</script></body></html>{{end}}`))

func (s *Server) widgetPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	t, ok := s.txs[r.URL.Query().Get("hash")]
	s.mu.Unlock()
	if !ok {
		http.Error(w, "unknown transaction", http.StatusNotFound)
		return
	}
	showClose := true
	if t.order.ShowCloseButton != nil {
		showClose = *t.order.ShowCloseButton
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pages.ExecuteTemplate(w, "card", map[string]any{"Hash": t.hash, "Amount": t.order.Amount.String(), "Close": showClose})
}

func (s *Server) pay(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	card := strings.ReplaceAll(r.PostForm.Get("card"), " ", "")
	if !validExpiry(r.PostForm.Get("expiry")) {
		http.Error(w, "expiry must be MM/YY", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	t, ok := s.txs[r.PostForm.Get("hash")]
	if !ok || t.status != ktwidget.StatusPending || len(card) < 12 {
		s.mu.Unlock()
		http.Error(w, "unknown or finished transaction, or no card", http.StatusConflict)
		return
	}
	status := ktwidget.StatusCompleted
	if card == "4000000000000002" {
		status = ktwidget.StatusDenied
	}
	if len(s.next) > 0 {
		status, s.next = s.next[0], s.next[1:]
	}
	t.status = status
	order := t.order
	s.mu.Unlock()

	next := order.CallbackSuccessURL
	if status != ktwidget.StatusCompleted {
		next = order.CallbackFailedURL
	}
	if next == "" {
		next = order.CallbackBackURL
	}
	if t.post != "" {
		s.notify(t, t.post)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pages.ExecuteTemplate(w, "receipt", map[string]any{"Status": status, "Next": next})
}

// notify delivers the notification on KTPay's (compressed) schedule until
// it is acknowledged (checkAck).
func (s *Server) notify(t *tx, url string) {
	body := notification(t)
	s.notes.Send(t.hash, url, "application/json", body, RetrySchedule)
}

// checkAck says why an answer is not KTPay's acknowledgment: KTPay takes
// only 200 with Content-Type application/json and the body {"status":"ok"}
// (ktwidget.Ack; ktwidget.WriteAck writes it), and resends anything else.
func checkAck(resp *http.Response, body []byte) string {
	switch ct := resp.Header.Get("Content-Type"); {
	case resp.StatusCode != http.StatusOK:
		return "status " + resp.Status + ", KTPay wants 200"
	case !strings.HasPrefix(ct, "application/json"):
		return "Content-Type " + strconv.Quote(ct) + ", KTPay wants application/json"
	case strings.TrimSpace(string(body)) != ktwidget.Ack:
		return "body " + strconv.Quote(string(body)) + ", KTPay wants " + ktwidget.Ack
	}
	return ""
}

// notification is the JSON body KTPay posts to callback_post_url for t.
func notification(t *tx) []byte {
	now := time.Now().In(time.FixedZone("ALMT", 6*3600)).Truncate(time.Second)
	st := map[string]any{"status": t.status, "created_at": now.Format(time.RFC3339), "updated_at": nil, "error": nil}
	if t.status != ktwidget.StatusCompleted {
		st["error"] = map[string]string{"error_type": "ERROR_PAYMENT", "error_message": "KKB rejected payment"}
	}
	body, _ := json.Marshal(map[string]any{
		"merchant_id": MerchantID, "order_id": t.order.OrderID, "description": t.order.Description,
		"amount": t.order.Amount, "transaction_hash": t.hash,
		"created_at": t.created.In(time.FixedZone("ALMT", 6*3600)).Truncate(time.Second).Format(time.RFC3339),
		"updated_at": now.Format(time.RFC3339), "status": st,
	})
	return body
}
