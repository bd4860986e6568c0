package iotpay

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/once"
)

const provider = "iotpay"

// Environment is an IOTPay card API host.
type Environment string

// The documented hosts. Sandbox credentials come from IOTPay and differ from
// production ones.
const (
	Production Environment = "https://ccapi.iotpaycloud.com"
	Sandbox    Environment = "https://ccdev.iotpaycloud.com"
)

// Config is what IOTPay issues with the merchant contract.
type Config struct {
	// MerchantID is mchId.
	MerchantID string
	// Key is the merchant key every message is signed with.
	Key Secret
	// LoginName is loginName (IOTPay's jobNo), at most 12 characters.
	LoginName string
	// Environment selects the host. Required unless WithBaseURL is given:
	// a client never talks to Production by default.
	Environment Environment
	// NotifyURL is the notifyUrl of every purchase: where IOTPay posts its
	// signed notification (where NotificationHandler is mounted), absolute
	// http(s) (https with Production), at most 200 characters, for example
	// "https://shop.example/iotpay/notify". Required for Purchase, sent by
	// PurchaseWithToken when set. Set it once from the merchant's
	// configuration, never from a request's Host or X-Forwarded-* headers.
	NotifyURL string
	// Claims keeps, per mchOrderNo and mchRefundNo, whether a repeatable
	// call (PurchaseOnce, PurchaseWithTokenOnce, VoidOnce, RefundOnce) is
	// new, in progress or done. Nil: an in-process store (NewMemoryStore),
	// right for one replica only; replicas behind a load balancer share one
	// (NewSQLStore), the same one that makes notifications exactly-once.
	Claims Store
	// ClaimLease is how long one repeatable call holds its reference
	// (default DefaultClaimLease). It must exceed the HTTP client's timeout
	// (60 s by default), so that nobody takes a reference over while a
	// request for it is in flight.
	ClaimLease time.Duration
}

// Client calls IOTPay's v3 card API. It is safe for concurrent use.
type Client struct {
	http  *httpx.Client
	cfg   Config
	guard once.Guard
	// production refuses http return and notify URLs (see httpx.URLRule).
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
	v.AddErr(named("MerchantID", checkLen("mchId", cfg.MerchantID, 30, true)))
	v.Required("Key", "", cfg.Key.IsZero())
	v.AddErr(named("LoginName", checkLen("loginName", cfg.LoginName, 12, true)))
	v.URL("NotifyURL", "notifyUrl", cfg.NotifyURL, 200, false, production)
	g, err := once.NewGuard(provider, cfg.Claims, cfg.ClaimLease, s.Timeout())
	v.AddErr(err)
	v.Environment(&s, cfg.Environment == "", cfg.Environment == Sandbox || production, "iotpay.Sandbox or iotpay.Production")
	if err := v.Err(); err != nil {
		return nil, err
	}
	hc, err := httpx.New(httpx.Config{Provider: provider, BaseURL: string(cfg.Environment)}, s)
	if err != nil {
		return nil, err
	}
	return &Client{http: hc, cfg: cfg, guard: g, production: production}, nil
}

// String describes the client without its key.
func (c *Client) String() string {
	return "iotpay.Client{mchId=" + c.cfg.MerchantID + " " + c.http.BaseURL() + "}"
}

// BaseURL is the host requests go to.
func (c *Client) BaseURL() string { return c.http.BaseURL() }

// envelope is every v3 reply. RetData holds the caller's pointer, so that
// encoding/json decodes retData straight into it in the one pass over the
// reply (a json.RawMessage would copy it and decode it a second time).
type envelope struct {
	RetCode string `json:"retCode"`
	RetMsg  string `json:"retMsg"`
	RetData any    `json:"retData"`
}

// bareEnvelope is a reply whose retData the caller does not want.
type bareEnvelope struct {
	RetCode string `json:"retCode"`
	RetMsg  string `json:"retMsg"`
}

// Do calls an IOTPay endpoint the SDK does not wrap, signed and checked like
// every call: method must be POST and query empty (IOTPay takes a signed
// JSON body), path is the endpoint below the API root ("/v3/cc_query"), in
// is a Params (or nil) to which mchId and sign are added, and out (may be
// nil) receives retData. A retCode other than SUCCESS is an *APIError. It is
// sent again only when the request provably never left.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, in, out any) (_ Meta, err error) {
	ctx, sp := c.http.Trace(ctx, "iotpay.Do", "")
	defer sp.End(&err)
	if _, _, err := httpx.EscapeHatch(provider, method, path, nil); err != nil {
		return Meta{}, err
	}
	if method != http.MethodPost {
		return Meta{}, httpx.Invalid(provider, "method", "IOTPay takes POST")
	}
	if len(query) > 0 {
		return Meta{}, httpx.Invalid(provider, "query", "IOTPay signs the body; a query is not sent")
	}
	endpoint, ok := strings.CutPrefix(path, "/v3/")
	if !ok || endpoint == "" {
		return Meta{}, httpx.Invalid(provider, "path", `must be an endpoint below "/v3/"`)
	}
	p := Params{}
	switch in := in.(type) {
	case nil:
	case Params:
		maps.Copy(p, in)
	case map[string]any:
		maps.Copy(p, in)
	default:
		return Meta{}, httpx.Invalid(provider, "in", "must be Params")
	}
	return c.call(ctx, endpoint, p, out, httpx.RetryIfNotSent)
}

