package flexiti_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/flexiti"
)

// The widget session's redirection_url becomes an iframe's src: anything
// but http(s) is a typed error.
func TestWidgetInitRefusesHostileRedirectionURL(t *testing.T) {
	for _, u := range []string{"javascript:alert(document.domain)//#/widget/c/a?widget_session_id=1", "data:text/html,x#/w?widget_session_id=1",
		"/relative#/w?widget_session_id=1", "vbscript:x#/w?widget_session_id=1"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/oauth/token") {
				_, _ = w.Write([]byte(`{"token_type":"Bearer","access_token":"a1","expires_in":1199,"refresh_token":"r1","scope":"customer"}`))
				return
			}
			_, _ = w.Write([]byte(`{"redirection_url":"` + u + `"}`))
		}))
		c, err := flexiti.New(flexiti.Config{ClientID: "c", ClientSecret: "s"}, flexiti.WithBaseURL(srv.URL+"/flexiti/pos-api"))
		require.NoError(t, err)
		f, err := c.NewFlow(context.Background())
		require.NoError(t, err)
		ws, err := f.WidgetInit(context.Background(), purchaseInit())
		srv.Close()
		require.ErrorIs(t, err, flexiti.ErrMalformedResponse, u)
		assert.Nil(t, ws)
	}
}
