package flexiti_test

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/flexiti"
)

func TestAmountFlexitiCannotCarryIsRefusedWhereMade(t *testing.T) {
	for _, s := range []string{"10.005", "0.001", "-1.999", "10000000000000000", "1e16", "-10000000000000000.00", "abc", ""} {
		_, err := flexiti.ParseAmount(s)
		require.Error(t, err, s)
		assert.ErrorIs(t, err, flexiti.ErrInvalidRequest, s)

		func() {
			defer func() {
				r := recover()
				require.NotNil(t, r, "MustParseAmount(%q) must panic", s)
				assert.Contains(t, r, "flexiti.MustParseAmount("+strconv.Quote(s)+")")
			}()
			flexiti.MustParseAmount(s)
		}()

		var a flexiti.Amount
		for _, b := range []string{s, strconv.Quote(s)} {
			err := json.Unmarshal([]byte(b), &a)
			assert.Error(t, err, "decoding %s", b)
			assert.False(t, errors.Is(err, flexiti.ErrInvalidRequest), "a reply's amount is not an invalid request")
		}
	}
	func() {
		defer func() { assert.Contains(t, recover(), "at most two decimal places") }()
		_ = flexiti.MustParseAmount("10.005").Cents() // the reported case: 0 cents before
		t.Error("MustParseAmount(10.005) made an Amount")
	}()

	for _, n := range []int64{1_000_000_000_000_000_000, math.MaxInt64} {
		_, err := flexiti.Cents(n) // deprecated: refuses where made
		assert.ErrorIs(t, err, flexiti.ErrInvalidRequest, "Cents(%d)", n)
		err = (&flexiti.AuthorizeRequest{Amount: flexiti.AmountFromMinor(n)}).Validate()
		assert.ErrorIs(t, err, flexiti.ErrInvalidRequest, "a request with AmountFromMinor(%d)", n)
		assert.Contains(t, err.Error(), "16 digits")
	}
	assert.Equal(t, "-92233720368547758.08", flexiti.AmountFromMinor(math.MinInt64).String(), "prints exactly, never panics")
	_, err := flexiti.Dollars("1.005") // deprecated alias
	assert.ErrorIs(t, err, flexiti.ErrInvalidRequest)
}

func TestAmountCentsIsExact(t *testing.T) {
	for s, want := range map[string]int64{
		"10.00": 1000, "10.5": 1050, "10.50": 1050, "0.01": 1, "1499.99": 149999, "10": 1000, "0": 0,
		"-0.01": -1, "10.000": 1000, "1.5e2": 15000,
		"9999999999999999.99": 999_999_999_999_999_999, "-9999999999999999.99": -999_999_999_999_999_999,
	} {
		a, err := flexiti.ParseAmount(s)
		require.NoError(t, err, s)
		assert.Equal(t, want, a.Cents(), s)
		assert.Equal(t, want, flexiti.MustParseAmount(s).Cents(), s)

		var d flexiti.Amount
		require.NoError(t, json.Unmarshal([]byte(s), &d), s)
		assert.Equal(t, want, d.Cents(), s)
		require.NoError(t, json.Unmarshal([]byte(strconv.Quote(s)), &d), s)
		assert.Equal(t, want, d.Cents(), s)
	}
	for _, n := range []int64{1, -1, 1050, 999_999_999_999_999_999, -999_999_999_999_999_999} {
		assert.Equal(t, n, flexiti.AmountFromMinor(n).Cents())
	}
}

// Every Amount that can be made has an exact number of cents: nothing
// answers 0 cents for a non-zero amount.
func TestAmountNeverZeroCentsWhenNonZero(t *testing.T) {
	for _, s := range []string{"0.01", "10.005", "0.001", "1e-2", "1e-3", "123456789.12", "5e15", "0.10", "1.00000"} {
		a, err := flexiti.ParseAmount(s)
		if err != nil {
			continue // refused where made
		}
		assert.Equal(t, a.IsPositive(), a.Cents() > 0, s)
		var d flexiti.Amount
		if json.Unmarshal([]byte(s), &d) == nil {
			assert.Equal(t, a.Cents(), d.Cents(), s)
		}
	}
	assert.Zero(t, flexiti.Amount{}.Cents(), "the zero Amount is 0")
}

func TestAmountNullKeepsValue(t *testing.T) {
	a := flexiti.MustParseAmount("12.34")
	require.NoError(t, json.Unmarshal([]byte("null"), &a))
	assert.Equal(t, int64(1234), a.Cents())
}
