package odero

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// RandomKeyLength is the length of the x-rnd-key drawn for every attempt.
const RandomKeyLength = 16

const alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// Signature computes OderoPay's x-signature: standard Base64 (with padding)
// of SHA-256 over the percent-decoded full URL, the API key, the secret key,
// the random key and the body, concatenated without separators. decodedURL
// must already be percent-decoded (see DecodeURL); body is the exact bytes
// sent, empty for a request without a body.
func Signature(decodedURL, apiKey, secretKey, rndKey string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(decodedURL))
	h.Write([]byte(apiKey))
	h.Write([]byte(secretKey))
	h.Write([]byte(rndKey))
	h.Write(body)
	var sum [sha256.Size]byte
	return base64.StdEncoding.EncodeToString(h.Sum(sum[:0]))
}

// DecodeURL returns the form of an absolute request URL that OderoPay signs:
// scheme, host, path and query with every percent-escape decoded ("%20"
// becomes a space; a literal '+' stays a '+').
func DecodeURL(u *url.URL) (string, error) {
	return url.PathUnescape(u.String())
}

// NewRandomKey draws a fresh x-rnd-key: RandomKeyLength alphanumerics from
// crypto/rand.
func NewRandomKey() (string, error) {
	const n = RandomKeyLength
	var b, out [n]byte
	for i := 0; i < n; {
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		for _, c := range b {
			// 62*4 = 248: reject 248..255 so every character is equally likely.
			if c >= 248 || i == n {
				continue
			}
			out[i] = alphanumerics[c%62]
			i++
		}
	}
	return string(out[:]), nil
}

// signer sets the authentication headers of one attempt.
type signer struct {
	apiKey, secretKey Secret
	version           string
	// rnd draws the random key; nil means NewRandomKey.
	rnd func() (string, error)
}

func (s signer) sign(req *http.Request, body []byte) error {
	decoded, err := DecodeURL(req.URL)
	if err != nil {
		return httpx.Invalid(provider, "url", "is not validly percent-encoded")
	}
	draw := s.rnd
	if draw == nil {
		draw = NewRandomKey
	}
	rnd, err := draw()
	if err != nil {
		return err
	}
	// Canonical keys assigned directly: Set would canonicalise "x-api-key"
	// into a new string on every attempt. The wire form is the same.
	h := req.Header
	h["X-Api-Key"] = []string{s.apiKey.Reveal()}
	h["X-Rnd-Key"] = []string{rnd}
	h["X-Auth-Version"] = []string{s.version}
	h["X-Signature"] = []string{Signature(decoded, s.apiKey.Reveal(), s.secretKey.Reveal(), rnd, body)}
	return nil
}
