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

// TestAllRefundTransactionsWalksEveryPage: the iterator asks for page after
// page until totalSize is reached and yields every item refund once, with
// the caller's page size or, without one, the size the gateway answered.
func TestAllRefundTransactionsWalksEveryPage(t *testing.T) {
	srv := oderotest.NewServer(t)
	c := newClient(t, srv)
	p := paidCheckout(t, srv, c)
	tx := p.Transactions[0].ID
	ctx := context.Background()
	var want []int64
	for range 5 {
		rt, err := c.RefundTransaction(ctx, &odero.RefundTransactionRequest{PaymentTransactionID: tx, RefundPrice: amt("1.00")})
		require.NoError(t, err)
		want = append(want, rt.ID)
	}
	walk := func(size int) []int64 {
		var got []int64
		for rt, err := range c.AllRefundTransactions(ctx, &odero.SearchRefundTransactionsRequest{PaymentTransactionID: tx, PageSize: size}) {
			require.NoError(t, err)
			got = append(got, rt.ID)
		}
		return got
	}
	assert.Equal(t, want, walk(2))
	assert.Equal(t, 3, srv.Count("GET", "/payment/v1/refund-transactions"), "pages of 2, 2 and 1")
	assert.Equal(t, want, walk(0), "the gateway's default size (10) holds all five")
	assert.Equal(t, 4, srv.Count("GET", "/payment/v1/refund-transactions"), "one page more")
}
