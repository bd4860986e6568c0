package flexiti

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/paywidget/paywidget-go/internal/guid"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/once"
	"github.com/paywidget/paywidget-go/internal/token"
)

const provider = "flexiti"

// Environment is a Flexiti POS API host (the base includes /flexiti/pos-api).
type Environment string

// The documented POS API hosts.
const (
	Training            Environment = "https://posapi-training.flexiti.fi/flexiti/pos-api"
	MerchantIntegration Environment = "https://posapi-mi.flexiti.fi/flexiti/pos-api"
	Production          Environment = "https://posapi.flexiti.fi/flexiti/pos-api"
)

// Config is the application's credentials from Flexiti's developer portal.
type Config struct {
	ClientID     string
	ClientSecret Secret
	// Environment selects the host. Required unless WithBaseURL is given:
	// a client never talks to Production by default.
	Environment Environment
	// Lang is "en" (default) or "fr"; it also sets the language of errors.
	Lang string
	// Claims keeps, per reference, whether a repeatable call
	// (Flow.AuthorizeOnce, CaptureOnce) is new, in progress or done. Nil: an
	// in-process store (NewMemoryStore), right for one replica only;
	// replicas behind a load balancer share one (NewSQLStore), the same one
	// that makes notifications exactly-once.
	Claims Store
	// ClaimLease is how long one repeatable call holds its reference
	// (default DefaultClaimLease). It must exceed the HTTP client's timeout
	// (60 s by default), so that nobody takes a reference over while a
	// request for it is in flight.
	ClaimLease time.Duration
}

// Scopes of a token.
const (
	ScopeMerchant = "merchant"
	ScopeCustomer = "customer"
)

// Client calls Flexiti's POS API. Back-office calls share one
// merchant-scope token; each checkout gets its own Flow. Safe for
// concurrent use.
type Client struct {
	http     *httpx.Client
	cfg      Config
	merchant *token.Cache
	langOnly string // "?lang=<Lang>": the whole query of calls that have no other
	guard    once.Guard
	fetchMax time.Duration // bound of one token fetch (Settings.TokenTimeout)
}

// New validates cfg and opts and returns a Client. It sends nothing. Every
// problem of cfg is reported at once: the error joins one *ValidationError
// per broken rule, each matching ErrInvalidRequest.
func New(cfg Config, opts ...Option) (*Client, error) {
	s := httpx.DefaultSettings()
	v := httpx.NewViolations(provider, nil)
	v.AddErr(applyOptions(&s, opts))
	if cfg.ClientID == "" || len(cfg.ClientID) > 100 || strings.ContainsAny(cfg.ClientID, "/?#") {
		v.AddField("ClientID", "client_id", "required, at most 100 characters, no '/', '?' or '#'")
	}
	v.Required("ClientSecret", "client_secret", cfg.ClientSecret.IsZero())
	switch cfg.Lang {
	case "":
		cfg.Lang = "en"
	case "en", "fr":
	default:
		v.AddField("Lang", "lang", "must be en or fr")
	}
	g, err := once.NewGuard(provider, cfg.Claims, cfg.ClaimLease, s.Timeout())
	v.AddErr(err)
	v.Environment(&s, cfg.Environment == "", cfg.Environment == Training || cfg.Environment == MerchantIntegration || cfg.Environment == Production,
		"flexiti.Training, flexiti.MerchantIntegration or flexiti.Production")
	if err := v.Err(); err != nil {
		return nil, err
	}
	hc, err := httpx.New(httpx.Config{Provider: provider, BaseURL: string(cfg.Environment), DecodeError: decodeError}, s)
	if err != nil {
		return nil, err
	}
	c := &Client{http: hc, cfg: cfg, langOnly: "?lang=" + url.QueryEscape(cfg.Lang), guard: g, fetchMax: s.TokenTimeout}
	c.merchant = token.New(func(ctx context.Context, prev token.Token) (token.Token, error) {
		return c.fetchToken(ctx, ScopeMerchant, NewReferenceID(), prev)
	}, token.WithSkew(60*time.Second), token.WithFetchTimeout(c.fetchMax))
	return c, nil
}

// String describes the client without its secret.
func (c *Client) String() string {
	return "flexiti.Client{" + c.cfg.ClientID + " " + c.http.BaseURL() + "}"
}

// NewReferenceID makes an x-reference-id: a random version-4 GUID as 32
// hex digits without hyphens (the specification's GUID in ASCII(32)). Every
// back-office call and every Flow gets its own.
func NewReferenceID() string { return guid.Hex() }

type tokenReply struct {
	TokenType    string  `json:"token_type"`
	AccessToken  string  `json:"access_token"`
	ExpiresIn    flexInt `json:"expires_in"`
	RefreshToken string  `json:"refresh_token"`
	Scope        string  `json:"scope"`
}

// fetchToken asks /oauth/token for a token of scope: with the refresh
// token when there is one, falling back to client credentials when the
// refresh is refused.
// It is traced as "flexiti.token", nested in the call that needed it.
func (c *Client) fetchToken(ctx context.Context, scope, ref string, prev token.Token) (_ token.Token, err error) {
	ctx, sp := c.http.Trace(ctx, "flexiti.token", "")
	defer sp.End(&err)
	if !prev.Refresh.IsZero() {
		t, err := c.grant(ctx, scope, ref, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {prev.Refresh.Reveal()}})
		if s := refusalStatus(err); s != 400 && s != 401 {
			return t, err
		}
	}
	return c.grant(ctx, scope, ref, url.Values{"grant_type": {"client_credentials"}})
}

