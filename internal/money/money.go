// Package money is the one place the provider packages make their Amount:
// ParseAmount, MustParseAmount and AmountFromMinor of every package are
// these functions with the provider's name and the decimal places its
// currency allows.
package money

import (
	"strconv"

	"github.com/paywidget/paywidget-go/internal/decimal"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Parse reads s ("27.50", "2750") as an amount of provider. A malformed
// literal, or one with more significant decimal places than places, fails
// with a *httpx.ValidationError matching httpx.ErrInvalidRequest.
func Parse(provider string, places int, s string) (decimal.Decimal, error) {
	d, err := decimal.Parse(s)
	if err != nil {
		return decimal.Decimal{}, httpx.Invalid(provider, "amount", quote(s)+" is not a decimal number")
	}
	if d.Places() > places {
		return decimal.Decimal{}, httpx.Invalid(provider, "amount", quote(s)+" has more than "+strconv.Itoa(places)+" decimal places")
	}
	return d, nil
}

// MustParse is Parse for constants written in programs and tests, in the
// manner of regexp.MustCompile: it panics on a literal Parse refuses.
func MustParse(provider string, places int, s string) decimal.Decimal {
	d, err := Parse(provider, places, s)
	if err != nil {
		panic(provider + ".MustParseAmount(" + quote(s) + "): " + err.Error())
	}
	return d
}

// FromCents is an amount in cents, the minor unit of every currency the
// providers' Amount types carry (two places): FromCents(1999) is 19.99.
func FromCents(minor int64) decimal.Decimal { return decimal.FromCents(minor) }

// quote shows at most 40 bytes of s.
func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}
