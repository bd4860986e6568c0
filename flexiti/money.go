package flexiti

import (
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
// Every Amount holds a value Flexiti can carry, its number(18,2): at most two
// decimal places and less than 10^16 dollars in size. Dollars, MustDollars,
// Cents and UnmarshalJSON refuse anything else where the Amount is made, so
// an Amount always has an exact number of cents.
type Amount struct{ d decimal.Decimal }

// maxCents bounds an Amount: number(18,2) has sixteen digits before the
// point, so |cents| < 10^18.
const maxCents = 999_999_999_999_999_999

// amountRule says why d is not an amount Flexiti can carry, its
// number(18,2), or "" when it is one.
func amountRule(d decimal.Decimal) string {
	if d.Places() > 2 {
		return "at most two decimal places (Flexiti amounts are number(18,2))"
	}
	if c, err := d.MinorUnits(2); err != nil || c > maxCents || c < -maxCents {
		return "at most 16 digits before the point (Flexiti amounts are number(18,2))"
	}
	return ""
}

// amountOf checks d before it becomes an Amount: a *ValidationError
// matching ErrInvalidRequest when it is not one Flexiti can carry.
func amountOf(d decimal.Decimal) (Amount, error) {
	if rule := amountRule(d); rule != "" {
		return Amount{}, httpx.Invalid(provider, "amount", rule)
	}
	return Amount{d}, nil
}

// Dollars parses "1000.12". It refuses more than two decimal places and
// values of 10^16 dollars or more, which Flexiti cannot carry.
func Dollars(s string) (Amount, error) {
	d, err := decimal.Parse(s)
	if err != nil {
		return Amount{}, httpx.Invalid(provider, "amount", strconv.Quote(s)+" is not a decimal number")
	}
	return amountOf(d)
}

// MustDollars is Dollars for constants in programs and tests; it panics on
// a literal Dollars refuses (malformed, more than two places, too large).
func MustDollars(s string) Amount {
	a, err := Dollars(s)
	if err != nil {
		panic("flexiti.MustDollars(" + strconv.Quote(s) + "): " + err.Error())
	}
	return a
}

// places is the number of decimal places the amount was written with.
func (a Amount) places() int { return a.d.Places() }

// Cents makes an Amount from integer cents. It panics when |n| is 10^18 or
// more (ten quadrillion dollars), beyond Flexiti's number(18,2); take amounts
// that large from untrusted input through Dollars, which returns an error.
func Cents(n int64) Amount {
	if n > maxCents || n < -maxCents {
		panic("flexiti.Cents(" + strconv.FormatInt(n, 10) + "): beyond Flexiti's number(18,2) amounts")
	}
	d, _ := decimal.New(n, 2)
	return Amount{d}
}

// Cents returns the amount in cents. It is exact: every Amount has at most
// two decimal places (see Amount).
func (a Amount) Cents() int64 {
	n, err := a.d.MinorUnits(2)
	if err != nil {
		// Unreachable: every constructor refuses such a value.
		panic("flexiti: Amount " + a.d.String() + " has no exact number of cents")
	}
	return n
}

// IsPositive reports a > 0.
func (a Amount) IsPositive() bool { return a.d.Sign() > 0 }

// Cmp compares a and b.
func (a Amount) Cmp(b Amount) int { return a.d.Cmp(b.d) }

// String is "1000.12".
func (a Amount) String() string {
	r, err := a.d.Rescale(2)
	if err != nil {
		return a.d.String()
	}
	return r.String()
}

// MarshalJSON writes a number with two decimals.
func (a Amount) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalJSON reads a number or a string. A value Flexiti cannot carry
// (more than two decimal places, 10^16 dollars or more) is an error, which
// makes the reply that holds it malformed; null leaves a unchanged.
func (a *Amount) UnmarshalJSON(b []byte) error {
	d := a.d
	if err := d.UnmarshalJSON(b); err != nil {
		return err
	}
	if rule := amountRule(d); rule != "" {
		return errors.New("flexiti: amount " + d.String() + ": " + rule)
	}
	a.d = d
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
