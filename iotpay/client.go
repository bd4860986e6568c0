package iotpay

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/paywidget/paywidget-go/internal/httpx"
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
	// signed notification (where NotifyHandler is mounted), absolute
	// http(s), at most 200 characters, for example
	// "https://shop.example/iotpay/notify". Required for Purchase, sent by
	// PurchaseWithToken when set. Set it once from the merchant's
	// configuration, never from a request's Host or X-Forwarded-* headers.
	NotifyURL string
}

// Client calls IOTPay's v3 card API. It is safe for concurrent use.
type Client struct {
	http *httpx.Client
	cfg  Config
}

// New validates cfg and opts and returns a Client. It sends nothing.
func New(cfg Config, opts ...Option) (*Client, error) {
	if err := checkLen("mchId", cfg.MerchantID, 30, true); err != nil {
		return nil, err
	}
	if cfg.Key.IsZero() {
		return nil, httpx.Invalid(provider, "Key", "required")
	}
	if err := checkLen("loginName", cfg.LoginName, 12, true); err != nil {
		return nil, err
	}
	if err := checkURL("NotifyURL", cfg.NotifyURL, false); err != nil {
		return nil, err
	}
	s := httpx.DefaultSettings()
	if err := s.Apply(opts); err != nil {
		return nil, err
	}
	if err := s.RequireEnvironment(provider, cfg.Environment != "", "Sandbox or Production"); err != nil {
		return nil, err
	}
	hc, err := httpx.New(httpx.Config{Provider: provider, BaseURL: string(cfg.Environment)}, s)
	if err != nil {
		return nil, err
	}
	return &Client{http: hc, cfg: cfg}, nil
}

// String describes the client without its key.
func (c *Client) String() string {
	return "iotpay.Client{mchId=" + c.cfg.MerchantID + " " + c.http.BaseURL() + "}"
}

// BaseURL is the host requests go to.
func (c *Client) BaseURL() string { return c.http.BaseURL() }

// envelope is every v3 reply.
type envelope struct {
	RetCode string          `json:"retCode"`
	RetMsg  string          `json:"retMsg"`
	RetData json.RawMessage `json:"retData"`
}

// call signs p, posts it to v3/<endpoint> and decodes retData into out. A
// retCode other than SUCCESS is an *APIError.
func (c *Client) call(ctx context.Context, endpoint string, p Params, out any, class httpx.RetryClass) (Meta, error) {
	p["mchId"] = c.cfg.MerchantID
	body := Params{}
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
	resp, err := c.http.Do(ctx, &httpx.Request{
		Method:      http.MethodPost,
		Path:        "/v3/" + endpoint,
		Body:        b,
		ContentType: "application/json;charset=UTF-8",
		Retry:       class,
	})
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
				err = httpx.OutcomeUnknown(provider, err)
			}
		}
		return meta, err
	}
	return meta, nil
}

// decodeReply reads the envelope: FAIL becomes an *APIError, SUCCESS has its
// retData decoded into out.
func decodeReply(resp *httpx.Response, out any) error {
	var env envelope
	if err := httpx.DecodeJSON(provider, resp.Body, &env); err != nil {
		return err
	}
	switch env.RetCode {
	case "SUCCESS":
	case "":
		return &httpx.DecodeError{Provider: provider, Into: "reply", Err: errMissing("retCode")}
	default:
		return &APIError{HTTPStatus: resp.StatusCode, RetCode: env.RetCode, RetMsg: env.RetMsg}
	}
	if out == nil {
		return nil
	}
	if len(env.RetData) == 0 || string(env.RetData) == "null" {
		return &httpx.DecodeError{Provider: provider, Into: "retData", Err: errMissing("retData")}
	}
	return httpx.DecodeJSON(provider, env.RetData, out)
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
