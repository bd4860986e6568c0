package decimal_test

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/decimal"
)

// rat is d as an exact rational, the reference the comparison is held to.
func rat(d decimal.Decimal) *big.Rat {
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale())), nil)
	return new(big.Rat).SetFrac(big.NewInt(d.Coef()), den)
}

func TestCmpWhenAligningOverflowsInt64(t *testing.T) {
	a := decimal.MustParse("9.5")
	b := decimal.MustParse("9.000000000000000001")
	assert.False(t, a.Equal(b), "9.5 must not equal 9.000000000000000001")
	assert.Equal(t, 1, a.Cmp(b))
	assert.Equal(t, -1, b.Cmp(a))

	for _, c := range []struct {
		a, b string
		want int
	}{
		{"9223372036854775807", "922337203685477580.6", 1},
		{"-9223372036854775807", "-922337203685477580.6", -1},
		{"9.223372036854775807", "9.5", -1},
		{"92233720.36854775807", "92233720.4", -1},
		{"922337203685477580.7", "0.922337203685477580", 1},
		{"-0.000000000000000001", "0", -1},
		{"0.000000000000000001", "-9223372036854775807", 1},
		{"1", "1.000000000000000000", 0},
		{"-5.000000000000000000", "-5", 0},
		{"9.000000000000000001", "9.000000000000000002", -1},
	} {
		a, b := decimal.MustParse(c.a), decimal.MustParse(c.b)
		assert.Equal(t, c.want, a.Cmp(b), "%s cmp %s", c.a, c.b)
		assert.Equal(t, -c.want, b.Cmp(a), "%s cmp %s", c.b, c.a)
		assert.Equal(t, c.want == 0, a.Equal(b), "%s == %s", c.a, c.b)
	}

	// The extremes the type can hold, including a coefficient Parse never makes.
	minD, err := decimal.New(math.MinInt64, 0)
	require.NoError(t, err)
	maxD, err := decimal.New(math.MaxInt64, 18)
	require.NoError(t, err)
	assert.Equal(t, -1, minD.Cmp(maxD))
	assert.Equal(t, 1, maxD.Cmp(minD))
	assert.Equal(t, 0, minD.Cmp(minD))
}

// randomDecimal draws a value with 0 to 18 places: a whole part of uniform
// bit length (so small whole parts, which collide often, are as common as
// huge ones) and random digits after the point, within what an int64
// coefficient holds; now and then one of the extremes.
func randomDecimal(r *rand.Rand) decimal.Decimal {
	scale := r.IntN(decimal.MaxScale + 1)
	p := int64(1)
	for range scale {
		p *= 10
	}
	maxWhole := uint64(math.MaxInt64 / p)
	whole := r.Uint64() >> r.IntN(65) % (maxWhole + 1)
	if r.IntN(8) == 0 {
		whole = 0
	}
	c := int64(whole)*p + r.Int64N(p)
	if c < 0 { // the whole part at its limit plus a fraction overflowed
		c = math.MaxInt64
	}
	if r.IntN(2) == 0 {
		c = -c
	}
	if r.IntN(50) == 0 {
		c = []int64{math.MaxInt64, math.MinInt64, math.MinInt64 + 1, 0, 1, -1}[r.IntN(6)]
	}
	d, err := decimal.New(c, scale)
	if err != nil {
		panic(err)
	}
	return d
}

func TestCmpMatchesBigRat(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 4))
	for i := 0; i < 200000; i++ {
		a := randomDecimal(r)
		b := randomDecimal(r)
		if i%4 == 0 {
			// Same value at another scale, or one unit of the last place
			// apart: the cases a loose comparison gets wrong.
			b = nearby(r, a)
		}
		want := rat(a).Cmp(rat(b))
		if got := a.Cmp(b); got != want {
			t.Fatalf("%s cmp %s = %d, big.Rat says %d", a, b, got, want)
		}
		if got := a.Equal(b); got != (want == 0) {
			t.Fatalf("%s == %s is %v, big.Rat says %d", a, b, got, want)
		}
	}
}

// nearby returns a value a loose comparison gets wrong: a itself written
// with more places, one unit of the last place away from that, or another
// value with the same whole part and other digits after the point, written
// with as many places as fit.
func nearby(r *rand.Rand, a decimal.Decimal) decimal.Decimal {
	switch r.IntN(3) {
	case 0, 1:
		s := a.Scale() + r.IntN(decimal.MaxScale+1-a.Scale())
		d, err := a.Rescale(s)
		if err != nil {
			break
		}
		if r.IntN(2) == 0 {
			return d
		}
		step, _ := decimal.New(1-2*int64(r.IntN(2)), s)
		if e, err := d.Add(step); err == nil {
			return e
		}
		return d
	}
	p := int64(1)
	for range a.Scale() {
		p *= 10
	}
	whole := a.Coef() / p
	if whole == math.MinInt64 {
		return a
	}
	// The most places that still fit whole in an int64 coefficient.
	s, q := 0, int64(1)
	for s < decimal.MaxScale && q <= math.MaxInt64/10 && absInt(whole) <= math.MaxInt64/(q*10)-1 {
		s, q = s+1, q*10
	}
	frac := r.Int64N(q)
	if whole < 0 || whole == 0 && a.Sign() < 0 {
		frac = -frac
	}
	d, err := decimal.New(whole*q+frac, s)
	if err != nil {
		panic(err)
	}
	return d
}

func absInt(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func TestCmpDoesNotAllocate(t *testing.T) {
	a := decimal.MustParse("9.5")
	b := decimal.MustParse("9.000000000000000001")
	n := testing.AllocsPerRun(100, func() {
		if a.Cmp(b) == 0 || a.Equal(b) {
			t.Fatal("wrong")
		}
	})
	assert.Zero(t, n)
}

func BenchmarkCmp(b *testing.B) {
	x := decimal.MustParse("1000.12")
	y := decimal.MustParse("1000.120000000000001")
	for b.Loop() {
		if x.Cmp(y) == 0 {
			b.Fatal("equal")
		}
	}
}
