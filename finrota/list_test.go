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
		page(`{"data":[{"id":1},{"id":2}]}`), page(`{"data":[{"id":3},{"id":4}]}`), page(`{"data":[{"id":5}]}`))
	var ids []int64
	for p, err := range c.AllPayments(context.Background(), finrota.PaymentFilter{PageSize: 2}) {
		require.NoError(t, err)
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, ids)
	assert.Equal(t, 3, srv.Count("GET", "/erp/payments"))

	srv.Fail("GET", "/erp/payments", page(`{"data":[{"id":1},{"id":2}]}`), page(`{"data":[{"id":3},{"id":4}]}`))
	for p, err := range c.AllPayments(context.Background(), finrota.PaymentFilter{PageSize: 2}) {
		require.NoError(t, err)
		if p.ID == 2 {
			break
		}
	}
	assert.Equal(t, 4, srv.Count("GET", "/erp/payments"), "a break fetches no further page")

	for _, err := range c.AllPayments(context.Background(), finrota.PaymentFilter{PageSize: 5000}) {
		require.ErrorIs(t, err, finrota.ErrInvalidRequest, "the hand-paged call's error, yielded once")
	}
}
