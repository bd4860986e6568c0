package odero

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/once"
)

const provider = "odero"

// Environment is an OderoPay deployment: a region (Turkey or Azerbaijan) and
// a stage (sandbox or production). Keys are issued per environment.
type Environment string

// The documented API hosts. Hosted checkout pages live on other hosts; always
// use the pageUrl InitCheckout returns.
const (
	SandboxTR    Environment = "https://sandbox-api-gateway.oderopay.com.tr"
	ProductionTR Environment = "https://api-gateway.oderopay.com.tr"
	SandboxAZ    Environment = "https://sbx-api-gateway.odero.az"
	ProductionAZ Environment = "https://api-gateway.odero.az"
)

// DefaultAuthVersion is sent as x-auth-version unless Config says otherwise.
const DefaultAuthVersion = "v1"

// Config is what a merchant gets from the OderoPay dashboard's Profile page.
type Config struct {
	// APIKey is sent in x-api-key and signed.
	APIKey Secret
	// SecretKey is only ever signed, never sent.
	SecretKey Secret
	// Environment selects the API host. Required unless WithBaseURL is given:
	// a client never talks to a production host by default.
	Environment Environment
	// AuthVersion is sent as x-auth-version (default "v1").
	AuthVersion string
	// CallbackURL is the absolute http(s) URL (https with a production
	// environment) InitCheckout sends as
	// callbackUrl: where the shopper's browser form-POSTs the checkout token
	// after payment (where CallbackHandler is mounted), for example
	// "https://shop.example/odero/callback". Set it once from the merchant's
	// configuration, never from a request's Host or X-Forwarded-* headers,
	// which the shopper controls. Empty: only SUBSCRIPTION checkouts can be
	// opened, with NoCallbackURL.
	CallbackURL string
	// Claims keeps, per refund conversationId, whether a repeatable call
	// (RefundOnce, RefundTransactionOnce) is new, in progress or done. Nil:
	// an in-process store (NewMemoryStore), right for one replica only;
	// replicas behind a load balancer share one (NewSQLStore), the same one
	// that makes callbacks exactly-once.
	Claims Store
	// ClaimLease is how long one repeatable call holds its reference
	// (default DefaultClaimLease). It must exceed the HTTP client's timeout
	// (60 s by default), so that nobody takes a reference over while a
	// request for it is in flight.
	ClaimLease time.Duration
}

// Client calls the OderoPay API. It is safe for concurrent use by many
// goroutines.
type Client struct {
	http     *httpx.Client
	signer   signer
	sign     func(*http.Request, []byte) error // signer.sign, bound once
	callback string
	guard    once.Guard
}

// New validates cfg and opts and returns a Client. It sends nothing. Every
// problem of cfg is reported at once: the error joins one *ValidationError
// per broken rule, each matching ErrInvalidRequest.
func New(cfg Config, opts ...Option) (*Client, error) {
	s := httpx.DefaultSettings()
	v := httpx.NewViolations(provider, nil)
	v.AddErr(applyOptions(&s, opts))
	v.Required("APIKey", "x-api-key", cfg.APIKey.IsZero())
	v.Required("SecretKey", "", cfg.SecretKey.IsZero())
	if cfg.AuthVersion == "" {
		cfg.AuthVersion = DefaultAuthVersion
	}
	if strings.ContainsAny(cfg.AuthVersion, "\r\n") {
		v.AddField("AuthVersion", "x-auth-version", "must not contain a line break")
	}
	production := cfg.Environment == ProductionTR || cfg.Environment == ProductionAZ
	v.Environment(&s, cfg.Environment == "", production || cfg.Environment == SandboxTR || cfg.Environment == SandboxAZ,
		"odero.SandboxTR, odero.SandboxAZ, odero.ProductionTR or odero.ProductionAZ")
	v.URL("CallbackURL", "callbackUrl", cfg.CallbackURL, 0, false, production)
	g, err := once.NewGuard(provider, cfg.Claims, cfg.ClaimLease, s.Timeout())
	v.AddErr(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	c := &Client{signer: signer{apiKey: cfg.APIKey, secretKey: cfg.SecretKey, version: cfg.AuthVersion}, callback: cfg.CallbackURL, guard: g}
	c.sign = c.signer.sign
	hc, err := httpx.New(httpx.Config{
		Provider:        provider,
		BaseURL:         string(cfg.Environment),
		FollowRedirects: false,
		DecodeError:     c.decodeError,
	}, s)
	if err != nil {
		return nil, err
	}
	c.http = hc
	return c, nil
}

// String describes the client without its credentials.
func (c *Client) String() string { return "odero.Client{" + c.http.BaseURL() + "}" }

// BaseURL is the API host requests go to.
func (c *Client) BaseURL() string { return c.http.BaseURL() }

// Do calls an OderoPay endpoint the SDK does not wrap, signed like every
// call and with its typed errors (an errors envelope in a 200 reply
// included). path is below the gateway ("/payment/v1/card-storage/cards"),
// in (may be nil) is sent as JSON and out (may be nil) receives the reply's
// data member. GET is retried on failures; every other method only when the
// request never left.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, in, out any) (_ Meta, err error) {
	ctx, sp := c.http.Trace(ctx, "odero.Do", "")
	defer sp.End(&err)
	if _, _, err := httpx.EscapeHatch(provider, method, path, in); err != nil {
		return Meta{}, err
	}
	class := httpx.RetryIfNotSent
	if method == http.MethodGet || method == http.MethodHead {
		class = httpx.RetrySafe
	}
	return c.call(ctx, method, path, query, in, out, class)
}

