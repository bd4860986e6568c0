package iotpay_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/iotpay"
)

// TestValidateReportsEveryViolation: every broken rule at once, each a
// *ValidationError naming the Go field and the wire field.
func TestValidateReportsEveryViolation(t *testing.T) {
	err := (&iotpay.PurchaseRequest{Subject: strings.Repeat("s", 65), ReturnURL: "/return"}).Validate()
	require.ErrorIs(t, err, iotpay.ErrInvalidRequest)
	assert.Equal(t, strings.Join([]string{
		"iotpay: MchOrderNo (mchOrderNo): required",
		"iotpay: Amount (amount): required",
		"iotpay: Subject (subject): longer than 64 characters",
		"iotpay: ReturnURL (returnUrl): must be an absolute http(s) URL without user info or fragment",
	}, "\n"), err.Error())
	var first *iotpay.ValidationError
	require.ErrorAs(t, err, &first)
	assert.Equal(t, "MchOrderNo", first.Field)
	assert.Equal(t, "mchOrderNo", first.Wire)
}
