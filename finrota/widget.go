package finrota

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// WidgetTokenLifetime is how long Finrota accepts a widget token.
const WidgetTokenLifetime = 20 * time.Minute

// WidgetToken initialises the widget in the shopper's browser
// (FinrotaPay.init({token})). It is the only token the front end ever sees;
// the access token never leaves the Client, and a widget token is not a
// PrepareToken, so neither mistake of the documentation's list compiles.
type WidgetToken struct {
	value Secret
	// ExpiresAt is an estimate: issue time plus 20 minutes.
	ExpiresAt time.Time
}

// Value is the token for the front end.
func (w WidgetToken) Value() string { return w.value.Reveal() }

// String hides the token in logs.
func (w WidgetToken) String() string { return "finrota.WidgetToken{[REDACTED]}" }

// CreateWidgetToken issues a widget token for one payment
// (GET /b2c/widget/token, valid 20 minutes). Safe to retry.
func (c *Client) CreateWidgetToken(ctx context.Context) (_ WidgetToken, err error) {
	ctx, sp := c.http.Trace(ctx, "finrota.CreateWidgetToken", "")
	defer sp.End(&err)
	var r struct {
		Token string `json:"token"`
	}
	issued := time.Now()
	if _, err := c.send(ctx, &httpx.Request{Method: http.MethodGet, Path: "/b2c/widget/token", Retry: httpx.RetrySafe}, &r); err != nil {
		return WidgetToken{}, err
	}
	if r.Token == "" {
		return WidgetToken{}, &httpx.DecodeError{Provider: provider, Into: "WidgetToken", Err: errMissing("token")}
	}
	c.remember(r.Token, issued.Add(WidgetTokenLifetime))
	return WidgetToken{value: Secret(r.Token), ExpiresAt: issued.Add(WidgetTokenLifetime)}, nil
}

// remember keeps issued widget tokens (until they expire) so that one
// passed back as a prepare token is caught before anything is sent.
func (c *Client) remember(tok string, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Sweep expired tokens only when the map has doubled since the last
	// sweep: amortised constant time per token.
	if len(c.widgets) >= c.sweepAt {
		now := time.Now()
		for k, exp := range c.widgets {
			if exp.Before(now) {
				delete(c.widgets, k)
			}
		}
		c.sweepAt = max(2*len(c.widgets), 1024)
	}
	if len(c.widgets) < 100_000 {
		c.widgets[tok] = until
	}
}

func (c *Client) isWidgetToken(tok string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.widgets[tok]
	return ok
}

// PrepareToken is what the widget's onSuccess hands the front end, which
// posts it to the merchant backend: a prepared (not yet paid) payment.
type PrepareToken string

// String hides the token in logs.
func (PrepareToken) String() string { return "finrota.PrepareToken{[REDACTED]}" }

// Card is raw card data, for PreparePayment and Pay only. It never prints.
type Card struct {
	Number     Secret `json:"cardNumber"`
	HolderName string `json:"cardHolderName"`
	CVV        Secret `json:"cvv"`
	ExpMonth   int    `json:"expMonth"`
	ExpYear    int    `json:"expYear"`
}

// validate adds the card's rules to v.
func (c *Card) validate(v *httpx.Violations) {
	switch n := c.Number.Reveal(); {
	case n == "":
		v.Add("card.cardNumber", "required")
	case len(n) < 12 || len(n) > 19 || strings.Trim(n, "0123456789") != "":
		v.Add("card.cardNumber", "must be 12 to 19 digits")
	}
	if strings.TrimSpace(c.HolderName) == "" {
		v.Add("card.cardHolderName", "required")
	}
	switch cvv := c.CVV.Reveal(); {
	case cvv == "":
		v.Add("card.cvv", "required")
	case len(cvv) < 3 || len(cvv) > 4 || strings.Trim(cvv, "0123456789") != "":
		v.Add("card.cvv", "must be 3 or 4 digits")
	}
	if c.ExpMonth < 1 || c.ExpMonth > 12 {
		v.Add("card.expMonth", "must be 1 to 12")
	}
	if c.ExpYear < 2000 || c.ExpYear > 2100 {
		v.Add("card.expYear", "must have four digits")
	}
}

// cardJSON reveals the card for the request body only.
func (c *Card) wire() map[string]any {
	return map[string]any{"cardNumber": c.Number.Reveal(), "cardHolderName": c.HolderName, "cvv": c.CVV.Reveal(), "expMonth": c.ExpMonth, "expYear": c.ExpYear}
}

// PrepareRequest is the widget's own preparePayment call.
type PrepareRequest struct {
	Card             Card
	Use3D            bool
	Currency         Currency
	Amount           Amount
	InstallmentToken string
}

// PreparePayment does what the widget does when the shopper presses pay
// (POST /b2c/widget/preparePayment with the widget token). It exists for
// server-side tests only: a backend that handles card numbers takes on PCI
// DSS scope. Not retried after it may have been sent.
func (c *Client) PreparePayment(ctx context.Context, w WidgetToken, r *PrepareRequest) (_ PrepareToken, err error) {
	ctx, sp := c.http.Trace(ctx, "finrota.PreparePayment", "")
	defer sp.End(&err)
	if w.value.IsZero() {
		return "", httpx.Invalid(provider, "widgetToken", "required")
	}
	if r == nil {
		return "", httpx.Invalid(provider, "request", "required")
	}
	v := httpx.NewViolations(provider, r)
	r.Card.validate(v)
	checkAmount(v, r.Amount)
	if r.Currency == "" {
		v.Add("currency", "required")
	}
	if r.InstallmentToken == "" {
		v.Add("installmentToken", "required")
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	body, err := httpx.MarshalJSON(map[string]any{"card": r.Card.wire(), "use3D": r.Use3D, "currency": r.Currency, "amount": r.Amount, "installmentToken": r.InstallmentToken})
	if err != nil {
		return "", err
	}
	req := &httpx.Request{Method: http.MethodPost, Path: "/b2c/widget/preparePayment", Body: body,
		Header: http.Header{"Authorization": {"Bearer " + w.value.Reveal()}}, Retry: httpx.RetryIfNotSent,
		Unknown: "a lost preparePayment moves no money: prepare again with a new widget token; never complete an unknown prepare token"}
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		return "", err
	}
	var out struct {
		PrepareToken string `json:"prepareToken"`
	}
	if err := httpx.DecodeJSON(provider, resp.Body, &out); err != nil || out.PrepareToken == "" {
		return "", req.OutcomeUnknown(provider, &httpx.DecodeError{Provider: provider, Into: "PrepareToken", Err: errMissing("prepareToken")})
	}
	return PrepareToken(out.PrepareToken), nil
}

