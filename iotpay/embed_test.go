package iotpay_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/iotpay"
)

func TestEmbedEscapesValues(t *testing.T) {
	c := testClient(t)
	html, err := c.Embed(iotpay.Embed{SecureID: `abc"</script><script>alert(1)</script>`, Action: iotpay.ActionAdd, Callback: "done",
		Nonce: "n0nce", Options: iotpay.WidgetOptions{DarkMode: true, Button: &iotpay.Button{Text: "Pay </script>"}}})
	require.NoError(t, err)
	s := string(html)
	assert.Contains(t, s, `<script src="https://ccdev.iotpaycloud.com/cc/iotpaycc.js"></script>`)
	assert.Contains(t, s, `nonce="n0nce"`)
	assert.Contains(t, s, `"Add"`)
	assert.Contains(t, s, `"darkMode":true`)
	assert.NotContains(t, s, "</script><script>alert")
	assert.Equal(t, 2, countSubstr(s, "</script>"), "only the two script tags close")

	_, err = c.Embed(iotpay.Embed{SecureID: "x", Action: "Steal"})
	require.ErrorIs(t, err, iotpay.ErrInvalidRequest)
	_, err = c.Embed(iotpay.Embed{})
	require.ErrorIs(t, err, iotpay.ErrInvalidRequest)
}

func countSubstr(s, sub string) int {
	n := 0
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			n++
		}
	}
	return n
}
