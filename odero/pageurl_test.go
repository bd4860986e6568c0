package odero_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

var hostilePageURLs = []string{
	"javascript:alert(document.domain)",
	"JaVaScRiPt:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"vbscript:msgbox(1)",
	"blob:https://oos.odero.az/1",
	"file:///etc/passwd",
	"//evil.example/p",
	"/relative",
	"https://user:pw@evil.example/",
}

// A page URL is handed to the shopper's browser as a frame source: only
// http(s) passes; anything else is an error, never "?iframe=True" appended.
func TestIframeURLRefusesHostileSchemes(t *testing.T) {
	for _, u := range hostilePageURLs {
		got, err := odero.IframeURL(u)
		require.ErrorIs(t, err, odero.ErrInvalidRequest, u)
		assert.Empty(t, got, u)
	}
}

// A gateway (or anything in its place) answering init with a hostile
// pageUrl gets a typed error, not a Checkout to render.
func TestInitCheckoutRefusesHostilePageURL(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv, odero.WithoutRetries())
	for _, u := range hostilePageURLs {
		srv.Fail("POST", "*", fake.Fault{Kind: fake.Status, Status: 200, Body: []byte(`{"data":{"token":"8a2c3f3e-7f2b-4c8e-9b1a-2f1f7c1e5d11","pageUrl":"` + u + `"}}`)})
		co, err := c.InitCheckout(context.Background(), validInit())
		require.ErrorIs(t, err, odero.ErrMalformedResponse, u)
		assert.Nil(t, co)
	}
}
