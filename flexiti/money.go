package flexiti

import (
	"cmp"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/paywidget/paywidget-go/internal/decimal"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Amount is Canadian dollars with cents (Flexiti lends in CAD only; there is
// no currency field). It travels as a JSON number with two decimals and
// decodes from a number or a string.
//
// An Amount is always a whole number of cents, which is what it keeps: make
// one with ParseAmount ("1000.12"), MustParseAmount (for constants) or
// AmountFromMinor (cents). ParseAmount and UnmarshalJSON refuse what
// Flexiti's number(18,2) cannot carry (more than two decimal places, 10^16
// dollars or more); a request's Validate refuses an AmountFromMinor beyond it.
type Amount struct{ cents int64 }

// maxCents bounds an Amount: number(18,2) has sixteen digits before the
// point, so |cents| < 10^18.
const maxCents = 999_999_999_999_999_999

const (
	rulePlaces = "at most two decimal places (Flexiti amounts are number(18,2))"
	ruleRange  = "at most 16 digits before the point (Flexiti amounts are number(18,2))"
)

// centsOf is d in cents, or the rule d breaks ("" when it keeps them all).
func centsOf(d decimal.Decimal) (int64, string) {
	if d.Places() > 2 {
		return 0, rulePlaces
	}
	c, err := d.MinorUnits(2)
	if err != nil || c > maxCents || c < -maxCents {
		return 0, ruleRange
	}
	return c, ""
}

// ParseAmount parses "1000.12". It refuses more than two decimal places and
// values of 10^16 dollars or more, which Flexiti cannot carry, with a
// *ValidationError matching ErrInvalidRequest.
func ParseAmount(s string) (Amount, error) {
	d, err := decimal.Parse(s)
	if err != nil {
		return Amount{}, httpx.Invalid(provider, "amount", strconv.Quote(s)+" is not a decimal number")
	}
	c, rule := centsOf(d)
	if rule != "" {
		return Amount{}, httpx.Invalid(provider, "amount", rule)
	}
	return Amount{c}, nil
}

// MustParseAmount is ParseAmount for constants written in programs and
// tests, in the manner of regexp.MustCompile: it panics on a literal
// ParseAmount refuses (malformed, more than two places, too large). Amounts
// that come from input go through ParseAmount, which returns an error.
func MustParseAmount(s string) Amount {
	a, err := ParseAmount(s)
	if err != nil {
		panic("flexiti.MustParseAmount(" + strconv.Quote(s) + "): " + err.Error())
	}
	return a
}

// AmountFromMinor makes an Amount from integer cents: AmountFromMinor(100012)
// is 1000.12.
func AmountFromMinor(cents int64) Amount { return Amount{cents} }

// Dollars is ParseAmount.
//
// Deprecated: use ParseAmount, the name every provider package uses.
func Dollars(s string) (Amount, error) { return ParseAmount(s) }

// MustDollars is MustParseAmount.
//
// Deprecated: use MustParseAmount, the name every provider package uses.
func MustDollars(s string) Amount { return MustParseAmount(s) }

// Cents makes an Amount from integer cents, refusing |n| of 10^18 or more
// (beyond Flexiti's number(18,2)).
//
// Deprecated: use AmountFromMinor, the name every provider package uses.
func Cents(n int64) (Amount, error) {
	if n > maxCents || n < -maxCents {
		return Amount{}, httpx.Invalid(provider, "amount", ruleRange)
	}
	return Amount{n}, nil
}

// Cents returns the amount in cents, exactly.
func (a Amount) Cents() int64 { return a.cents }

// IsPositive reports a > 0.
func (a Amount) IsPositive() bool { return a.cents > 0 }

// Cmp compares a and b: -1, 0 or +1 as a <, ==, > b.
func (a Amount) Cmp(b Amount) int { return cmp.Compare(a.cents, b.cents) }

// String is "1000.12": always two decimals.
func (a Amount) String() string { return string(a.appendTo(nil)) }

func (a Amount) appendTo(b []byte) []byte {
	c := uint64(a.cents)
	if a.cents < 0 {
		b = append(b, '-')
		c = -c // two's complement: exact for every int64, math.MinInt64 included
	}
	b = strconv.AppendUint(b, c/100, 10)
	return append(b, '.', byte('0'+c%100/10), byte('0'+c%10))
}

// MarshalJSON writes a number with two decimals.
func (a Amount) MarshalJSON() ([]byte, error) { return a.appendTo(nil), nil }

// UnmarshalJSON reads a number or a string. A value Flexiti cannot carry
// (more than two decimal places, 10^16 dollars or more) is an error, which
// makes the reply that holds it malformed; null leaves a unchanged.
func (a *Amount) UnmarshalJSON(b []byte) error {
	var d decimal.Decimal
	if err := d.UnmarshalJSON(b); err != nil {
		return err
	}
	if string(b) == "null" {
		return nil
	}
	c, rule := centsOf(d)
	if rule != "" {
		return errors.New("flexiti: amount " + d.String() + ": " + rule)
	}
	a.cents = c
	return nil
}

// flexInt decodes an integer JSON number or a string holding one.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return err
	}
	*f = flexInt(n)
	return nil
}

// ID is a numeric Flexiti id (account, authorization, capture, return),
// decoded from a number or a string.
type ID int64

// UnmarshalJSON reads a number or a numeric string.
func (i *ID) UnmarshalJSON(b []byte) error {
	var f flexInt
	if err := f.UnmarshalJSON(b); err != nil {
		return err
	}
	*i = ID(f)
	return nil
}

// MarshalJSON writes a number.
func (i ID) MarshalJSON() ([]byte, error) { return json.Marshal(int64(i)) }

// String is the decimal id.
func (i ID) String() string { return strconv.FormatInt(int64(i), 10) }
