package iotpay

import (
	"bytes"
	"html/template"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Widget actions.
const (
	ActionPay = "Pay"
	ActionAdd = "Add"
)

// Button styles the widget's button (IOTPay's documented options).
type Button struct {
	Text            string `json:"text,omitempty"`
	Color           string `json:"color,omitempty"`
	BackgroundColor string `json:"backgroundColor,omitempty"`
	BackgroundImage string `json:"backgroundImage,omitempty"`
	BoxShadow       string `json:"boxShadow,omitempty"`
	Height          string `json:"height,omitempty"`
}

// WidgetOptions are the options of Iotpay(secureId, action, options).
type WidgetOptions struct {
	DarkMode bool    `json:"darkMode,omitempty"`
	Theme    string  `json:"theme,omitempty"`
	Button   *Button `json:"button,omitempty"`
}

// Embed describes IOTPay's embedded card widget on a merchant page.
//
// The page loads iotpaycc.js from IOTPay's own host (IOTPay forbids
// bundling or self-hosting it) and calls
//
//	Iotpay(secureId, 'Pay' | 'Add', options).mount('#element', callback)
//
// The callback receives an event whose result is "SUCCESS" or "FAIL";
// event.detail.retData carries the order fields (and redirectUrl). For
// UnionPay, event.message "Timeout" means the widget gave up waiting: query
// the order (Client.Query by mchOrderNo) before anything else. The browser's
// word is never proof of payment: settle the order from the notification or
// a Query.
type Embed struct {
	// SecureID comes from Purchase or AddCard.
	SecureID string
	// Action is ActionPay (default) or ActionAdd.
	Action string
	// ElementID is the id of the element the widget mounts in (default
	// "iotpay-widget"); Embed renders that element.
	ElementID string
	// Callback names a global JavaScript function the page defines to
	// receive the widget's event (default: none).
	Callback string
	Options  WidgetOptions
	// Nonce is the page's CSP nonce for the inline script, if it uses one.
	Nonce string
}

var embedTemplate = template.Must(template.New("embed").Parse(`<div id="{{.ElementID}}"></div>
<script src="{{.ScriptURL}}"></script>
<script{{if .Nonce}} nonce="{{.Nonce}}"{{end}}>
Iotpay({{.SecureID}}, {{.Action}}, {{.Options}}).mount({{.Selector}}, function (event) {
  var cb = {{.Callback}};
  if (cb && typeof window[cb] === "function") { window[cb](event); }
});
</script>`))

// ScriptURL is iotpaycc.js on the client's IOTPay host.
func (c *Client) ScriptURL() string { return c.http.BaseURL() + "/cc/iotpaycc.js" }

// Embed renders the widget's HTML: its element, IOTPay's script and the
// mount call, every value escaped for its context.
func (c *Client) Embed(e Embed) (template.HTML, error) {
	if e.Action == "" {
		e.Action = ActionPay
	}
	v := httpx.NewViolations(provider, e)
	if e.Action != ActionPay && e.Action != ActionAdd {
		v.Add("action", "must be Pay or Add")
	}
	switch {
	case e.SecureID == "":
		v.Add("secureId", "required")
	case len(e.SecureID) > 128:
		v.Add("secureId", "at most 128 characters")
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	if e.ElementID == "" {
		e.ElementID = "iotpay-widget"
	}
	var b bytes.Buffer
	err := embedTemplate.Execute(&b, map[string]any{
		"ElementID": e.ElementID, "ScriptURL": c.ScriptURL(), "Nonce": e.Nonce,
		"SecureID": e.SecureID, "Action": e.Action, "Options": e.Options,
		"Selector": "#" + e.ElementID, "Callback": e.Callback,
	})
	if err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}
