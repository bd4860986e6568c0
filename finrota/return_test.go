package finrota_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/finrota"
)

func TestParseReturn(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/return?lang=tr", strings.NewReader("OrderId=NTH15P1&ClientReferenceCode=ref-1&Success=true&extra=kept"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	ret, err := finrota.ParseReturn(r)
	require.NoError(t, err)
	assert.Equal(t, "NTH15P1", ret.OrderID)
	assert.Equal(t, "ref-1", ret.ClientReferenceCode)
	require.NotNil(t, ret.Success)
	assert.True(t, *ret.Success)
	assert.False(t, ret.Verified, "never verified")
	assert.Equal(t, []string{"kept"}, ret.Values["extra"])
	assert.Equal(t, []string{"tr"}, ret.Values["lang"])

	ret, err = finrota.ParseReturn(httptest.NewRequest(http.MethodGet, "/return?orderId=2&success=false&error=3D%20failed", nil))
	require.NoError(t, err)
	assert.False(t, *ret.Success)
	assert.Equal(t, "3D failed", ret.Error)

	_, err = finrota.ParseReturn(httptest.NewRequest(http.MethodDelete, "/return", nil))
	require.ErrorIs(t, err, finrota.ErrInvalidReturn)
	big := httptest.NewRequest(http.MethodPost, "/return", strings.NewReader("a="+strings.Repeat("x", finrota.MaxReturnBytes)))
	big.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_, err = finrota.ParseReturn(big)
	require.ErrorIs(t, err, finrota.ErrInvalidReturn)
}

func TestWidgetSnippetEscapes(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	w, err := c.CreateWidgetToken(t.Context())
	require.NoError(t, err)
	html, err := finrota.Widget{Token: w, Amount: amt("2750.50"), ContainerID: `x"</script><script>alert(1)`, CompleteURL: "/c", CSRFToken: `"</script>`}.Snippet()
	require.NoError(t, err)
	s := string(html)
	assert.Contains(t, s, `<script src="https://cdnecozum.com/static/finrota-widget/v1.0.0/index.umd.js"></script>`)
	assert.Contains(t, s, "amount: 2750.50,")
	assert.Contains(t, s, `currency: "TRY"`)
	assert.Contains(t, s, `environment: "prod"`)
	assert.Equal(t, 2, strings.Count(s, "</script>"))
	assert.Contains(t, s, "token: \""+w.Value()+"\"")
	assert.NotContains(t, fmtV(w), w.Value(), "a widget token does not print")
}
