package iotpaytest

import (
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paywidget/paywidget-go/iotpay"
)

var pages = template.Must(template.New("pages").Parse(`
{{define "card"}}<!doctype html><html><head><meta charset="utf-8"><title>IOTPay (fake)</title></head><body>
<h1>IOTPay test {{.Title}}</h1>{{if .Amount}}<p id="amount">{{.Amount}}</p>{{end}}
<form id="iotpay-card-form" method="post" action="{{.Action}}">
<input type="hidden" name="key" value="{{.Key}}">
<label>Card holder <input name="holder" required></label>
<label>Card number <input name="cardNum" required></label>
<label>Expiry (MMYY) <input name="expiryDate" required></label>
<label>CVV <input name="cvv" required></label>
<button id="iotpay-submit" type="submit">{{.Title}}</button>
</form></body></html>{{end}}`))

func (s *Server) purchasePage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	o, ok := s.pending[r.URL.Query().Get("key")]
	s.mu.Unlock()
	if !ok {
		http.Error(w, "unknown or used secureId", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pages.ExecuteTemplate(w, "card", map[string]any{"Title": "Pay", "Action": "/cc/pay", "Key": o.secureID,
		"Amount": o.Amount.String() + " " + o.Currency})
}

func (s *Server) addCardPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	_, ok := s.binding[r.URL.Query().Get("key")]
	s.mu.Unlock()
	if !ok {
		http.Error(w, "unknown or used secureId", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pages.ExecuteTemplate(w, "card", map[string]any{"Title": "Add card", "Action": "/cc/bind", "Key": r.URL.Query().Get("key")})
}

// cardForm is what a shopper enters, on the page or in the widget.
type cardForm struct {
	SecureID   string `json:"secureId"`
	Action     string `json:"action"`
	CardNum    string `json:"cardNum"`
	ExpiryDate string `json:"expiryDate"`
	CVV        string `json:"cvv"`
	Holder     string `json:"holder"`
}

func (f cardForm) valid() bool {
	n := strings.ReplaceAll(f.CardNum, " ", "")
	return len(n) >= 12 && len(n) <= 19 && strings.Trim(n, "0123456789") == "" && len(f.ExpiryDate) == 4
}

// pay settles the pending order of a secureId; it returns the order and
// where to send the browser.
func (s *Server) pay(f cardForm) (iotpay.Order, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.pending[f.SecureID]
	if !ok {
		return iotpay.Order{}, "", false
	}
	delete(s.pending, f.SecureID)
	s.settle(o, strings.ReplaceAll(f.CardNum, " ", ""), f.ExpiryDate, s.outcome(strings.ReplaceAll(f.CardNum, " ", "")))
	q := url.Values{"mchOrderNo": {o.MchOrderNo}, "retCode": {"SUCCESS"}, "status": {strconv.Itoa(int(o.Status))}}
	if o.Status.Failed() {
		q.Set("retCode", "FAIL")
		q.Set("retMsg", "declined")
	}
	return o.Order, appendQuery(o.returnURL, q), true
}

// bind binds the card of an add-card secureId.
func (s *Server) bind(f cardForm) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.binding[f.SecureID]
	if !ok {
		return "", false
	}
	delete(s.binding, f.SecureID)
	c.number, c.expiry, c.holder, c.cvv, c.bound = strings.ReplaceAll(f.CardNum, " ", ""), f.ExpiryDate, f.Holder, f.CVV, true
	return appendQuery(c.returnURL, url.Values{"retCode": {"SUCCESS"}}), true
}

func formOf(r *http.Request) (cardForm, bool) {
	r.Body = http.MaxBytesReader(nil, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return cardForm{}, false
	}
	f := cardForm{SecureID: r.PostForm.Get("key"), CardNum: r.PostForm.Get("cardNum"), ExpiryDate: r.PostForm.Get("expiryDate"),
		CVV: r.PostForm.Get("cvv"), Holder: r.PostForm.Get("holder")}
	return f, f.valid()
}

func (s *Server) payForm(w http.ResponseWriter, r *http.Request) {
	f, ok := formOf(r)
	if !ok {
		http.Error(w, "card number and MMYY expiry required", http.StatusBadRequest)
		return
	}
	_, to, ok := s.pay(f)
	if !ok {
		http.Error(w, "unknown or used secureId", http.StatusNotFound)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

func (s *Server) bindForm(w http.ResponseWriter, r *http.Request) {
	f, ok := formOf(r)
	if !ok {
		http.Error(w, "card number and MMYY expiry required", http.StatusBadRequest)
		return
	}
	to, ok := s.bind(f)
	if !ok {
		http.Error(w, "unknown or used secureId", http.StatusNotFound)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

func (s *Server) cors(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Allow-Methods", "POST")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	w.WriteHeader(http.StatusNoContent)
}

// widget is the stand-in widget's unsigned card submission (IOTPay's own
// widget posts card data keyed by secureId the same way).
func (s *Server) widget(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	var f cardForm
	if err := json.NewDecoder(io.LimitReader(r.Body, 16<<10)).Decode(&f); err != nil || !f.valid() {
		reply(w, nil, "card number and MMYY expiry required")
		return
	}
	if f.Action == iotpay.ActionAdd {
		if _, ok := s.bind(f); !ok {
			reply(w, nil, "unknown or used secureId")
			return
		}
		reply(w, map[string]string{"retCode": "SUCCESS"}, "")
		return
	}
	o, to, ok := s.pay(f)
	switch {
	case !ok:
		reply(w, nil, "unknown or used secureId")
	case o.Status.Failed():
		reply(w, nil, "declined")
	case o.Status.Pending():
		reply(w, nil, "Timeout")
	default:
		o.RedirectURL = to
		reply(w, o, "")
	}
}

// script is a stand-in for iotpaycc.js: the documented global
// Iotpay(secureId, 'Pay'|'Add', options).mount(selector, callback), a plain
// card form, and the callback event {result, message, detail: {retData}}.
func (s *Server) script(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	_, _ = io.WriteString(w, widgetJS)
}

const widgetJS = `(function () {
  "use strict";
  var origin = new URL(document.currentScript.src).origin;
  function field(form, name, label) {
    var l = document.createElement("label");
    l.textContent = label + " ";
    var i = document.createElement("input");
    i.name = name; i.id = "iotpay-" + name; i.required = true;
    l.appendChild(i); form.appendChild(l);
  }
  window.Iotpay = function (secureId, action, options) {
    options = options || {};
    return {
      mount: function (selector, callback) {
        var el = document.querySelector(selector);
        var form = document.createElement("form");
        form.id = "iotpay-widget-form";
        field(form, "holder", "Card holder");
        field(form, "cardNum", "Card number");
        field(form, "expiryDate", "Expiry (MMYY)");
        field(form, "cvv", "CVV");
        var b = document.createElement("button");
        b.type = "submit"; b.id = "iotpay-widget-submit";
        b.textContent = (options.button && options.button.text) || (action === "Add" ? "Add card" : "Pay");
        form.appendChild(b);
        el.appendChild(form);
        form.addEventListener("submit", function (e) {
          e.preventDefault();
          b.disabled = true;
          var body = {secureId: secureId, action: action};
          ["holder", "cardNum", "expiryDate", "cvv"].forEach(function (n) { body[n] = form.elements[n].value; });
          fetch(origin + "/cc/widget", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
            .then(function (r) { return r.json(); })
            .then(function (res) {
              b.disabled = false;
              callback({result: res.retCode, message: res.retMsg, detail: {retData: res.retData}});
            })
            .catch(function (err) { b.disabled = false; callback({result: "FAIL", message: String(err)}); });
        });
      }
    };
  };
})();
`

func appendQuery(base string, q url.Values) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + q.Encode()
}

// cents is a stored amount as the integer cents IOTPay's wire carries (the
// fake makes every amount from cents, so it is exact).
func cents(a iotpay.Amount) int64 {
	c, _ := a.MinorUnits(2)
	return c
}
