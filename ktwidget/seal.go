package ktwidget

import (
	"encoding/base64"
	"io"

	"golang.org/x/crypto/nacl/box"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// envelope is the plaintext the official client seals: {"order": …}, plus
// "user" when set.
type envelope struct {
	Order *Order `json:"order"`
	User  *User  `json:"user,omitempty"`
}

// Seal validates order and returns the body KTPay expects: the order JSON
// (written as the official client writes it) sealed to KTPay's public key
// with libsodium's crypto_box_seal, in standard padded base64. It is also
// what a browser running the official client would post, so a front end
// that keeps that client never needs libsodium.
func (c *Client) Seal(order *Order, user *User) (string, error) {
	if err := order.Validate(); err != nil {
		return "", err
	}
	plain, err := httpx.MarshalJSON(envelope{Order: order, User: user})
	if err != nil {
		return "", httpx.Invalid(provider, "order", "cannot be encoded as JSON")
	}
	return seal(c.publicKey.Load(), plain, c.rand)
}

// seal seals plaintext to pk like crypto_box_seal and encodes it with
// standard padded base64; rand supplies the ephemeral key.
func seal(pk *[32]byte, plaintext []byte, rand io.Reader) (string, error) {
	sealed, err := box.SealAnonymous(make([]byte, 0, len(plaintext)+box.AnonymousOverhead), plaintext, pk, rand)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sealed), nil
}
