package flexiti_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
)

// TestAllAuthorizationsWalksEveryPage: the iterator asks for page after
// page until one is short and yields every authorization in order.
func TestAllAuthorizationsWalksEveryPage(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := newClient(t, srv)
	page := func(body string) flexititest.Fault {
		return flexititest.Fault{Kind: flexititest.Status, Status: 200, Body: []byte(body)}
	}
	srv.Fail("GET", "*",
		page(`{"authorizations":[{"authorization_id":1},{"authorization_id":2}]}`),
		page(`{"authorizations":[{"authorization_id":3}]}`))
	var ids []flexiti.ID
	for a, err := range c.AllAuthorizations(context.Background(), flexiti.AuthorizationFilter{PageSize: 2}) {
		require.NoError(t, err)
		ids = append(ids, a.AuthorizationID)
	}
	assert.Equal(t, []flexiti.ID{1, 2, 3}, ids)
	var pages []string
	for _, r := range srv.Requests() {
		if r.Method == "GET" {
			q, err := url.ParseQuery(r.RawQuery)
			require.NoError(t, err)
			pages = append(pages, q.Get("page_number"))
		}
	}
	assert.Equal(t, []string{"1", "2"}, pages)
}
