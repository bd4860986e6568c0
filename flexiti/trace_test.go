package flexiti_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/internal/conformance"
)

// AuthorizeOnce is one span; its look-up (FindAuthorization, which lists),
// its authorization and the merchant token fetch nest inside it, each with
// its own attempts.
func TestAuthorizeOnceTracedAsNestedSpans(t *testing.T) {
	srv := flexititest.NewServer(t)
	rec := &conformance.Recorder{}
	c := newClient(t, srv, flexiti.WithTracer(rec))
	f := passedFlow(t, srv, c)
	rec.Reset()

	_, err := f.AuthorizeOnce(context.Background(), saleReq("order-31"))
	require.NoError(t, err)
	spans := rec.Spans()
	assert.Equal(t, []string{
		"flexiti.Flow.AuthorizeOnce",
		"flexiti.Flow.AuthorizeOnce > flexiti.FindAuthorization",
		"flexiti.Flow.AuthorizeOnce > flexiti.FindAuthorization > flexiti.ListAuthorizations",
		"flexiti.Flow.AuthorizeOnce > flexiti.FindAuthorization > flexiti.ListAuthorizations > flexiti.token",
		"flexiti.Flow.AuthorizeOnce > flexiti.Flow.Authorize",
	}, rec.Tree())
	for _, s := range spans {
		require.Len(t, s.Ends, 1, s.Start.Operation)
	}
	assert.Equal(t, "order-31", spans[0].Start.Reference)
	assert.Equal(t, "order-31", spans[1].Start.Reference)
	assert.Equal(t, "order-31", spans[4].Start.Reference)
	assert.Equal(t, 0, spans[0].Ends[0].Attempts, "the Once call sends nothing itself")
	assert.Equal(t, 1, spans[2].Ends[0].Attempts, "the listing")
	assert.Equal(t, 1, spans[3].Ends[0].Attempts, "the token fetch")
	assert.Equal(t, 1, spans[4].Ends[0].Attempts, "the authorization")

	// The answer is lost: the authorization is outcome unknown, the look-up
	// after it finds it, and the Once call succeeds.
	rec.Reset()
	srv.Fail("POST", authorizationPath, flexititest.Fault{Kind: flexititest.DropAfter})
	_, err = f.AuthorizeOnce(context.Background(), saleReq("order-32"))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"flexiti.Flow.AuthorizeOnce",
		"flexiti.Flow.AuthorizeOnce > flexiti.FindAuthorization",
		"flexiti.Flow.AuthorizeOnce > flexiti.FindAuthorization > flexiti.ListAuthorizations",
		"flexiti.Flow.AuthorizeOnce > flexiti.Flow.Authorize [outcome_unknown]",
		"flexiti.Flow.AuthorizeOnce > flexiti.FindAuthorization",
		"flexiti.Flow.AuthorizeOnce > flexiti.FindAuthorization > flexiti.ListAuthorizations",
	}, rec.Tree())

	// Invalid input: one span, class validation, nothing nested.
	rec.Reset()
	_, err = f.AuthorizeOnce(context.Background(), saleReq(""))
	require.ErrorIs(t, err, flexiti.ErrInvalidRequest)
	assert.Equal(t, []string{"flexiti.Flow.AuthorizeOnce [validation]"}, rec.Tree())
}
