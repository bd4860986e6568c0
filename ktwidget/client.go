package ktwidget

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/once"
)

const provider = "ktwidget"

// Environment is a pair of KTPay hosts: the API ("fintech") host and the
// widget host.
type Environment struct {
	API    string
	Widget string
}

// The documented host pairs.
var (
	Test       = Environment{API: "https://fintech.test.nplus.tech", Widget: "https://widget.test.nplus.tech"}
	Production = Environment{API: "https://fintech.nplus.tech", Widget: "https://widget.nplus.tech"}
)

// Config is what a KTPay manager hands over, plus the merchant's own secret
// for callback URLs.
type Config struct {
	// AppID is app_id, sent as Auth-Identifier.
	AppID Secret
	// PublicKey is app_key: KTPay's X25519 public key, base64 of 32 bytes.
	PublicKey string
	// Environment selects the hosts. Required unless WithBaseURL is given:
	// a client never talks to Production by default. WithBaseURL replaces
	// the API host; WidgetURL replaces the widget host (without either
	// Environment or WidgetURL, the widget host is the base URL).
	Environment Environment
	// WidgetURL overrides the widget host.
	WidgetURL string
	// CallbackSecret keys the per-order token in callback URLs (at least 16
	// bytes). Required with CallbackBase and for the notification handler.
	CallbackSecret Secret
	// CallbackBase is the absolute http(s) URL (https with Production) of
	// the merchant's
	// notification endpoint (where NotificationHandler is mounted), for
	// example "https://shop.example/ktpay/notify". CreatePayment derives
	// every order's callback_post_url from it (see CallbackURL). Configure
	// it once from the merchant's own settings: never build it from a
	// request's Host or X-Forwarded-* headers, which the shopper controls —
	// a forged Host would send KTPay's notification, and the per-order
	// token that authenticates it, to the attacker. Empty: no
	// callback_post_url is sent, and KTPay notifies nobody.
	CallbackBase string
	// Claims keeps, per order_id, whether a repeatable call
	// (CreatePaymentOnce) is new, in progress or done, and the verdict the
	// NotificationHandler recorded for it. Nil: an in-process store
	// (NewMemoryStore), right for one replica only; replicas behind a load
	// balancer share one (NewSQLStore), the same one that makes
	// notifications exactly-once.
	Claims Store
	// ClaimLease is how long one repeatable call holds its reference
	// (default DefaultClaimLease). It must exceed the HTTP client's timeout
	// (60 s by default), so that nobody takes a reference over while a
	// request for it is in flight.
	ClaimLease time.Duration
}

// Client talks to KTPay's merchant-widget API. It is safe for concurrent
// use; SetPublicKey swaps KTPay's key while it runs.
type Client struct {
	http      *httpx.Client
	appID     Secret
	widget    string
	secret    Secret
	callback  string
	publicKey atomic.Pointer[[32]byte]
	rand      io.Reader
	auth      http.Header // Auth-Identifier and Accept, sent with every call
	guard     once.Guard
	// production refuses http callback URLs (see httpx.URLRule).
	production bool
}

// New validates cfg and opts and returns a Client. It sends nothing. Every
// problem of cfg is reported at once: the error joins one *ValidationError
// per broken rule, each matching ErrInvalidRequest.
func New(cfg Config, opts ...Option) (*Client, error) {
	s := httpx.DefaultSettings()
	v := httpx.NewViolations(provider, nil)
	v.AddErr(applyOptions(&s, opts))
	production := cfg.Environment == Production
	if cfg.AppID.IsZero() || len(cfg.AppID.Reveal()) > 128 {
		v.AddField("AppID", "app_id", "required, at most 128 characters")
	}
	if _, err := ParsePublicKey(cfg.PublicKey); err != nil {
		var ve *httpx.ValidationError
		if errors.As(err, &ve) {
			v.AddField("PublicKey", "app_key", ve.Rule)
		} else {
			v.AddErr(err)
		}
	}
	if !cfg.CallbackSecret.IsZero() && len(cfg.CallbackSecret.Reveal()) < 16 {
		v.AddField("CallbackSecret", "", "at least 16 bytes")
	}
	if cfg.CallbackBase != "" {
		v.URL("CallbackBase", "callback_post_url", cfg.CallbackBase, 0, false, production)
		if cfg.CallbackSecret.IsZero() {
			v.AddField("CallbackSecret", "", "required with CallbackBase")
		}
	}
	g, err := once.NewGuard(provider, cfg.Claims, cfg.ClaimLease, s.Timeout())
	v.AddErr(err)
	v.Environment(&s, cfg.Environment == (Environment{}), cfg.Environment == Test || production, "ktwidget.Test or ktwidget.Production")
	// Without an Environment the widget host is WidgetURL or, failing that,
	// the base URL: never a production host by default.
	widget := cfg.Environment.Widget
	if widget == "" {
		widget = s.BaseURL
	}
	if cfg.WidgetURL != "" {
		widget = cfg.WidgetURL
	}
	if widget != "" || cfg.WidgetURL != "" {
		v.HostURL("WidgetURL", widget)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	hc, err := httpx.New(httpx.Config{Provider: provider, BaseURL: cfg.Environment.API, DecodeError: decodeError}, s)
	if err != nil {
		return nil, err
	}
	c := &Client{http: hc, appID: cfg.AppID, widget: strings.TrimRight(widget, "/"), secret: cfg.CallbackSecret, callback: cfg.CallbackBase, rand: rand.Reader, production: production,
		auth: http.Header{"Auth-Identifier": {cfg.AppID.Reveal()}, "Accept": {"application/json"}}, guard: g}
	if err := c.SetPublicKey(cfg.PublicKey); err != nil {
		return nil, err
	}
	return c, nil
}

// SetPublicKey replaces KTPay's public key, for example after error 4220104
// (key expired). Calls already sealing keep the key they started with.
func (c *Client) SetPublicKey(b64 string) error {
	k, err := ParsePublicKey(b64)
	if err != nil {
		return err
	}
	c.publicKey.Store(k)
	return nil
}

// ParsePublicKey decodes app_key: base64, padded or not, standard or
// URL-safe alphabet, which must hold exactly 32 bytes.
func ParsePublicKey(b64 string) (*[32]byte, error) {
	b64 = strings.TrimSpace(b64)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(b64)
		if err != nil {
			continue
		}
		if len(b) != 32 {
			return nil, httpx.Invalid(provider, "PublicKey", "must decode to 32 bytes")
		}
		var k [32]byte
		copy(k[:], b)
		return &k, nil
	}
	return nil, httpx.Invalid(provider, "PublicKey", "is not base64")
}

// String describes the client without its credentials.
func (c *Client) String() string {
	return "ktwidget.Client{" + c.http.BaseURL() + " widget " + c.widget + "}"
}

// BaseURL is the API host; WidgetBaseURL the widget host.
func (c *Client) BaseURL() string { return c.http.BaseURL() }

// WidgetBaseURL is the host of the widget page.
func (c *Client) WidgetBaseURL() string { return c.widget }
