package finrota

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/once"
	"github.com/paywidget/paywidget-go/internal/token"
)

const provider = "finrota"

// Environment is a Finrota gateway.
type Environment string

// The documented gateways (the sandbox still carries Netahsilat's name).
const (
	Sandbox    Environment = "https://pgw.netahsilatdemo.com"
	Production Environment = "https://api.finrota.com"
)

// Config is the application's credentials from the Finrota portal.
type Config struct {
	// APIKey is issued per application.
	APIKey Secret
	// SecretKey is the confidential key Finrota sends by e-mail.
	SecretKey Secret
	// Environment selects the gateway. Required unless WithBaseURL is given:
	// a client never talks to Production by default.
	Environment Environment
	// Claims keeps, per clientReferenceCode, whether a repeatable call
	// (CompletePaymentOnce, PayOnce) is new, in progress or done. Nil: an
	// in-process store (NewMemoryStore), right for one replica only;
	// replicas behind a load balancer share one (NewSQLStore).
	Claims Store
	// ClaimLease is how long one repeatable call holds its reference
	// (default DefaultClaimLease). It must exceed the HTTP client's timeout
	// (60 s by default), so that nobody takes a reference over while a
	// request for it is in flight.
	ClaimLease time.Duration
}

// Client calls Finrota's B2C API with a cached access token. It is safe for
// concurrent use; many goroutines share one token fetch.
type Client struct {
	http   *httpx.Client
	cfg    Config
	tokens *token.Cache
	guard  once.Guard
	// production refuses http return URLs (see httpx.URLRule).
	production bool

	mu      sync.Mutex
	widgets map[string]time.Time // recently issued widget tokens, to catch misuse
	sweepAt int
}

// New validates cfg and opts and returns a Client. It sends nothing. Every
// problem of cfg is reported at once: the error joins one *ValidationError
// per broken rule, each matching ErrInvalidRequest.
func New(cfg Config, opts ...Option) (*Client, error) {
	s := httpx.DefaultSettings()
	v := httpx.NewViolations(provider, nil)
	v.AddErr(applyOptions(&s, opts))
	v.Required("APIKey", "apiKey", cfg.APIKey.IsZero())
	v.Required("SecretKey", "secretKey", cfg.SecretKey.IsZero())
	g, err := once.NewGuard(provider, cfg.Claims, cfg.ClaimLease, s.Timeout())
	v.AddErr(err)
	v.Environment(&s, cfg.Environment == "", cfg.Environment == Sandbox || cfg.Environment == Production, "finrota.Sandbox or finrota.Production")
	if err := v.Err(); err != nil {
		return nil, err
	}
	hc, err := httpx.New(httpx.Config{Provider: provider, BaseURL: string(cfg.Environment), DecodeError: decodeError}, s)
	if err != nil {
		return nil, err
	}
	c := &Client{http: hc, cfg: cfg, guard: g, production: cfg.Environment == Production, widgets: map[string]time.Time{}}
	c.tokens = token.New(c.fetchToken, token.WithSkew(5*time.Minute), token.WithFetchTimeout(s.TokenTimeout))
	return c, nil
}

// String describes the client without its credentials.
func (c *Client) String() string { return "finrota.Client{" + c.http.BaseURL() + "}" }

// BaseURL is the gateway requests go to.
func (c *Client) BaseURL() string { return c.http.BaseURL() }

// tokenReply is the answer of /auth/api/token/connect.
type tokenReply struct {
	Token  string `json:"token"`
	Expiry string `json:"expiry"`
	Type   string `json:"type"`
}

// fetchToken exchanges the keys for an AccessToken (valid 24 hours).
// It is traced as "finrota.token", nested in the call that needed it.
func (c *Client) fetchToken(ctx context.Context, _ token.Token) (_ token.Token, err error) {
	ctx, sp := c.http.Trace(ctx, "finrota.token", "")
	defer sp.End(&err)
	body, err := httpx.MarshalJSON(map[string]string{"apiKey": c.cfg.APIKey.Reveal(), "secretKey": c.cfg.SecretKey.Reveal()})
	if err != nil {
		return token.Token{}, err
	}
	resp, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: "/auth/api/token/connect", Body: body, Retry: httpx.RetrySafe})
	if err != nil {
		return token.Token{}, err
	}
	var r tokenReply
	if err := httpx.DecodeJSON(provider, resp.Body, &r); err != nil {
		return token.Token{}, err
	}
	if r.Token == "" {
		return token.Token{}, &httpx.DecodeError{Provider: provider, Into: "token", Err: errors.New("reply lacks token")}
	}
	exp, err := ParseTime(r.Expiry)
	if err != nil {
		exp = time.Now().Add(time.Hour) // unknown expiry: refresh well before the documented 24 h
	}
	return token.Token{Value: Secret(r.Token), Expiry: exp}, nil
}

// ParseTime reads Finrota's timestamps: RFC 3339 with up to 7 fractional
// digits (.NET style, "2025-09-18T09:07:17.6884225Z"); without an offset
// the time is UTC.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("finrota: unrecognised time " + truncate(s, 40))
}

// send makes an authenticated call: the access token is added, and after a
// 401 it is refreshed and the call made once more. r must be this call's
// own request: its Bearer (and, for paymentOptions, Header) are set on it.
func (c *Client) send(ctx context.Context, r *httpx.Request, out any) (Meta, error) {
	var meta Meta
	err := c.tokens.WithToken(ctx, func(ctx context.Context, t token.Token) error {
		// r is this call's own request (every caller builds it afresh), so
		// each attempt sets its token on it instead of copying it.
		req := r
		req.Bearer = t.Value.Reveal()
		if req.Path == "/b2c/paymentOptions" {
			// Finrota's page asks for Proxy-Authorization here; both are sent.
			req.Header = http.Header{"Proxy-Authorization": {"Bearer " + req.Bearer}}
		}
		resp, err := c.http.Do(ctx, req)
		if resp != nil {
			meta = resp.Meta()
		}
		if err != nil {
			return err
		}
		if out == nil || (len(resp.Body) == 0 && req.Retry != httpx.RetryIfNotSent) {
			return nil
		}
		if err := httpx.DecodeJSON(provider, resp.Body, out); err != nil {
			if req.Retry == httpx.RetryIfNotSent {
				// The request was processed; its answer is unusable.
				return req.OutcomeUnknown(provider, err)
			}
			return err
		}
		return nil
	})
	return meta, err
}

// Do calls a Finrota endpoint the SDK does not wrap (refund, cancel,
// status…) with the same access token, refresh and typed errors. in (may be
// nil) is sent as JSON; out (may be nil) receives the JSON reply. GET is
// retried on failures; every other method only when the request never left.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, in, out any) (_ Meta, err error) {
	ctx, sp := c.http.Trace(ctx, "finrota.Do", "")
	defer sp.End(&err)
	body, class, err := httpx.EscapeHatch(provider, method, path, in)
	if err != nil {
		return Meta{}, err
	}
	return c.send(ctx, &httpx.Request{Method: method, Path: path, Query: query, Body: body, Retry: class}, out)
}
