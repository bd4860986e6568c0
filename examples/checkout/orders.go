package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/paywidget/paywidget-go/internal/decimal"
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
)

// Product is one line of the catalogue. Prices live only here, on the
// server: the pages never send an amount.
type Product struct {
	ID       string
	Name     string
	Price    decimal.Decimal
	Currency string
	// Blurb is the catalogue's line about the product.
	Blurb string
}

var catalogue = []Product{
	{ID: "kettle", Name: "Copper kettle", Price: decimal.MustParse("149.90"),
		Blurb: "Hand-hammered copper, 1.2 litres, whistles when the water is ready."},
	{ID: "tea", Name: "Loose-leaf tea, 250 g", Price: decimal.MustParse("29.90"),
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
	Amount   decimal.Decimal
	Currency string
	Status   Status
	// Ref is the provider's reference (checkout token, payment id…).
	Ref string
	// Detail says what the verification saw (decline reason, mismatch),
	// in the shop's own words: never text a browser sent.
	Detail string
	// Session is the shopper session that owns the order.
	Session string
}

// orders is the merchant's order table (in memory for the example).
type orders struct {
	// now is the clock (time.Now; tests move it).
	now   func() time.Time
	mu    sync.Mutex
	byID  map[string]*Order
	byRef map[string]string
}

func newOrders() *orders {
	return &orders{now: time.Now, byID: map[string]*Order{}, byRef: map[string]string{}}
}

func (o *orders) create(p Product, provider, currency, session string) *Order {
	var b [12]byte
	_, _ = rand.Read(b[:])
	ord := &Order{ID: hex.EncodeToString(b[:]), Product: p, Provider: provider, Amount: p.Price, Currency: currency, Status: StatusNew, Session: session}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.byID[ord.ID] = ord
	return ord
}

// get returns a copy of the order.
func (o *orders) get(id string) (Order, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ord, ok := o.byID[id]
	if !ok {
		return Order{}, false
	}
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
