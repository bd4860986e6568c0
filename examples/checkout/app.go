package main

import (
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/paywidget/paywidget-go/iotpay"
)

// integration is one provider's checkout on the merchant site.
type integration interface {
	// id is the path segment and form value ("odero").
	id() string
	// title is the provider's name for people.
	title() string
	// currency is the currency the shop charges through this provider.
	currency() string
	// register adds the provider's checkout page and callback endpoints.
	register(mux *http.ServeMux, a *app)
}

// app is the merchant web site.
type app struct {
	// base is the shop's public base URL ("https://shop.example") from
	// configuration. Every address handed to a provider or a browser is
	// built from it, never from the request's Host or X-Forwarded-*
	// headers, which the shopper controls.
	base         string
	orders       *orders
	sessions     *sessions
	integrations []integration
	log          *slog.Logger
	fakes        fakes
	// claims is the one claim store behind the notification handlers and
	// Flexiti's AuthorizeOnce.
	claims iotpay.Store
	// returnWait is how long KTPay's return waits for the notification.
	returnWait time.Duration
}

func newApp(log *slog.Logger, base string, ints ...integration) *app {
	a := &app{base: base, orders: newOrders(), sessions: newSessions(strings.HasPrefix(base, "https://")), integrations: ints, log: log, returnWait: 5 * time.Second}
	// Forgotten orders take their integrations' per-order state with them.
	a.orders.forget = func(ids []string) {
		for _, in := range ints {
			if f, ok := in.(interface{ forget([]string) }); ok {
				f.forget(ids)
			}
		}
	}
	return a
}

// url is an absolute URL of the shop under its configured base.
func (a *app) url(path string) string { return a.base + path }

// Provider callbacks the browser's cross-origin check must let through:
// they arrive from the provider's page or servers, carry no session, and
// are verified server-side (a signed query, a signature, a per-order token).
var providerCallbacks = []string{
	"POST /odero/callback",
	"POST /iotpay/notify",
	"POST /ktwidget/notify",
	"POST /finrota/return/{order}",
}

func (a *app) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.products)
	mux.HandleFunc("POST /orders", a.createOrder)
	mux.HandleFunc("GET /orders/{id}", a.showOrder)
	mux.Handle("GET /static/", staticFiles())
	for _, in := range a.integrations {
		in.register(mux, a)
	}
	// Every other unsafe request from another origin is refused (403):
	// http.CrossOriginProtection reads Sec-Fetch-Site, or compares Origin
	// with Host.
	cop := http.NewCrossOriginProtection()
	for _, p := range providerCallbacks {
		cop.AddInsecureBypassPattern(p)
	}
	return cop.Handler(mux)
}

var pages = template.Must(template.New("pages").Parse(`
{{define "head"}}<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.}} · Paywidget tea shop</title>
<link rel="stylesheet" href="/static/shop.css"></head><body>
<header class="site-header"><div class="bar"><a class="brand" href="/"><span class="leaf"></span>Paywidget tea shop</a>
<nav aria-label="Shop"><a href="/#product-tea">Tea</a><a href="/#product-kettle">Kettles</a></nav>
<span class="test-mode" title="Payments go to test providers; no money moves">Test mode</span></div></header>
<main>{{end}}
{{define "foot"}}</main>
<footer class="site-footer"><div class="bar"><p>A demo shop for paywidget-go: every payment is checked by the
shop's server before an order is marked paid. Use test cards only.</p></div></footer></body></html>{{end}}
{{define "summary"}}<aside class="summary" aria-label="Your order"><h2>Your order</h2>
<img src="/static/{{.Product.ID}}.svg" alt="" width="240" height="120">
<p class="item">{{.Product.Name}}</p>
<dl><dt>Order</dt><dd class="id">{{.ID}}</dd><dt>Shipping</dt><dd>Free</dd>
<dt class="total">Total</dt><dd class="total">{{.Amount}} {{.Currency}}</dd></dl>
<p class="note">The amount is set by the shop's server; the payment page cannot change it.</p></aside>{{end}}
{{define "order"}}{{template "head" "Order"}}<h1>Order {{.ID}}</h1>
<div class="order-card"><p>{{.Product.Name}}: <strong>{{.Amount}} {{.Currency}}</strong> via {{.Provider}}</p>
<p>Status: <strong class="status" id="order-status" data-status="{{.Status}}">{{.Status}}</strong></p>
{{if .Detail}}<p id="order-detail">{{.Detail}}</p>{{end}}
<p><a href="/">Back to the shop</a></p></div>{{template "foot"}}{{end}}
`))

