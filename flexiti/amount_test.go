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
		_, err := flexiti.Dollars(s)
		require.Error(t, err, s)
		assert.ErrorIs(t, err, flexiti.ErrInvalidRequest, s)

		func() {
			defer func() {
				r := recover()
				require.NotNil(t, r, "MustDollars(%q) must panic", s)
				assert.Contains(t, r, "flexiti.MustDollars("+strconv.Quote(s)+")")
			}()
			flexiti.MustDollars(s)
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
		_ = flexiti.MustDollars("10.005").Cents() // the reported case: 0 cents before
		t.Error("MustDollars(10.005) made an Amount")
	}()

	for _, n := range []int64{1_000_000_000_000_000_000, -1_000_000_000_000_000_000, math.MaxInt64, math.MinInt64} {
		_, err := flexiti.Cents(n)
		assert.ErrorIs(t, err, flexiti.ErrInvalidRequest, "Cents(%d)", n)
	}
}

func TestAmountCentsIsExact(t *testing.T) {
	for s, want := range map[string]int64{
		"10.00": 1000, "10.5": 1050, "10.50": 1050, "0.01": 1, "1499.99": 149999, "10": 1000, "0": 0,
		"-0.01": -1, "10.000": 1000, "1.5e2": 15000,
		"9999999999999999.99": 999_999_999_999_999_999, "-9999999999999999.99": -999_999_999_999_999_999,
	} {
		a, err := flexiti.Dollars(s)
		require.NoError(t, err, s)
		assert.Equal(t, want, a.Cents(), s)
		assert.Equal(t, want, flexiti.MustDollars(s).Cents(), s)

		var d flexiti.Amount
		require.NoError(t, json.Unmarshal([]byte(s), &d), s)
		assert.Equal(t, want, d.Cents(), s)
		require.NoError(t, json.Unmarshal([]byte(strconv.Quote(s)), &d), s)
		assert.Equal(t, want, d.Cents(), s)
	}
	for _, n := range []int64{1, -1, 1050, 999_999_999_999_999_999, -999_999_999_999_999_999} {
		a, err := flexiti.Cents(n)
		require.NoError(t, err)
		assert.Equal(t, n, a.Cents())
	}
}

// Every Amount that can be made has an exact number of cents: nothing
// answers 0 cents for a non-zero amount.
func TestAmountNeverZeroCentsWhenNonZero(t *testing.T) {
	for _, s := range []string{"0.01", "10.005", "0.001", "1e-2", "1e-3", "123456789.12", "5e15", "0.10", "1.00000"} {
		a, err := flexiti.Dollars(s)
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
	a := flexiti.MustDollars("12.34")
	require.NoError(t, json.Unmarshal([]byte("null"), &a))
	assert.Equal(t, int64(1234), a.Cents())
}
