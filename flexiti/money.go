package flexiti

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/paywidget/paywidget-go/internal/decimal"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Amount is Canadian dollars with cents (Flexiti lends in CAD only; there is
// no currency field). It travels as a JSON number with two decimals and
// decodes from a number or a string.
type Amount struct{ d decimal.Decimal }

// Dollars parses "1000.12".
func Dollars(s string) (Amount, error) {
	d, err := decimal.Parse(s)
	if err != nil {
		return Amount{}, err
	}
	if d.Places() > 2 {
		return Amount{}, httpx.Invalid(provider, "amount", "at most two decimal places")
	}
	return Amount{d}, nil
}

// MustDollars is Dollars for constants in programs and tests; it panics on
// a malformed literal (more than two places are refused when sent).
func MustDollars(s string) Amount { return Amount{decimal.MustParse(s)} }

// places is the number of decimal places the amount was written with.
func (a Amount) places() int { return a.d.Places() }

// Cents makes an Amount from integer cents.
func Cents(n int64) Amount {
	d, _ := decimal.New(n, 2)
	return Amount{d}
}

// Cents returns the amount in cents.
func (a Amount) Cents() int64 {
	n, _ := a.d.MinorUnits(2)
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

// UnmarshalJSON reads a number or a string.
func (a *Amount) UnmarshalJSON(b []byte) error {
	var d decimal.Decimal
	if err := d.UnmarshalJSON(b); err != nil {
		return err
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