// ScriptURL is Finrota's widget script.
const ScriptURL = "https://cdnecozum.com/static/finrota-widget/v1.0.0/index.umd.js"

// Widget renders FinrotaPay.init for a merchant page.
type Widget struct {
	Token    WidgetToken
	Amount   Amount
	Currency Currency
	// Mode is "modal" (default) or as Finrota documents.
	Mode string
	// ContainerID is the element the widget mounts in (default
	// "payment-container"); the snippet renders it.
	ContainerID string
	// Environment is "prod" (the only documented value, default).
	Environment string
	// ScriptURL overrides Finrota's script (for the fake).
	ScriptURL string
	// CompleteURL is the merchant endpoint onSuccess posts the prepare
	// token to; its JSON reply {"redirect": url} sends the browser on.
	CompleteURL string
	// CSRFToken is sent as X-CSRF-Token with that post, for a merchant
	// whose CSRF defence is a session token. CompleteURL moves money, so it
	// needs one defence or the other, and Snippet refuses a widget that
	// names neither: set CSRFToken, or wrap the CompleteURL handler in
	// http.CrossOriginProtection (Go 1.25+; it refuses the cross-origin post
	// a token would, and the snippet's fetch is same-origin) and say so with
	// CrossOriginProtected.
	CSRFToken string
	// CrossOriginProtected states that the CompleteURL handler is wrapped in
	// http.CrossOriginProtection, so no CSRFToken is needed (none is sent).
	CrossOriginProtected bool
	// Nonce is the page's CSP nonce for the inline script.
	Nonce string
}

var widgetTemplate = template.Must(template.New("widget").Parse(`<div id="{{.ContainerID}}"></div>
<script src="{{.ScriptURL}}"></script>
<script{{if .Nonce}} nonce="{{.Nonce}}"{{end}}>
FinrotaPay.init({
  token: {{.Token}},
  amount: {{.Amount}},
  currency: {{.Currency}},
  mode: {{.Mode}},
  containerId: {{.ContainerID}},
  environment: {{.Environment}},
  onReady: function () { document.dispatchEvent(new CustomEvent("finrota:ready")); },
  // onSuccess means PREPARED, not paid: the backend completes the payment.
  onSuccess: function (data) {
    fetch({{.CompleteURL}}, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"{{if .CSRFToken}}, "X-CSRF-Token": {{.CSRFToken}}{{end}}},
      body: JSON.stringify({prepareToken: data && data.prepareToken})})
      .then(function (r) { return r.json(); })
      .then(function (r) { if (r && r.redirect) { window.location.href = r.redirect; } });
  },
  onFail: function (error) { document.dispatchEvent(new CustomEvent("finrota:fail", {detail: error})); },
  onClose: function () { document.dispatchEvent(new CustomEvent("finrota:close")); }
});
</script>`))

// Snippet renders the widget's container, Finrota's script and the
// FinrotaPay.init call with every value escaped for JavaScript. Its
// onSuccess posts the prepare token to CompleteURL; the payment is made
// there, by CompletePayment, never by the browser. Token, Amount and
// CompleteURL are required; every missing one is reported at once.
func (w Widget) Snippet() (template.HTML, error) {
	v := httpx.NewViolations(provider, w)
	if w.Token.value.IsZero() {
		v.AddField("Token", "token", "required: a widget token from CreateWidgetToken")
	}
	checkAmount(v, w.Amount)
	if w.CompleteURL == "" {
		v.AddField("CompleteURL", "", "required: the backend completes the payment")
	}
	switch {
	case w.CSRFToken == "" && !w.CrossOriginProtected:
		v.AddField("CSRFToken", "X-CSRF-Token", "required: the session's CSRF token, or CrossOriginProtected when CompleteURL is behind http.CrossOriginProtection")
	case w.CSRFToken != "" && strings.TrimSpace(w.CSRFToken) == "":
		v.AddField("CSRFToken", "X-CSRF-Token", "blank: set the session's token")
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	if w.Currency == "" {
		w.Currency = TRY
	}
	if w.Mode == "" {
		w.Mode = "modal"
	}
	if w.ContainerID == "" {
		w.ContainerID = "payment-container"
	}
	if w.Environment == "" {
		w.Environment = "prod"
	}
	if w.ScriptURL == "" {
		w.ScriptURL = ScriptURL
	}
	var b bytes.Buffer
	err := widgetTemplate.Execute(&b, map[string]any{
		"ContainerID": w.ContainerID, "ScriptURL": w.ScriptURL, "Nonce": w.Nonce, "Token": w.Token.Value(),
		"Amount": template.JS(w.Amount.String()), "Currency": string(w.Currency), "Mode": w.Mode,
		"Environment": w.Environment, "CompleteURL": w.CompleteURL, "CSRFToken": w.CSRFToken,
	})
	if err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}
