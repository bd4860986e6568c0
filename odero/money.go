package odero

import "github.com/paywidget/paywidget-go/internal/decimal"

// Amount is an exact decimal amount in the payment's currency (100.50 is one
// hundred lira and fifty kuruş). It travels as a bare JSON number and decodes
// any decimal the gateway sends, number or string. It is never a float.
type Amount = decimal.Decimal

// ParseAmount parses a decimal amount such as "100.50".
func ParseAmount(s string) (Amount, error) { return decimal.Parse(s) }

// MustParseAmount is ParseAmount for constants in programs and tests; it
// panics on a malformed literal.
func MustParseAmount(s string) Amount { return decimal.MustParse(s) }
