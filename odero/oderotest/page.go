package oderotest

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/paywidget/paywidget-go/odero"
)

// The hosted page, the 3-D Secure step and the return to the merchant. The
// markup is stable: tests and the checkout example drive it by these names.
var pageTemplates = template.Must(template.New("page").Parse(`
{{define "card"}}<!doctype html>
<html><head><meta charset="utf-8"><title>OderoPay checkout (fake)</title></head>
<body>
<h1>OderoPay test checkout</h1>
<p id="amount">{{.Amount}} {{.Currency}}</p>
<form id="odero-card-form" method="post" action="/checkout/{{.Token}}/pay">
<label>Card holder <input name="cardHolderName" autocomplete="cc-name" required></label>
<label>Card number <input name="cardNumber" inputmode="numeric" autocomplete="cc-number" required></label>
<label>Expiry month <input name="expireMonth" required></label>
<label>Expiry year <input name="expireYear" required></label>
<label>CVC <input name="cvc" inputmode="numeric" autocomplete="cc-csc" required></label>
<label><input type="checkbox" name="saveCard" value="true"> Save my card</label>
<button id="odero-pay" type="submit">Pay</button>
</form>
</body></html>{{end}}
{{define "3ds"}}<!doctype html>
<html><head><meta charset="utf-8"><title>3-D Secure (fake)</title></head>
<body>
<h1>3-D Secure</h1>
<form id="odero-3ds-form" method="post" action="/checkout/{{.Token}}/3ds">
<label>Code sent by SMS <input name="code" inputmode="numeric" required></label>
<button id="odero-3ds-submit" type="submit">Confirm</button>
</form>
</body></html>{{end}}
{{define "return"}}<!doctype html>
<html><head><meta charset="utf-8"><title>Returning to the merchant</title></head>
<body onload="document.forms[0].submit()">
<form id="odero-callback-form" method="post" action="{{.CallbackURL}}">
<input type="hidden" name="token" value="{{.Token}}">
{{if .PaymentID}}<input type="hidden" name="paymentIdList" value="{{.PaymentID}}">{{end}}
<noscript><button type="submit">Continue</button></noscript>
</form>
</body></html>{{end}}
{{define "done"}}<!doctype html><html><head><meta charset="utf-8"><title>Payment finished</title></head>
<body><p id="odero-done">Payment finished: {{.}}</p></body></html>{{end}}
`))

type pageData struct {
	Token, Amount, Currency, CallbackURL string
	PaymentID                            string
}

func render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The fake page may be framed by any merchant page (iframe=True).
	w.Header().Set("Content-Security-Policy", "frame-ancestors *")
	_ = pageTemplates.ExecuteTemplate(w, name, data)
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c, ok := s.checkouts[r.PathValue("token")]
	s.mu.Unlock()
	if !ok {
		http.Error(w, "unknown checkout", http.StatusNotFound)
		return
	}
	render(w, "card", pageData{Token: c.token, Amount: c.req.PaidPrice.String(), Currency: string(c.req.Currency)})
}

// testOutcome maps the documented test cards to outcomes.
func testOutcome(number string) Outcome {
	switch number {
	case "4000000000000002":
		return Outcome{Status: odero.PaymentStatusFailure, Group: odero.GroupDoNotHonour, Code: "10005"}
	case "4000000000009995":
		return Outcome{Status: odero.PaymentStatusFailure, Group: odero.GroupNotSufficientFunds, Code: "10051"}
	case "4000000000003220":
		return Outcome{Status: odero.PaymentStatusSuccess, ThreeDS: true}
	}
	return Outcome{Status: odero.PaymentStatusSuccess}
}

func (s *Server) submitCard(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	number := strings.ReplaceAll(r.PostForm.Get("cardNumber"), " ", "")
	if len(number) < 12 || len(number) > 19 || strings.Trim(number, "0123456789") != "" {
		http.Error(w, "card number must be 12 to 19 digits", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	c, ok := s.checkouts[r.PathValue("token")]
	if !ok || c.payment != nil {
		s.mu.Unlock()
		http.Error(w, "unknown or already paid checkout", http.StatusConflict)
		return
	}
	o := testOutcome(number)
	if len(s.next) > 0 {
		o, s.next = s.next[0], s.next[1:]
	}
	p := s.pay(c, number[:6], number[len(number)-4:], o)
	if r.PostForm.Get("saveCard") == "true" && p.status != odero.PaymentStatusFailure {
		s.storeCard(c, r.PostForm.Get("cardHolderName"), number, r.PostForm.Get("expireMonth"), r.PostForm.Get("expireYear"))
	}
	threeDS := p.status == odero.PaymentStatusInitThreeDS
	data := s.returnData(c)
	s.mu.Unlock()
	if threeDS {
		render(w, "3ds", pageData{Token: c.token})
		return
	}
	s.finish(w, data)
}

func (s *Server) submitThreeDS(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	c, ok := s.checkouts[r.PathValue("token")]
	if !ok || c.payment == nil || c.payment.status != odero.PaymentStatusInitThreeDS {
		s.mu.Unlock()
		http.Error(w, "no 3-D Secure step pending", http.StatusConflict)
		return
	}
	if r.PostForm.Get("code") == "123456" {
		c.payment.status = odero.PaymentStatusSuccess
	} else {
		c.payment.status = odero.PaymentStatusFailure
		c.payment.group, c.payment.code = "3DS_AUTHENTICATION_FAILED", "10300"
	}
	data := s.returnData(c)
	s.mu.Unlock()
	s.finish(w, data)
}

// returnData is what the page posts back; the caller holds s.mu.
func (s *Server) returnData(c *checkout) pageData {
	return pageData{Token: c.token, CallbackURL: c.req.CallbackURL, PaymentID: itoa(c.payment.id)}
}

// finish sends the browser back to the merchant's callbackUrl with the
// documented form POST, or ends on the gateway's page when there is none.
func (s *Server) finish(w http.ResponseWriter, d pageData) {
	if d.CallbackURL == odero.NoCallbackURL {
		render(w, "done", d.Token)
		return
	}
	render(w, "return", d)
}
