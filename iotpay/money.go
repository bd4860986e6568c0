package iotpay

import (
	"github.com/paywidget/paywidget-go/internal/decimal"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/money"
)

// Amount is an exact amount of Canadian dollars (IOTPay's Currency): 19.99
// is nineteen dollars and ninety-nine cents. On the wire IOTPay wants
// integer cents; the SDK converts, so a float never enters and no one
// multiplies by 100.
//
// Make one with ParseAmount or MustParseAmount ("19.99") or AmountFromMinor
// (1999 cents); the zero value is 0. Its methods (all exact, none passes through a float):
//
//	Add(e Amount) (Amount, error)         // a + e; fails on overflow
//	Cmp(e Amount) int                     // -1, 0 or +1 as a <, ==, > e
//	Equal(e Amount) bool                  // same number (10.5 equals 10.50)
//	Sign() int                            // -1, 0 or +1
//	IsZero() bool                         // a == 0
//	Places() int                          // significant places after the point (10.50 has 1)
//	Scale() int                           // places as written (10.50 has 2)
//	Coef() int64                          // a = Coef × 10^-Scale (10.50 is 1050, 2)
//	Rescale(scale int) (Amount, error)    // written with exactly scale places; fails rather than round
//	MinorUnits(places int) (int64, error) // as integer units of 10^-places (cents for 2); fails rather than round
//	String() string                       // "10.50", with the scale written
//	Append(b []byte) []byte               // appends String() to b
//	MarshalJSON, UnmarshalJSON            // a bare JSON number; decodes a number or a string
//	MarshalText, UnmarshalText            // the String form
type Amount = decimal.Decimal

// amountPlaces is how many decimal places a CAD amount has (cents).
const amountPlaces = 2

// ParseAmount parses a dollar amount such as "19.99". A malformed literal or
// one with more than two decimal places fails with a *ValidationError
// matching ErrInvalidRequest.
func ParseAmount(s string) (Amount, error) { return money.Parse(provider, amountPlaces, s) }

// MustParseAmount is ParseAmount for constants in programs and tests; it
// panics on a literal ParseAmount refuses.
func MustParseAmount(s string) Amount { return money.MustParse(provider, amountPlaces, s) }

// AmountFromMinor is cents as an Amount: AmountFromMinor(1999) is 19.99.
func AmountFromMinor(cents int64) Amount { return money.FromCents(cents) }

// checkAmount checks a request's amount: present, positive, whole cents.
func checkAmount(field string, a Amount) error {
	switch {
	case a.IsZero():
		return httpx.Invalid(provider, field, "required")
	case a.Sign() < 0:
		return httpx.Invalid(provider, field, "must be greater than 0")
	case a.Places() > amountPlaces:
		return httpx.Invalid(provider, field, "at most two decimal places (whole cents)")
	}
	if _, err := a.MinorUnits(amountPlaces); err != nil {
		return httpx.Invalid(provider, field, "too large")
	}
	return nil
}

// cents is a checked amount in cents, as IOTPay's wire wants it.
func cents(a Amount) int64 {
	c, _ := a.MinorUnits(amountPlaces)
	return c
}
