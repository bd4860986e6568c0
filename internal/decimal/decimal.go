// Package decimal is the exact money type the providers share: a base-10
// fixed-point number (an int64 coefficient and a scale of 0 to 18 places)
// that parses and prints without ever passing through a float.
//
// On the wire it is a bare JSON number ("100.50" is written as 100.50, with
// the scale it was given). It decodes from a JSON number or a JSON string,
// since some providers quote amounts.
package decimal

import (
	"bytes"
	"errors"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// MaxScale is the largest number of places a Decimal keeps.
const MaxScale = 18

// ErrSyntax is matched when a string is not a decimal number.
var ErrSyntax = errors.New("decimal: not a decimal number")

// ErrRange is matched when a value does not fit 18 significant digits.
var ErrRange = errors.New("decimal: value out of range")

// Decimal is coef × 10^-scale. The zero value is 0.
type Decimal struct {
	coef  int64
	scale uint8
}

var pow10 = func() [MaxScale + 1]int64 {
	var p [MaxScale + 1]int64
	p[0] = 1
	for i := 1; i <= MaxScale; i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// New returns coef × 10^-scale, for example New(1050, 2) is 10.50.
func New(coef int64, scale int) (Decimal, error) {
	if scale < 0 || scale > MaxScale {
		return Decimal{}, ErrRange
	}
	return Decimal{coef: coef, scale: uint8(scale)}, nil
}

// FromCents returns n hundredths (two places): FromCents(1999) is 19.99.
// It cannot fail, unlike New with a scale from elsewhere.
func FromCents(n int64) Decimal { return Decimal{coef: n, scale: 2} }

// FromInt returns the whole number n.
func FromInt(n int64) Decimal { return Decimal{coef: n} }

// Parse reads a decimal such as "100", "-3.25", "0.5" or "1.5e2". It keeps
// the scale written ("10.50" has two places).
func Parse(s string) (Decimal, error) {
	if s == "" {
		return Decimal{}, ErrSyntax
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 100 || e < -100 {
			return Decimal{}, ErrSyntax
		}
		exp, s = e, s[:i]
	}
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && frac == "" || hasDot && frac == "" && intPart == "" {
		return Decimal{}, ErrSyntax
	}
	var coef uint64
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c < '0' || c > '9' {
				return Decimal{}, ErrSyntax
			}
			hi, lo := bits.Mul64(coef, 10)
			lo, carry := bits.Add64(lo, uint64(c-'0'), 0)
			if hi != 0 || carry != 0 || lo > math.MaxInt64 {
				return Decimal{}, ErrRange
			}
			coef = lo
		}
	}
	scale := len(frac) - exp
	for scale < 0 {
		hi, lo := bits.Mul64(coef, 10)
		if hi != 0 || lo > math.MaxInt64 {
			return Decimal{}, ErrRange
		}
		coef, scale = lo, scale+1
	}
	for scale > MaxScale && coef%10 == 0 {
		coef, scale = coef/10, scale-1
	}
	if scale > MaxScale {
		return Decimal{}, ErrRange
	}
	c := int64(coef)
	if neg {
		c = -c
	}
	return Decimal{coef: c, scale: uint8(scale)}, nil
}

// MustParse is Parse for constants in tests and examples; it panics on a
// malformed literal.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic("decimal.MustParse: " + strconv.Quote(s) + " must be a decimal literal: " + err.Error())
	}
	return d
}

// Coef and Scale return the parts of d = Coef × 10^-Scale.
func (d Decimal) Coef() int64 { return d.coef }

// Scale is the number of places d was written with.
func (d Decimal) Scale() int { return int(d.scale) }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	switch {
	case d.coef < 0:
		return -1
	case d.coef > 0:
		return 1
	}
	return 0
}

// IsZero reports whether d is 0.
func (d Decimal) IsZero() bool { return d.coef == 0 }

// Places returns the number of significant places after the point
// (10.50 has 1, 10.00 has 0).
func (d Decimal) Places() int {
	c, s := d.coef, int(d.scale)
	for s > 0 && c%10 == 0 {
		c, s = c/10, s-1
	}
	return s
}

