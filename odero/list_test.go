package odero_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// TestAllCardsWalksEveryPage: the iterator asks for page after page until
// totalSize is reached and yields every stored card once.
func TestAllCardsWalksEveryPage(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv)
	const user = "de050909-39a9-473c-a81a-f186dd55cfef"
	for _, last4 := range []string{"1111", "2222", "3333", "4444", "5555"} {
		srv.StoreCard(user, last4)
	}
	seen := map[string]bool{}
	for card, err := range c.AllCards(context.Background(), &odero.SearchCardsRequest{CardUserKey: user, PageSize: 2}) {
		require.NoError(t, err)
		seen[card.LastFourDigits] = true
	}
	assert.Len(t, seen, 5)
	assert.Equal(t, 3, srv.Count("GET", "/payment/v1/cards"), "pages of 2, 2 and 1")
}
