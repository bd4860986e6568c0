// Package secret holds credentials and other sensitive strings in a type that
// refuses to print itself.
//
// A Secret renders as "[REDACTED]" through fmt (every verb), slog, JSON and
// text marshalling, so a merchant's API key cannot reach a log line, an error
// string or the %v of a config by accident. Reveal is the only way to read it,
// and the SDK calls it only where the value goes on the wire or into a MAC.
package secret

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
)

// Redacted is what a Secret prints instead of its value.
const Redacted = "[REDACTED]"

// Secret is a string that never prints its value.
type Secret string

// Reveal returns the value. Call it only to put the secret on the wire or
// into a signature.
func (s Secret) Reveal() string { return string(s) }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s == "" }

// String implements fmt.Stringer.
func (s Secret) String() string { return Redacted }

// GoString implements fmt.GoStringer.
func (s Secret) GoString() string { return Redacted }

// Format implements fmt.Formatter so that every verb (%s, %v, %q, %x, %#v …)
// prints the redaction marker.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalText implements encoding.TextMarshaler (and so JSON and XML).
func (s Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// Equal compares the secret with v in constant time.
func (s Secret) Equal(v string) bool { return Equal(string(s), v) }

// Equal compares two strings in time that depends only on their lengths.
// Use it for signatures, tokens and anything else an attacker may probe.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
