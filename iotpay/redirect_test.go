package iotpay_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/iotpay"
)

// A redirectUrl that is not http(s) is never handed on to a browser.
func TestPurchaseRefusesHostileRedirectURL(t *testing.T) {
	for _, u := range []string{"javascript:alert(document.domain)", "data:text/html,x", "/cc/purchase", "vbscript:x"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"retCode":"SUCCESS","retMsg":"","retData":{"secureId":"` + strings.Repeat("a", 64) + `","redirectUrl":"` + u + `"}}`))
		}))
		c, err := iotpay.New(iotpay.Config{MerchantID: "10000701", Key: "0123456789ABCDEF0123456789ABCDEF", LoginName: "jack123", NotifyURL: "https://shop.example/n"}, iotpay.WithBaseURL(srv.URL))
		require.NoError(t, err)
		co, err := c.Purchase(context.Background(), purchaseReq("o-1"))
		srv.Close()
		require.ErrorIs(t, err, iotpay.ErrMalformedResponse, u)
		assert.Nil(t, co)
	}
}