// Rescale returns d written with exactly scale places. It fails when that
// would drop a non-zero digit or overflow.
func (d Decimal) Rescale(scale int) (Decimal, error) {
	if scale < 0 || scale > MaxScale {
		return Decimal{}, ErrRange
	}
	c, s := d.coef, int(d.scale)
	for s > scale {
		if c%10 != 0 {
			return Decimal{}, ErrRange
		}
		c, s = c/10, s-1
	}
	for s < scale {
		hi, lo := bits.Mul64(uint64(abs(c)), 10)
		if hi != 0 || lo > math.MaxInt64 {
			return Decimal{}, ErrRange
		}
		if c < 0 {
			c = -int64(lo)
		} else {
			c = int64(lo)
		}
		s++
	}
	return Decimal{coef: c, scale: uint8(s)}, nil
}

// MinorUnits returns d as an integer number of 10^-places units (cents for
// places = 2), failing if d has more places than that.
func (d Decimal) MinorUnits(places int) (int64, error) {
	r, err := d.Rescale(places)
	return r.coef, err
}

func abs(c int64) int64 {
	if c < 0 {
		return -c
	}
	return c
}

func align(a, b Decimal) (Decimal, Decimal, error) {
	s := max(a.scale, b.scale)
	ra, err := a.Rescale(int(s))
	if err != nil {
		return a, b, err
	}
	rb, err := b.Rescale(int(s))
	return ra, rb, err
}

// Add returns d + e exactly.
func (d Decimal) Add(e Decimal) (Decimal, error) {
	a, b, err := align(d, e)
	if err != nil {
		return Decimal{}, err
	}
	s := a.coef + b.coef
	if (a.coef > 0 && b.coef > 0 && s < 0) || (a.coef < 0 && b.coef < 0 && s >= 0) {
		return Decimal{}, ErrRange
	}
	return Decimal{coef: s, scale: a.scale}, nil
}

// Cmp compares d and e: -1 if d < e, 0 if equal, +1 if d > e. It is exact
// for every pair of values the type holds: the coefficients are aligned in
// 128-bit arithmetic (|coef| < 2^63 times 10^18 < 2^60 fits), so no scale
// difference can overflow it, and it does not allocate.
func (d Decimal) Cmp(e Decimal) int {
	ds, es := d.Sign(), e.Sign()
	if ds != es {
		if ds < es {
			return -1
		}
		return 1
	}
	if ds == 0 {
		return 0
	}
	// Same non-zero sign: compare magnitudes, each scaled to the larger scale.
	s := max(d.scale, e.scale)
	dh, dl := bits.Mul64(uabs(d.coef), uint64(pow10[s-d.scale]))
	eh, el := bits.Mul64(uabs(e.coef), uint64(pow10[s-e.scale]))
	c := 0
	switch {
	case dh < eh || dh == eh && dl < el:
		c = -1
	case dh > eh || dh == eh && dl > el:
		c = 1
	}
	return c * ds
}

// uabs is |c| as a uint64; it is exact for math.MinInt64 too.
func uabs(c int64) uint64 {
	if c < 0 {
		return -uint64(c)
	}
	return uint64(c)
}

// Equal reports whether d and e are the same number (10.5 equals 10.50).
func (d Decimal) Equal(e Decimal) bool { return d.Cmp(e) == 0 }

// String writes d with its scale, for example "10.50" or "-0.05".
func (d Decimal) String() string { return string(d.Append(nil)) }

// Append appends the text of d to b.
func (d Decimal) Append(b []byte) []byte {
	if d.coef < 0 {
		b = append(b, '-')
	}
	u := uint64(d.coef)
	if d.coef < 0 {
		u = -u
	}
	var buf [24]byte
	digits := strconv.AppendUint(buf[:0], u, 10)
	s := int(d.scale)
	if s == 0 {
		return append(b, digits...)
	}
	if len(digits) <= s {
		b = append(b, '0', '.')
		for i := len(digits); i < s; i++ {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	b = append(b, digits[:len(digits)-s]...)
	b = append(b, '.')
	return append(b, digits[len(digits)-s:]...)
}

// MarshalJSON writes d as a bare JSON number.
func (d Decimal) MarshalJSON() ([]byte, error) { return d.Append(nil), nil }

// UnmarshalJSON reads a JSON number or a string holding one. null leaves d
// unchanged.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = bytes.TrimSpace(b[1 : len(b)-1])
	}
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText writes d as text (for form and query encodings).
func (d Decimal) MarshalText() ([]byte, error) { return d.Append(nil), nil }

// UnmarshalText reads d from text.
func (d *Decimal) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