// unknownAdvice is what to do when a money call's outcome is unknown (its
// ErrOutcomeUnknown text), by path.
var unknownAdvice = map[string]string{
	pathInitCheckout:       "a lost checkout init moves no money: start a new checkout with a new conversationId; never send this one again",
	pathRefunds:            "look the refund up (GetRefund, or the dashboard by conversationId) before retrying; never send it again",
	pathRefundTransactions: "look the refund transaction up (GetRefundTransaction, or the dashboard by conversationId) before retrying; never send it again",
}

// Paths of the money calls.
const (
	pathInitCheckout       = "/payment/v1/checkout-payments/init"
	pathRefunds            = "/payment/v1/refunds"
	pathRefundTransactions = "/payment/v1/refund-transactions"
)

// send is one signed request. A nil in sends no body.
func (c *Client) send(ctx context.Context, method, path string, q url.Values, in any, class httpx.RetryClass) (*httpx.Response, error) {
	var body []byte
	if in != nil {
		b, err := httpx.MarshalJSON(in)
		if err != nil {
			return nil, httpx.Invalid(provider, "request", "cannot be encoded as JSON")
		}
		body = b
	}
	return c.http.Do(ctx, &httpx.Request{
		Method:  method,
		Path:    path,
		Query:   q,
		Body:    body,
		Retry:   class,
		Unknown: unknownAdvice[path],
		Sign:    c.sign, // httpx sends Accept: application/json on every request
	})
}

// call is send followed by decoding the reply's data member into out (when
// out is not nil and the reply has a body). A money call whose reply cannot
// be decoded fails with ErrOutcomeUnknown.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, in, out any, class httpx.RetryClass) (Meta, error) {
	resp, err := c.send(ctx, method, path, q, in, class)
	if resp == nil {
		return Meta{}, err
	}
	meta := resp.Meta()
	if err != nil {
		return meta, err
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return meta, nil
	}
	if err := decodeData(resp.Body, out); err != nil {
		if class == httpx.RetryIfNotSent {
			err = (&httpx.Request{Method: method, Path: path, Unknown: unknownAdvice[path]}).OutcomeUnknown(provider, err)
		}
		return meta, err
	}
	return meta, nil
}

// decodeData decodes the data member of an envelope into out. A missing or
// null data leaves out as it is.
func decodeData(body []byte, out any) error {
	// One pass: encoding/json decodes "data" into the value out points to.
	env := struct {
		Data   any           `json:"data"`
		Errors *apiErrorBody `json:"errors"` // an errors member of the wrong shape is malformed
	}{Data: out}
	return httpx.DecodeJSON(provider, body, &env)
}
