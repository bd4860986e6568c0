package fake

import (
	"context"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"sync"
)

// Trigger asks a fake to send one of its provider's notifications now, for
// an order it knows (examples/fakes' trigger).
type Trigger struct {
	// Ref is the merchant's reference of the order (IOTPay mchOrderNo, KTPay
	// order_id, OderoPay conversationId).
	Ref string
	// Outcome settles a payment still waiting for the shopper: "paid" or
	// "declined" (and what else the provider has); empty leaves a settled
	// order's outcome as it is.
	Outcome string
	// To overrides the URL the provider would notify (the order's own).
	To string
	// Times sends the notification this many times (default 1), as a
	// provider's redelivery would; Concurrent sends them all at once.
	Times      int
	Concurrent bool
}

// Sent is a notification as a Trigger sent it: what the merchant received.
type Sent struct {
	Method      string
	URL         string
	ContentType string
	Body        httpx.RawBody
}

// Fire is a Trigger's sending, written once for every fake: it remembers
// the notification (url, contentType, body) under id in n, then delivers it
// t.Times times (at least once), all at once when t.Concurrent, recording
// each delivery as Redeliver would, and returns what was sent and the
// deliveries in order.
func (n *Notifier) Fire(ctx context.Context, t Trigger, id, url, contentType string, body []byte) (Sent, []Delivery) {
	n.Remember(id, url, contentType, body)
	out := make([]Delivery, max(t.Times, 1))
	send := func(i int) { out[i] = n.deliver(ctx, id) }
	if t.Concurrent {
		var wg sync.WaitGroup
		for i := range out {
			wg.Add(1)
			go func() {
				defer wg.Done()
				send(i)
			}()
		}
		wg.Wait()
	} else {
		for i := range out {
			send(i)
		}
	}
	return Sent{Method: "POST", URL: url, ContentType: contentType, Body: httpx.RawBody(body)}, out
}