var _ = template.Must(pages.Parse(`
{{define "products"}}{{template "head" "Shop"}}<h1>Tea and the things to make it with</h1>
<p class="intro">Pick a product and a way to pay. Each button opens that provider's checkout widget; the
order page shows what the shop's server verified with the provider.</p>
<div class="products">{{range $p := .Products}}<section class="product" id="product-{{$p.ID}}">
<img src="/static/{{$p.ID}}.svg" alt="" width="240" height="120"><div class="body"><h2>{{$p.Name}}</h2>
<p class="blurb">{{$p.Blurb}}</p><p class="price">{{$p.Price}} <small>in the provider's currency</small></p>
<div class="pay-with">{{range $.Providers}}<form method="post" action="/orders">
<input type="hidden" name="product" value="{{$p.ID}}">
<input type="hidden" name="provider" value="{{.ID}}">
<button type="submit" id="buy-{{$p.ID}}-{{.ID}}">Pay with {{.Title}} <span class="currency">{{.Currency}}</span></button></form>
{{end}}</div></div></section>{{end}}</div>{{template "foot"}}{{end}}
`))

type providerLink struct{ ID, Title, Currency string }

func (a *app) products(w http.ResponseWriter, r *http.Request) {
	a.sessions.session(w, r)
	var links []providerLink
	for _, in := range a.integrations {
		links = append(links, providerLink{in.id(), in.title(), in.currency()})
	}
	n := nonce()
	secure(w, policy{}, n)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pages.ExecuteTemplate(w, "products", map[string]any{"Products": catalogue, "Providers": links})
}

// createOrder makes an order from the catalogue price (never from the page),
// owned by the shopper's session, and sends the shopper to the provider's
// checkout.
func (a *app) createOrder(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	sid, ok := a.sessions.current(r)
	if err := r.ParseForm(); err != nil || !ok {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	p, ok := productByID(r.PostForm.Get("product"))
	idx := slices.IndexFunc(a.integrations, func(in integration) bool { return in.id() == r.PostForm.Get("provider") })
	if !ok || idx < 0 {
		http.Error(w, "unknown product or provider", http.StatusBadRequest)
		return
	}
	in := a.integrations[idx]
	ord, err := a.orders.create(p, in.id(), in.currency(), sid)
	if err != nil {
		http.Error(w, "too many unpaid orders: pay or wait for one to expire", http.StatusTooManyRequests)
		return
	}
	// Owning an order is a change of privilege: a fresh session id.
	a.sessions.rotate(w, r)
	http.Redirect(w, r, "/pay/"+in.id()+"/"+ord.ID, http.StatusSeeOther)
}

func (a *app) showOrder(w http.ResponseWriter, r *http.Request) {
	ord, ok := a.owned(r, r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	secure(w, policy{}, nonce())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pages.ExecuteTemplate(w, "order", ord)
}

// owned returns the order if it belongs to the request's session. Another
// session's order is answered exactly like one that does not exist.
func (a *app) owned(r *http.Request, id string) (Order, bool) {
	ord, ok := a.orders.get(id)
	if !ok || !a.sessions.owns(r, ord.Session) {
		return Order{}, false
	}
	return ord, true
}

// orderFor loads the session's order of a provider's checkout page.
func (a *app) orderFor(w http.ResponseWriter, r *http.Request, provider string) (Order, bool) {
	ord, ok := a.owned(r, r.PathValue("order"))
	if !ok || ord.Provider != provider {
		http.NotFound(w, r)
		return Order{}, false
	}
	if ord.Status != StatusNew {
		http.Redirect(w, r, "/orders/"+ord.ID, http.StatusSeeOther)
		return Order{}, false
	}
	return ord, true
}

// warn logs what the merchant must look at.
func (a *app) warn(msg string, args ...any) {
	if a.log != nil {
		a.log.Warn(msg, args...)
	}
}

// fail answers a merchant-side error without leaking its detail.
func (a *app) fail(w http.ResponseWriter, msg string, err error) {
	if a.log != nil {
		a.log.Error(msg, "err", err)
	}
	http.Error(w, msg, http.StatusBadGateway)
}
