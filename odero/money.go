package odero

import (
	"github.com/paywidget/paywidget-go/internal/decimal"
	"github.com/paywidget/paywidget-go/internal/money"
)

// Amount is an exact decimal amount in the payment's currency (100.50 is one
// hundred lira and fifty kuruş). It travels as a bare JSON number and decodes
// any decimal the gateway sends, number or string. It is never a float.
//
// Make one with ParseAmount or MustParseAmount ("100.50"); the zero value is
// 0. Its methods (all exact, none passes through a float):
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
//	MinorUnits(places int) (int64, error) // as integer units of 10^-places (kuruş for 2); fails rather than round
//	String() string                       // "10.50", with the scale written
//	Append(b []byte) []byte               // appends String() to b
//	MarshalJSON, UnmarshalJSON            // a bare JSON number; decodes a number or a string
//	MarshalText, UnmarshalText            // the String form
type Amount = decimal.Decimal

// amountPlaces is how many decimal places OderoPay's currencies (TRY, USD,
// EUR, …) have.
const amountPlaces = 2

// ParseAmount parses a decimal amount such as "100.50". A malformed literal
// or one with more than two decimal places fails with a *ValidationError
// matching ErrInvalidRequest.
func ParseAmount(s string) (Amount, error) { return money.Parse(provider, amountPlaces, s) }

// MustParseAmount is ParseAmount for constants in programs and tests; it
// panics on a literal ParseAmount refuses.
func MustParseAmount(s string) Amount { return money.MustParse(provider, amountPlaces, s) }

// AmountFromMinor is minor units (kuruş, cents) as an Amount:
// AmountFromMinor(10050) is 100.50.
func AmountFromMinor(minor int64) Amount { return money.FromCents(minor) }
