package finrotatest

import (
	"html/template"
	"io"
	"net/http"
	"net/url"
)

var bankPages = template.Must(template.New("bank").Parse(`
{{define "otp"}}<!doctype html><html><head><meta charset="utf-8"><title>Bank 3-D Secure (fake)</title></head><body>
<h1>3-D Secure</h1><p>Order {{.OrderID}}: {{.Amount}} TRY</p>
<form id="finrota-3ds-form" method="post" action="/bank/3d">
<input type="hidden" name="order" value="{{.OrderID}}">
<label>SMS code <input name="code" required></label>
<button id="finrota-3ds-submit" type="submit">Confirm</button>
</form></body></html>{{end}}
{{define "return"}}<!doctype html><html><head><meta charset="utf-8"><title>Returning to the merchant</title></head>
<body onload="document.forms[0].submit()">
<form id="finrota-return-form" method="post" action="{{.ReturnURL}}">
<input type="hidden" name="orderId" value="{{.OrderID}}">
<input type="hidden" name="clientReferenceCode" value="{{.Ref}}">
<input type="hidden" name="success" value="{{.Success}}">
{{if .Error}}<input type="hidden" name="error" value="{{.Error}}">{{end}}
<noscript><button type="submit">Continue</button></noscript>
</form></body></html>{{end}}`))

func (s *Server) find(orderID string) *Payment {
	for _, p := range s.payments {
		if p.OrderID == orderID {
			return p
		}
	}
	return nil
}

func (s *Server) bankPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p := s.find(r.URL.Query().Get("order"))
	if p != nil {
		s.lapse(p)
	}
	var d map[string]string
	if p != nil {
		d = map[string]string{"OrderID": p.OrderID, "Amount": p.Amount.String()}
	}
	s.mu.Unlock()
	if p == nil {
		http.Error(w, "unknown order", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = bankPages.ExecuteTemplate(w, "otp", d)
}

// bankSubmit checks the code and returns the shopper to returnUrl with a
// form POST (orderId, clientReferenceCode, success, error). Finrota does not
// document this return; these are the fake's field names.
func (s *Server) bankSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	p := s.find(r.PostForm.Get("order"))
	if p != nil {
		s.lapse(p)
	}
	if p == nil || p.Status != "pending" {
		s.mu.Unlock()
		http.Error(w, "no 3-D step pending", http.StatusConflict)
		return
	}
	d := map[string]string{"ReturnURL": p.ReturnURL, "OrderID": p.OrderID, "Ref": p.ClientReferenceCode, "Success": "true"}
	if r.PostForm.Get("code") == "123456" {
		p.Status = "paid"
	} else {
		p.Status = "failed"
		d["Success"], d["Error"] = "false", "3-D Secure authentication failed"
	}
	s.mu.Unlock()
	form := url.Values{"orderId": {d["OrderID"]}, "clientReferenceCode": {d["Ref"]}, "success": {d["Success"]}}
	if d["Error"] != "" {
		form.Set("error", d["Error"])
	}
	s.notes.Remember(d["OrderID"], d["ReturnURL"], "application/x-www-form-urlencoded", []byte(form.Encode()))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = bankPages.ExecuteTemplate(w, "return", d)
}

// script is a stand-in for Finrota's widget: FinrotaPay.init with the
// documented options and events. It renders a card form in containerId,
// reads installments with the widget token, calls preparePayment with it,
// and calls onSuccess({prepareToken}) — prepared, not paid.
func (s *Server) script(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	_, _ = io.WriteString(w, widgetJS)
}

const widgetJS = `(function () {
  "use strict";
  var origin = new URL(document.currentScript.src).origin;
  function input(form, name, label) {
    var l = document.createElement("label"); l.textContent = label + " ";
    var i = document.createElement("input"); i.name = name; i.id = "finrota-" + name; i.required = true;
    l.appendChild(i); form.appendChild(l);
  }
  window.FinrotaPay = {
    init: function (o) {
      var host = document.getElementById(o.containerId);
      var form = document.createElement("form"); form.id = "finrota-widget-form";
      input(form, "cardNumber", "Card number"); input(form, "cardHolderName", "Card holder");
      input(form, "expiry", "Expiry (MM/YYYY)"); input(form, "cvv", "CVV");
      var use3D = document.createElement("label"); use3D.textContent = " 3-D Secure ";
      var cb = document.createElement("input"); cb.type = "checkbox"; cb.name = "use3D"; cb.id = "finrota-use3D";
      use3D.appendChild(cb); form.appendChild(use3D);
      var pay = document.createElement("button"); pay.type = "submit"; pay.id = "finrota-pay"; pay.textContent = "Pay " + o.amount + " " + o.currency;
      var close = document.createElement("button"); close.type = "button"; close.id = "finrota-close"; close.textContent = "Close";
      form.appendChild(pay); form.appendChild(close); host.appendChild(form);
      close.addEventListener("click", function () { host.removeChild(form); if (o.onClose) o.onClose(); });
      var auth = {"Authorization": "Bearer " + o.token};
      fetch(origin + "/b2c/widget/installments?amount=" + encodeURIComponent(o.amount), {headers: auth})
        .then(function (r) { return r.json(); })
        .then(function (programs) {
          var token = programs[0].installments[0].token;
          if (o.onReady) o.onReady();
          form.addEventListener("submit", function (e) {
            e.preventDefault();
            var exp = form.elements.expiry.value.split("/");
            var body = {card: {cardNumber: form.elements.cardNumber.value, cardHolderName: form.elements.cardHolderName.value,
              cvv: form.elements.cvv.value, expMonth: parseInt(exp[0], 10), expYear: parseInt(exp[1], 10)},
              use3D: cb.checked, currency: o.currency, amount: o.amount, installmentToken: token};
            fetch(origin + "/b2c/widget/preparePayment", {method: "POST", headers: Object.assign({"Content-Type": "application/json"}, auth), body: JSON.stringify(body)})
              .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, j: j}; }); })
              .then(function (res) {
                if (res.ok && res.j.prepareToken) { if (o.onSuccess) o.onSuccess({prepareToken: res.j.prepareToken}); }
                else if (o.onFail) o.onFail(res.j);
              })
              .catch(function (err) { if (o.onFail) o.onFail({message: String(err)}); });
          });
        })
        .catch(function (err) { if (o.onFail) o.onFail({message: String(err)}); });
    }
  };
})();
`
