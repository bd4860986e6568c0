package ktwidget

import (
	"encoding/base64"
	"io"

	"golang.org/x/crypto/nacl/box"

	"github.com/paywidget/paywidget-go/internal/decimal"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

// envelope is the plaintext the official client seals: {"order": …}, plus
// "user" when set.
type envelope struct {
	Order *wireOrder `json:"order"`
	User  *User      `json:"user,omitempty"`
}

// Seal validates order and returns the body KTPay expects: the order JSON
// (written as the official client writes it, with callback_post_url from
// Config.CallbackBase when configured) sealed to KTPay's public key
// with libsodium's crypto_box_seal, in standard padded base64. It is also
// what a browser running the official client would post, so a front end
// that keeps that client never needs libsodium.
func (c *Client) Seal(order *Order, user *User) (string, error) {
	b, err := c.sealBody(order, user)
	return string(b), err
}

// sealBody is Seal as the bytes CreatePayment sends.
func (c *Client) sealBody(order *Order, user *User) ([]byte, error) {
	if err := order.Validate(); err != nil {
		return nil, err
	}
	if err := c.secureURLs(order); err != nil {
		return nil, err
	}
	wire := wireOrder{OrderID: order.OrderID, Amount: shortest(order.Amount), Type: order.Type, Service: order.Service,
		Description: order.Description, CallbackBackURL: order.CallbackBackURL, CallbackSuccessURL: order.CallbackSuccessURL,
		CallbackFailedURL: order.CallbackFailedURL, CallbackForceBackURL: order.CallbackForceBackURL,
		CallbackForceSuccessURL: order.CallbackForceSuccessURL, CallbackForceFailedURL: order.CallbackForceFailedURL,
		ShowCloseButton: order.ShowCloseButton}
	if c.callback != "" {
		post, err := c.CallbackURL(order.OrderID)
		if err != nil {
			return nil, err
		}
		wire.CallbackPostURL = post
	}
	plain, err := httpx.MarshalJSON(envelope{Order: &wire, User: user})
	if err != nil {
		return nil, httpx.Invalid(provider, "order", "cannot be encoded as JSON")
	}
	return seal(c.publicKey.Load(), plain, c.rand)
}

// shortest writes a the way JSON.stringify writes a JavaScript number:
// without trailing zeros ("1500.50" -> 1500.5, "2750.00" -> 2750). The value
// is unchanged; only the bytes follow the official client.
func shortest(a Amount) Amount {
	c, s := a.Coef(), a.Scale()
	for s > 0 && c%10 == 0 {
		c, s = c/10, s-1
	}
	n, err := decimal.New(c, s)
	if err != nil {
		return a
	}
	return n
}

// seal seals plaintext to pk like crypto_box_seal and encodes it with
// standard padded base64; rand supplies the ephemeral key.
func seal(pk *[32]byte, plaintext []byte, rand io.Reader) ([]byte, error) {
	sealed, err := box.SealAnonymous(make([]byte, 0, len(plaintext)+box.AnonymousOverhead), plaintext, pk, rand)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.AppendEncode(make([]byte, 0, base64.StdEncoding.EncodedLen(len(sealed))), sealed), nil
}

// secureURLs refuses an order's http redirect URLs with the production
// environment (see httpx.URLRule).
func (c *Client) secureURLs(o *Order) error {
	v := httpx.NewViolations(provider, o)
	for _, u := range []struct{ field, wire, u string }{
		{"CallbackBackURL", "callback_back_url", o.CallbackBackURL},
		{"CallbackSuccessURL", "callback_success_url", o.CallbackSuccessURL},
		{"CallbackFailedURL", "callback_failed_url", o.CallbackFailedURL},
		{"CallbackForceBackURL", "callback_force_back_url", o.CallbackForceBackURL},
		{"CallbackForceSuccessURL", "callback_force_success_url", o.CallbackForceSuccessURL},
		{"CallbackForceFailedURL", "callback_force_failed_url", o.CallbackForceFailedURL},
	} {
		v.SecureURL(u.field, u.wire, u.u, c.production)
	}
	return v.Err()
}
