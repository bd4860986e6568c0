package main

import (
	"context"
	"errors"
	"html/template"
	"net/http"

	"github.com/paywidget/paywidget-go/odero"
)

// oderoCheckout shows OderoPay's hosted page in an iframe (iframe=True) and
// settles the order from the callback, verified by a signed query.
type oderoCheckout struct {
	client *odero.Client

	pages perOrder[string] // order id → hosted page URL
}

func newOderoCheckout(c *odero.Client) *oderoCheckout {
	return &oderoCheckout{client: c}
}

func (o *oderoCheckout) forget(ids []string) { o.pages.forget(ids) }

func (*oderoCheckout) id() string       { return "odero" }
func (*oderoCheckout) title() string    { return "OderoPay" }
func (*oderoCheckout) currency() string { return string(odero.TRY) }

var oderoPage = template.Must(pages.New("odero").Parse(`{{template "head" "Pay with OderoPay"}}{{template "summary" .Order}}
<h1>Pay {{.Order.Amount}} {{.Order.Currency}} with OderoPay</h1>
<iframe id="odero-frame" title="OderoPay checkout" src="{{.Frame}}"></iframe>
<p><a id="cancel" href="/orders/{{.Order.ID}}">Back to the order</a></p>{{template "foot"}}`))

var oderoReturn = template.Must(pages.New("odero-return").Parse(`<!doctype html><meta charset="utf-8">
<title>Payment {{.Outcome}}</title><p>Payment {{.Outcome}}. <a target="_top" href="/orders/{{.ID}}">Continue</a></p>
<script nonce="{{.Nonce}}">window.top.location.href = "/orders/{{.ID}}";</script>`))

func (o *oderoCheckout) register(mux *http.ServeMux, a *app) {
	mux.HandleFunc("GET /pay/odero/{order}", func(w http.ResponseWriter, r *http.Request) {
		ord, ok := a.orderFor(w, r, "odero")
		if !ok {
			return
		}
		page, err := o.pageFor(r, a, ord)
		if err != nil {
			a.fail(w, "OderoPay checkout could not be opened", err)
			return
		}
		frame, err := odero.IframeURL(page)
		if err != nil {
			a.fail(w, "OderoPay returned an unusable page", err)
			return
		}
		n := nonce()
		secure(w, policy{frames: []string{origin(page)}}, n)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = oderoPage.Execute(w, map[string]any{"Order": ord, "Frame": frame})
	})

	cb := &odero.CallbackHandler{
		Store:  a.claims,
		Client: o.client,
		Expect: func(_ context.Context, c *odero.Callback) (odero.Expectation, error) {
			ord, ok := a.orders.byReference("odero:" + c.Token)
			if !ok {
				return odero.Expectation{}, errors.New("unknown checkout")
			}
			return odero.Expectation{ConversationID: ord.ID, PaidPrice: ord.Amount, Currency: odero.Currency(ord.Currency)}, nil
		},
		Report: func(_ context.Context, v *odero.Verdict) error {
			ord, ok := a.orders.byReference("odero:" + v.Token)
			if !ok {
				return errors.New("unknown checkout")
			}
			switch v.Outcome {
			case odero.OutcomePaid:
				a.orders.settle(ord.ID, StatusPaid, "")
			case odero.OutcomeFailed:
				detail := "declined"
				if v.Payment.Card != nil && v.Payment.Card.Error != nil {
					detail = string(v.Payment.Card.Error.Group)
				}
				a.orders.settle(ord.ID, StatusFailed, detail)
			case odero.OutcomeMismatch:
				a.orders.settle(ord.ID, StatusMismatch, "mismatched: "+join(v.Mismatches))
			}
			return nil
		},
		Respond: func(w http.ResponseWriter, r *http.Request, v *odero.Verdict) {
			ord, _ := a.orders.byReference("odero:" + v.Token)
			n := nonce()
			// This page loads inside the gateway's iframe and sends the top
			// window to the order page.
			w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+n+"'")
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = oderoReturn.Execute(w, map[string]string{"Outcome": string(v.Outcome), "ID": ord.ID, "Nonce": n})
		},
	}
	mux.Handle("POST /odero/callback", cb)
}

// pageFor initialises the order's checkout once and returns its page URL.
// The amount comes from the order record, never from the browser. Only
// this order waits for OderoPay (perOrder): other shoppers are not held up.
func (o *oderoCheckout) pageFor(r *http.Request, a *app, ord Order) (string, error) {
	return o.pages.do(r.Context(), ord.ID, func(ctx context.Context) (string, error) {
		co, err := o.client.InitCheckout(ctx, &odero.InitCheckoutRequest{
			ConversationID: ord.ID,
			Price:          ord.Amount,
			PaidPrice:      ord.Amount,
			Currency:       odero.Currency(ord.Currency),
			Group:          odero.PaymentGroupProduct,
			Items:          []odero.Item{{Name: ord.Product.Name, Price: ord.Amount, ExternalID: ord.Product.ID}},
		})
		if err != nil {
			return "", err
		}
		if err := a.orders.setRef(ord.ID, "odero:"+co.Token); err != nil {
			return "", err
		}
		return co.PageURL, nil
	})
}

func join(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}