// call signs p, posts it to v3/<endpoint> and decodes retData into out. A
// retCode other than SUCCESS is an *APIError.
func (c *Client) call(ctx context.Context, endpoint string, p Params, out any, class httpx.RetryClass) (Meta, error) {
	p["mchId"] = c.cfg.MerchantID
	body := make(Params, len(p)+1) // sized once: the parameters and sign
	for k, v := range p {
		if _, ok := render(v); ok {
			body[k] = v
		}
	}
	body["sign"] = Sign(body, c.cfg.Key.Reveal())
	b, err := httpx.MarshalJSON(body)
	if err != nil {
		return Meta{}, httpx.Invalid(provider, "request", "cannot be encoded as JSON")
	}
	req := &httpx.Request{
		Method:      http.MethodPost,
		Path:        "/v3/" + endpoint,
		Body:        b,
		ContentType: "application/json;charset=UTF-8",
		Retry:       class,
		Unknown:     unknownAdvice[endpoint],
	}
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		if resp != nil {
			return resp.Meta(), err
		}
		return Meta{}, err
	}
	meta := resp.Meta()
	if err := decodeReply(resp, out); err != nil {
		if class == httpx.RetryIfNotSent {
			var api *APIError
			if !asAPIError(err, &api) {
				err = req.OutcomeUnknown(provider, err)
			}
		}
		return meta, err
	}
	return meta, nil
}

// decodeReply reads the envelope: FAIL becomes an *APIError, SUCCESS has its
// retData decoded into out, in one pass over the reply.
func decodeReply(resp *httpx.Response, out any) error {
	if out == nil {
		var env bareEnvelope
		if err := httpx.DecodeJSON(provider, resp.Body, &env); err != nil {
			return err
		}
		return checkRetCode(resp, env.RetCode, env.RetMsg)
	}
	env := envelope{RetData: out}
	if err := httpx.DecodeJSON(provider, resp.Body, &env); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return err // not JSON at all
		}
		// Valid JSON whose retData does not fit out: a FAIL with another
		// shape of retData is still the provider's refusal. Only this
		// failure path reads the envelope a second time.
		var bare bareEnvelope
		if json.Unmarshal(resp.Body, &bare) == nil {
			if cerr := checkRetCode(resp, bare.RetCode, bare.RetMsg); cerr != nil {
				return cerr
			}
		}
		return err
	}
	if cerr := checkRetCode(resp, env.RetCode, env.RetMsg); cerr != nil {
		return cerr
	}
	if env.RetData == nil { // "retData": null
		return &httpx.DecodeError{Provider: provider, Into: "retData", Err: errMissing("retData")}
	}
	// out is only written through retData, so a non-zero out proves it was
	// there. A zero one may mean it was absent: look for it exactly.
	if v := reflect.ValueOf(out); v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().IsZero() {
		var probe struct {
			RetData json.RawMessage `json:"retData"`
		}
		if json.Unmarshal(resp.Body, &probe) != nil || len(probe.RetData) == 0 || string(probe.RetData) == "null" {
			return &httpx.DecodeError{Provider: provider, Into: "retData", Err: errMissing("retData")}
		}
	}
	return nil
}

// checkRetCode turns a retCode other than SUCCESS into an *APIError, and a
// missing one into a *httpx.DecodeError.
func checkRetCode(resp *httpx.Response, code, msg string) error {
	switch code {
	case "SUCCESS":
		return nil
	case "":
		return &httpx.DecodeError{Provider: provider, Into: "reply", Err: errMissing("retCode")}
	}
	e := &APIError{HTTPStatus: resp.StatusCode, Code: code, Message: msg, RequestID: resp.RequestID}
	e.RetryAfter, _ = resp.RetryAfter()
	return e
}

// unknownAdvice is what to do when a money call's outcome is unknown (its
// ErrOutcomeUnknown text), by endpoint.
var unknownAdvice = map[string]string{
	"cc_purchase":          "look the purchase up by mchOrderNo (Query) before retrying; never send it again",
	"cc_purchasewithtoken": "look the purchase up by mchOrderNo (Query) before retrying; never charge the card again blind",
	"cc_addcard":           "a lost add-card moves no money: query the card (QueryCard by cardId) before adding it again",
	"cc_void":              "query the purchase (Query by payOrderId) to see whether it was voided before retrying; never send it again",
	"cc_refund":            "query the purchase (Query by payOrderId, its Refundable) before retrying; never refund again blind",
}

// named gives a Config field's Go name to a helper's *ValidationError that
// named only the wire field.
func named(goName string, err error) error {
	var ve *httpx.ValidationError
	if errors.As(err, &ve) {
		return &httpx.ValidationError{Provider: ve.Provider, Field: goName, Wire: ve.Field, Rule: ve.Rule}
	}
	return err
}

// secureURLs refuses http URLs of a request with the production
// environment: fields are Go name, wire name and value, in threes.
func (c *Client) secureURLs(fields ...string) error {
	v := httpx.NewViolations(provider, nil)
	for i := 0; i+2 < len(fields); i += 3 {
		v.SecureURL(fields[i], fields[i+1], fields[i+2], c.production)
	}
	return v.Err()
}

// checkLen validates a string field's documented maximum length.
func checkLen(field, v string, max int, required bool) error {
	if v == "" {
		if required {
			return httpx.Invalid(provider, field, "required")
		}
		return nil
	}
	if n := len([]rune(v)); n > max {
		return httpx.Invalid(provider, field, "longer than "+itoa(max)+" characters")
	}
	return nil
}

// checkURL validates a notifyUrl or returnUrl: absolute http(s), at most 200
// characters.
func checkURL(field, v string, required bool) error {
	if err := checkLen(field, v, 200, required); err != nil || v == "" {
		return err
	}
	if !httpx.WebURL(v) || strings.Contains(v, "#") {
		return httpx.Invalid(provider, field, "must be an absolute http(s) URL without user info or fragment")
	}
	return nil
}
