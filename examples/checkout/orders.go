package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/paywidget/paywidget-go/odero"
)

// Status is what the merchant's own records say about an order. Only the
// server-side verification of a provider's answer moves it.
type Status string

// Order statuses.
const (
	StatusNew      Status = "awaiting payment"
	StatusPaid     Status = "paid"
	StatusFailed   Status = "payment failed"
	StatusMismatch Status = "payment did not match the order"
	StatusCanceled Status = "canceled by the shopper"
	StatusExpired  Status = "expired unpaid"
)

// Bounds of the order table: one session keeps at most maxOpenOrders
// unpaid orders; an unpaid order expires after orderTTL (no payment can be
// started for it any more; a payment already under way that completes
// later still marks it paid); ended unpaid orders are forgotten after
// orderRetention.
const (
	maxOpenOrders  = 5
	orderTTL       = time.Hour
	orderRetention = 24 * time.Hour
)

// errTooManyOrders: the session has maxOpenOrders unpaid orders.
var errTooManyOrders = errors.New("too many unpaid orders")

// Product is one line of the catalogue. Prices live only here, on the
// server: the pages never send an amount.
type Product struct {
	ID       string
	Name     string
	Price    odero.Amount
	Currency string
	// Blurb is the catalogue's line about the product.
	Blurb string
}

var catalogue = []Product{
	{ID: "kettle", Name: "Copper kettle", Price: odero.MustParseAmount("149.90"),
		Blurb: "Hand-hammered copper, 1.2 litres, whistles when the water is ready."},
	{ID: "tea", Name: "Loose-leaf tea, 250 g", Price: odero.MustParseAmount("29.90"),
		Blurb: "A bright first-flush black tea from the Black Sea hills, in a resealable bag."},
}

func productByID(id string) (Product, bool) {
	for _, p := range catalogue {
		if p.ID == id {
			return p, true
		}
	}
	return Product{}, false
}

// Order is one purchase through one provider.
type Order struct {
	ID       string
	Product  Product
	Provider string
	Amount   odero.Amount
	Currency string
	Status   Status
	// Ref is the provider's reference (checkout token, payment id…).
	Ref string
	// Detail says what the verification saw (decline reason, mismatch),
	// in the shop's own words: never text a browser sent.
	Detail string
	// Session is the shopper session that owns the order.
	Session string
	// Created is when the order was made.
	Created time.Time
}

// orders is the merchant's order table (in memory for the example).
type orders struct {
	// now is the clock (time.Now; tests move it).
	now   func() time.Time
	mu    sync.Mutex
	byID  map[string]*Order
	byRef map[string]string
	swept time.Time
	// forget is called (without the lock) with the ids of forgotten
	// orders, for the integrations' per-order state.
	forget func(ids []string)
}

func newOrders() *orders {
	return &orders{now: time.Now, byID: map[string]*Order{}, byRef: map[string]string{}}
}

// create makes an order of p owned by session, unless the session already
// has maxOpenOrders unpaid orders.
func (o *orders) create(p Product, provider, currency, session string) (*Order, error) {
	var b [12]byte
	_, _ = rand.Read(b[:])
	o.mu.Lock()
	now := o.now()
	gone := o.sweep(now)
	open := 0
	for _, ord := range o.byID {
		if ord.Session == session && o.expire(ord, now) == StatusNew {
			open++
		}
	}
	var ord *Order
	if open < maxOpenOrders {
		ord = &Order{ID: hex.EncodeToString(b[:]), Product: p, Provider: provider, Amount: p.Price, Currency: currency, Status: StatusNew, Session: session, Created: now}
		o.byID[ord.ID] = ord
	}
	o.mu.Unlock()
	if len(gone) > 0 && o.forget != nil {
		o.forget(gone)
	}
	if ord == nil {
		return nil, errTooManyOrders
	}
	c := *ord
	return &c, nil
}

// time is the order table's clock.
func (o *orders) time() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.now()
}

// expire marks an unpaid order past orderTTL expired and returns its
// status. Called with mu held.
func (o *orders) expire(ord *Order, now time.Time) Status {
	if ord.Status == StatusNew && now.Sub(ord.Created) > orderTTL {
		ord.Status, ord.Detail = StatusExpired, "not paid in time"
	}
	return ord.Status
}

// sweep, at most once a minute, forgets unpaid orders that ended more than
// orderRetention ago and returns their ids. Called with mu held.
func (o *orders) sweep(now time.Time) []string {
	if now.Sub(o.swept) < time.Minute {
		return nil
	}
	o.swept = now
	var gone []string
	for id, ord := range o.byID {
		if o.expire(ord, now) != StatusPaid && now.Sub(ord.Created) > orderRetention {
			delete(o.byID, id)
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 {
		for ref, id := range o.byRef {
			if _, ok := o.byID[id]; !ok {
				delete(o.byRef, ref)
			}
		}
	}
	return gone
}

// get returns a copy of the order.
func (o *orders) get(id string) (Order, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ord, ok := o.byID[id]
	if !ok {
		return Order{}, false
	}
	o.expire(ord, o.now())
	return *ord, true
}

func (o *orders) byReference(ref string) (Order, bool) {
	o.mu.Lock()
	id, ok := o.byRef[ref]
	o.mu.Unlock()
	if !ok {
		return Order{}, false
	}
	return o.get(id)
}

func (o *orders) setRef(id, ref string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	ord, ok := o.byID[id]
	if !ok {
		return errors.New("no such order")
	}
	ord.Ref = ref
	o.byRef[ref] = id
	return nil
}

// setRefOnce sets the order's reference unless it has one.
func (o *orders) setRefOnce(id, ref string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	ord, ok := o.byID[id]
	switch {
	case !ok:
		return errors.New("no such order")
	case ord.Ref != "":
		return errors.New("the order has a reference")
	}
	ord.Ref = ref
	o.byRef[ref] = id
	return nil
}

// settle records a verified outcome. A paid order stays paid.
func (o *orders) settle(id string, s Status, detail string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ord, ok := o.byID[id]
	if !ok || ord.Status == StatusPaid {
		return
	}
	ord.Status, ord.Detail = s, detail
}

// note replaces the order's detail, whatever its status.
func (o *orders) note(id, detail string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if ord, ok := o.byID[id]; ok {
		ord.Detail = detail
	}
}

// waitSettled waits (up to d) for a provider's server-to-server message to
// settle the order, for providers whose only source of truth arrives on its
// own schedule (KTPay's notification).
func (o *orders) waitSettled(ctx context.Context, id string, d time.Duration) Order {
	deadline := time.Now().Add(d)
	for {
		ord, _ := o.get(id)
		if ord.Status != StatusNew || time.Now().After(deadline) {
			return ord
		}
		select {
		case <-ctx.Done():
			return ord
		case <-time.After(20 * time.Millisecond):
		}
	}
}
