package finrota_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
)

// TestAllPaymentsWalksEveryPage: the iterator asks for page after page
// until one is short, yields every record in order, and stops fetching when
// the loop breaks.
func TestAllPaymentsWalksEveryPage(t *testing.T) {
	srv := finrotatest.NewServer(t)
	c := newClient(t, srv)
	page := func(body string) finrotatest.Fault {
		return finrotatest.Fault{Kind: finrotatest.Status, Status: 200, Body: []byte(body)}
	}
	srv.Fail("GET", "/erp/payments",
		page(`{"data":[{"id":"g1"},{"id":"g2"}]}`), page(`{"data":[{"id":"g3"},{"id":"g4"}]}`), page(`{"data":[{"id":"g5"}]}`))
	var ids []string
	for p, err := range c.AllPayments(context.Background(), finrota.PaymentFilter{PageSize: 2}) {
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{"g1", "g2", "g3", "g4", "g5"}, ids)
	assert.Equal(t, 3, srv.Count("GET", "/erp/payments"))

	srv.Fail("GET", "/erp/payments", page(`{"data":[{"id":"g1"},{"id":"g2"}]}`), page(`{"data":[{"id":"g3"},{"id":"g4"}]}`))
	for p, err := range c.AllPayments(context.Background(), finrota.PaymentFilter{PageSize: 2}) {
		require.NoError(t, err)
		if p.ID == "g2" {
			break
		}
	}
	assert.Equal(t, 4, srv.Count("GET", "/erp/payments"), "a break fetches no further page")

	for _, err := range c.AllPayments(context.Background(), finrota.PaymentFilter{PageSize: 5000}) {
		require.ErrorIs(t, err, finrota.ErrInvalidRequest, "the hand-paged call's error, yielded once")
	}
}
