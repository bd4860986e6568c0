package decimal_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/decimal"
)

func TestParseKeepsScaleAndPrintsExactly(t *testing.T) {
	for in, want := range map[string]string{
		"100": "100", "100.50": "100.50", "-3.25": "-3.25", "0.05": "0.05", ".5": "0.5",
		"1.5e2": "150", "1.25E-1": "0.125", "+7": "7", "0": "0", "-0.001": "-0.001",
		"9223372036854775807": "9223372036854775807",
	} {
		d, err := decimal.Parse(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, d.String(), in)
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{"", "-", ".", "1.2.3", "abc", "1e", "1e1000", "NaN", "Infinity", "0x10", "1,5", " 1", "9223372036854775808", "1e-30"} {
		_, err := decimal.Parse(in)
		assert.Error(t, err, in)
	}
}

func TestArithmeticIsExact(t *testing.T) {
	a := decimal.MustParse("0.1")
	b := decimal.MustParse("0.2")
	sum, err := a.Add(b)
	require.NoError(t, err)
	assert.Equal(t, "0.3", sum.String())
	assert.True(t, sum.Equal(decimal.MustParse("0.30")))
	assert.Equal(t, -1, decimal.MustParse("10.49").Cmp(decimal.MustParse("10.5")))
	assert.Equal(t, 1, decimal.MustParse("2").Cmp(decimal.MustParse("1.99")))
	assert.Equal(t, 1, decimal.MustParse("10.50").Places())
	assert.Equal(t, 0, decimal.MustParse("10.00").Places())
	_, err = decimal.FromInt(9223372036854775807).Add(decimal.FromInt(1))
	assert.ErrorIs(t, err, decimal.ErrRange)
}

func TestRescaleAndMinorUnits(t *testing.T) {
	d := decimal.MustParse("10.5")
	r, err := d.Rescale(2)
	require.NoError(t, err)
	assert.Equal(t, "10.50", r.String())
	cents, err := d.MinorUnits(2)
	require.NoError(t, err)
	assert.Equal(t, int64(1050), cents)
	_, err = decimal.MustParse("10.555").Rescale(2)
	assert.ErrorIs(t, err, decimal.ErrRange, "rescaling never rounds money away")
	n, err := decimal.New(-1050, 2)
	require.NoError(t, err)
	assert.Equal(t, "-10.50", n.String())
}

func TestJSON(t *testing.T) {
	type body struct {
		Price decimal.Decimal  `json:"price"`
		Paid  *decimal.Decimal `json:"paid,omitempty"`
	}
	b, err := json.Marshal(body{Price: decimal.MustParse("100.50")})
	require.NoError(t, err)
	assert.Equal(t, `{"price":100.50}`, string(b))

	var got body
	require.NoError(t, json.Unmarshal([]byte(`{"price":"19.99","paid":1e2}`), &got))
	assert.Equal(t, "19.99", got.Price.String())
	assert.Equal(t, "100", got.Paid.String())
	assert.Error(t, json.Unmarshal([]byte(`{"price":true}`), &got))
	assert.Error(t, json.Unmarshal([]byte(`{"price":"1e99999"}`), &got))
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1", "-0.5", "1e3", "12345678901234567.8", ".", "1e-18"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := decimal.Parse(s)
		if err != nil {
			return
		}
		back, err := decimal.Parse(d.String())
		if err != nil {
			t.Fatalf("%q printed as %q which does not parse: %v", s, d.String(), err)
		}
		if !back.Equal(d) || back.String() != d.String() {
			t.Fatalf("%q round trip: %q != %q", s, back.String(), d.String())
		}
	})
}