// refusalStatus is the HTTP status of a refusal, with Flexiti's envelope
// (*APIError) or without (*StatusError); 0 for any other outcome.
func refusalStatus(err error) int {
	var api *APIError
	var st *StatusError
	switch {
	case errors.As(err, &api):
		return api.HTTPStatus
	case errors.As(err, &st):
		return st.HTTPStatus
	}
	return 0
}

func (c *Client) grant(ctx context.Context, scope, ref string, form url.Values) (token.Token, error) {
	form.Set("client_id", c.cfg.ClientID)
	form.Set("client_secret", c.cfg.ClientSecret.Reveal())
	form.Set("scope", scope)
	issued := time.Now()
	resp, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodPost, Path: "/" + versionOf(epToken) + "/oauth/token",
		Body: []byte(httpx.EncodeQuery(form)), ContentType: "application/x-www-form-urlencoded",
		Header: http.Header{"x-reference-id": {ref}}, Retry: httpx.RetrySafe})
	if err != nil {
		return token.Token{}, err
	}
	var r tokenReply
	if err := httpx.DecodeJSON(provider, resp.Body, &r); err != nil {
		return token.Token{}, err
	}
	if r.AccessToken == "" || !strings.EqualFold(r.TokenType, "bearer") {
		return token.Token{}, &httpx.DecodeError{Provider: provider, Into: "token", Err: errors.New("reply lacks a bearer access_token")}
	}
	life := time.Duration(r.ExpiresIn) * time.Second
	if life <= 0 {
		life = 20 * time.Minute
	}
	return token.Token{Value: Secret(r.AccessToken), Refresh: Secret(r.RefreshToken), Expiry: issued.Add(life), Scope: r.Scope}, nil
}

// BaseURL is the API root requests go to (the Environment's, or
// WithBaseURL's), below which Do's paths start.
func (c *Client) BaseURL() string { return c.http.BaseURL() }

// call is one authenticated JSON request with tokens from cache; after a
// 401 the token is refreshed and the call made once more.
func (c *Client) call(ctx context.Context, tokens *token.Cache, ref, method string, ep endpoint, pathArgs []string, q url.Values, in, out any, class httpx.RetryClass) (Meta, error) {
	var body []byte
	if in != nil {
		b, err := httpx.MarshalJSON(in)
		if err != nil {
			return Meta{}, httpx.Invalid(provider, "request", "cannot be encoded as JSON")
		}
		body = b
	}
	suffix := ""
	if q == nil {
		suffix = c.langOnly // written into the path: no url.Values to encode per call
	} else {
		q.Set("lang", c.cfg.Lang)
	}
	return c.callPath(ctx, tokens, ref, method, c.path(ep, suffix, pathArgs...), q, body, out, class, unknownAdvice[ep])
}

// Do calls a Flexiti endpoint the SDK does not wrap with the merchant-scope
// access token (refreshed once after a 401), a fresh X-Reference-Id, the
// configured lang and the typed errors of every call. path is below the
// API root (BaseURL), starting with the version:
// "/v2.5.1/client-id/<ClientID>/captures". in (may be nil) is sent as JSON;
// out (may be nil) receives the JSON reply. GET is retried on failures;
// every other method only when the request never left.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, in, out any) (_ Meta, err error) {
	ctx, sp := c.http.Trace(ctx, "flexiti.Do", "")
	defer sp.End(&err)
	body, class, err := httpx.EscapeHatch(provider, method, path, in)
	if err != nil {
		return Meta{}, err
	}
	q := url.Values{}
	for k, v := range query {
		q[k] = append([]string(nil), v...)
	}
	q.Set("lang", c.cfg.Lang)
	return c.callPath(ctx, c.merchant, NewReferenceID(), method, path, q, body, out, class, "")
}

// callPath is call with the path built and the body encoded; advice is the
// call's outcome-unknown advice ("" for the provider's).
func (c *Client) callPath(ctx context.Context, tokens *token.Cache, ref, method, path string, q url.Values, body []byte, out any, class httpx.RetryClass, advice string) (Meta, error) {
	var meta Meta
	err := tokens.WithToken(ctx, func(ctx context.Context, t token.Token) error {
		resp, err := c.http.Do(ctx, &httpx.Request{Method: method, Path: path, Query: q, Body: body,
			Bearer: t.Value.Reveal(), Header: http.Header{"X-Reference-Id": {ref}}, // canonical: no re-keying per call
			Retry: class, Unknown: advice})
		if resp != nil {
			meta = resp.Meta()
		}
		if err != nil {
			return err
		}
		if out == nil {
			return nil
		}
		if err := httpx.DecodeJSON(provider, resp.Body, out); err != nil {
			if class == httpx.RetryIfNotSent {
				return (&httpx.Request{Method: method, Path: path, Unknown: advice}).OutcomeUnknown(provider, err)
			}
			return err
		}
		return nil
	})
	return meta, err
}

// backOffice is call with the shared merchant-scope token.
func (c *Client) backOffice(ctx context.Context, method string, ep endpoint, args []string, q url.Values, in, out any, class httpx.RetryClass) (Meta, error) {
	return c.call(ctx, c.merchant, NewReferenceID(), method, ep, args, q, in, out, class)
}
