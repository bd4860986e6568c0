package main

// Attacks on how the shop decides an order is paid (issue 21, holes 1-3):
// each played over HTTP against the running shop and the built-in fakes.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
)

// flexitiWidget opens the Flexiti checkout of a new kettle order as the
// shopper hc and returns the order, every page the shopper saw, and the
// widget's iframe URL (which carries the flow's customer-scope token).
func flexitiWidget(t *testing.T, hc *http.Client, site string) (id string, seen string, frame *url.URL) {
	t.Helper()
	visit(t, hc, site)
	id = order(t, hc, site, "kettle", "flexiti")
	_, start := getWith(t, hc, site+"/pay/flexiti/"+id, nil)
	resp, err := hc.PostForm(site+"/flexiti/start/"+id, url.Values{"account": {"20009100"}})
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	m := regexp.MustCompile(`id="flexiti-frame" title="Flexiti" src="([^"]+)"`).FindSubmatch(page)
	require.NotNil(t, m, "the widget frame")
	frame, err = url.Parse(strings.ReplaceAll(string(m[1]), "&amp;", "&"))
	require.NoError(t, err)
	return id, start + string(page), frame
}

// customerCall is the shopper calling Flexiti's POS API with the flow's
// customer-scope token lifted from the widget's iframe URL.
func customerCall(t *testing.T, fk *flexititest.Server, frame *url.URL, method, path string, body any) (int, []byte) {
	t.Helper()
	// …/#/widget/{client}/{token}?lang=en&x-reference-id=…&widget_session_id=…
	frag := frame.Fragment
	q, err := url.ParseQuery(frag[strings.IndexByte(frag, '?')+1:])
	require.NoError(t, err)
	parts := strings.Split(frag[:strings.IndexByte(frag, '?')], "/")
	token := parts[len(parts)-1]
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, fk.URL+path, rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("x-reference-id", q.Get("x-reference-id"))
	req.Header.Set("Content-Type", "application/json")
	resp, err := fk.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// Hole 1. With the customer-scope token of the widget's iframe URL, the
// shopper authorizes the order's reference themselves (no capture, or
// financing of their choosing), then forwards the normal flx-success. The
// order is paid only by an authorization the shop made on its own terms
// and that is captured for the order's amount; the reference the shop
// sends Flexiti is one no page shows. Even when that reference leaks, an
// authorization the shopper made under it does not pay the order.
func TestAttackFlexitiShopperAuthorizesTheReference(t *testing.T) {
	for name, c := range map[string]struct {
		leaked  bool // the shopper knows the shop's reference
		capture bool
		promo   bool
		paid    bool
	}{
		"order id, pre-authorization on promotional terms": {promo: true, paid: true},
		"order id, captured on promotional terms":          {capture: true, promo: true, paid: true},
		"leaked reference, pre-authorization":              {leaked: true},
		"leaked reference, captured on promotional terms":  {leaked: true, capture: true, promo: true},
	} {
		t.Run(name, func(t *testing.T) {
			shop, site, hc := newShop(t)
			fk := shop.fakes.flexiti
			id, seen, frame := flexitiWidget(t, hc, site.URL)
			ord, _ := shop.orders.get(id)
			shopRef := strings.TrimPrefix(ord.Ref, "flexiti:")
			if shopRef != "" {
				assert.NotContains(t, seen, shopRef, "no page shows the reference sent to Flexiti")
				assert.NotEqual(t, id, shopRef)
			}
			m := regexp.MustCompile(`widget_session_id=([0-9A-Za-z-]+)`).FindStringSubmatch(frame.Fragment)
			require.NotNil(t, m)
			ev, ok := fk.PassWidget(m[1], flexititest.PIN)
			require.True(t, ok)

			// The customer token may not do the merchant's work.
			for _, p := range []string{"/v2.5.1/client-id/flexitidemo/authorizations", "/v2.5.1/client-id/flexitidemo/captures"} {
				code, _ := customerCall(t, fk, frame, http.MethodGet, p, nil)
				assert.Equal(t, http.StatusForbidden, code, p)
			}
			ref := id
			if c.leaked {
				ref = shopRef
				if ref == "" {
					ref = id
				}
			}
			fo := map[string]any{"transaction_type": flexiti.RegularPurchase}
			if c.promo {
				fo = map[string]any{"transaction_type": flexiti.PromotionalPurchase, "plan_id": 77, "term": 12}
			}
			code, body := customerCall(t, fk, frame, http.MethodPost, "/v2.5.1/client-id/flexitidemo/authorization",
				map[string]any{"account_number": flexititest.AccountNumber, "reference": ref, "amount": json.Number(ord.Amount.String()),
					"auto_capture": c.capture, "financing_option": fo})
			require.Equal(t, http.StatusOK, code, "Flexiti lets the customer token authorize: %s", body)
			var mine flexiti.Authorization
			require.NoError(t, json.Unmarshal(body, &mine))
			if !c.capture {
				// Capturing it needs the merchant's scope.
				code, _ := customerCall(t, fk, frame, http.MethodPost, "/v2.5.1/client-id/flexitidemo/authorization/"+mine.AuthorizationID.String()+"/capture",
					map[string]any{"amount": json.Number(ord.Amount.String())})
				assert.Equal(t, http.StatusForbidden, code)
			}
			captured := fk.Captured()

			code, err := postEvent(hc, site.URL, id, ev)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, code)
			ord, _ = shop.orders.get(id)
			if c.paid {
				require.Equal(t, StatusPaid, ord.Status)
				assert.Equal(t, 2, fk.Authorizations(), "the shop made its own authorization")
				assert.Equal(t, captured+1, fk.Captured(), "and it is captured")
			} else {
				assert.NotEqual(t, StatusPaid, ord.Status, "the shopper's own authorization does not pay the order")
				assert.Equal(t, 1, fk.Authorizations(), "nothing more was authorized")
			}
		})
	}
}

var widgetToken = regexp.MustCompile(`token: "([^"]+)"`)

// finrotaPrepare plays the shopper in Finrota's widget with the widget
// token of the checkout page, choosing the currency the widget prepares
// in: the widget is in the shopper's browser.
func finrotaPrepare(t *testing.T, hc *http.Client, fk *finrotatest.Server, site, id, currency string, use3D bool) string {
	t.Helper()
	_, page := getWith(t, hc, site+"/pay/finrota/"+id, nil)
	m := widgetToken.FindStringSubmatch(page)
	require.NotNil(t, m, "the widget token on the page")
	call := func(method, path string, body any, into any) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, fk.URL+path, rd)
		req.Header.Set("Authorization", "Bearer "+m[1])
		req.Header.Set("Content-Type", "application/json")
		resp, err := fk.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, b)
		require.NoError(t, json.Unmarshal(b, into))
	}
	ord, _ := orderOf(t, hc, site, id)
	var programs []struct {
		Installments []struct {
			Token string `json:"token"`
		} `json:"installments"`
	}
	call(http.MethodGet, "/b2c/widget/installments?amount="+ord, nil, &programs)
	require.NotEmpty(t, programs)
	var out struct {
		PrepareToken string `json:"prepareToken"`
	}
	c := finrotatest.TestCard
	call(http.MethodPost, "/b2c/widget/preparePayment", map[string]any{
		"card":  map[string]any{"cardNumber": c.Number, "cardHolderName": c.HolderName, "cvv": c.CVC, "expMonth": c.ExpMonth, "expYear": c.ExpYear},
		"use3D": use3D, "currency": currency, "amount": json.Number(ord), "installmentToken": programs[0].Installments[0].Token,
	}, &out)
	return out.PrepareToken
}

// orderOf reads the order's total from its page, as the shopper sees it.
func orderOf(t *testing.T, hc *http.Client, site, id string) (string, string) {
	t.Helper()
	_, page := getWith(t, hc, site+"/orders/"+id, nil)
	m := regexp.MustCompile(`<strong>([0-9.]+) ([A-Z]{3})</strong>`).FindStringSubmatch(page)
	require.NotNil(t, m, page)
	return m[1], m[2]
}

// complete posts the widget's onSuccess to the shop as the checkout page
// does and returns the status and where the shopper is sent.
func complete(t *testing.T, hc *http.Client, site, id, prepare string) (int, string) {
	t.Helper()
	resp, err := hc.Post(site+"/finrota/complete/"+id, "application/json", strings.NewReader(`{"prepareToken":"`+prepare+`"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out["redirect"]
}

// Hole 2. The widget runs in the shopper's browser and prepares the
// payment in the currency it is told: the shopper pays the order's number
// of dollars instead of lira, by direct sale and through 3-D Secure. The
// shop confirms every payment with Finrota's listing — amount, currency
// and reference — and neither order is paid.
func TestAttackFinrotaWrongCurrency(t *testing.T) {
	for _, use3D := range []bool{false, true} {
		shop, site, hc := newShop(t)
		fk := shop.fakes.finrota
		visit(t, hc, site.URL)
		id := order(t, hc, site.URL, "kettle", "finrota")
		code, next := complete(t, hc, site.URL, id, finrotaPrepare(t, hc, fk, site.URL, id, "USD", use3D))
		require.Equal(t, http.StatusOK, code)
		if use3D {
			res, err := fk.PassThreeDS(context.Background(), next, finrotatest.ThreeDSCard)
			require.NoError(t, err)
			resp, err := res.Return.Send(context.Background(), shopper())
			require.NoError(t, err)
			resp.Body.Close()
		}
		require.Len(t, fk.Payments(), 1)
		require.Equal(t, "paid", fk.Payments()[0].Status, "Finrota took the dollars")
		ord, _ := shop.orders.get(id)
		assert.Equal(t, StatusMismatch, ord.Status, "3-D %v: paid in USD is not paid in TRY", use3D)
	}
}

// Hole 3. While a 3-D attempt waits at the bank, the shopper completes a
// second payment of the same order. The shop refuses the second attempt
// (one payment at Finrota), and when the bank returns the first attempt
// pays the order.
func TestAttackFinrotaSecondAttemptWhileOneWaitsAtTheBank(t *testing.T) {
	for _, second3D := range []bool{false, true} {
		shop, site, hc := newShop(t)
		fk := shop.fakes.finrota
		visit(t, hc, site.URL)
		id := order(t, hc, site.URL, "kettle", "finrota")
		code, bank := complete(t, hc, site.URL, id, finrotaPrepare(t, hc, fk, site.URL, id, "TRY", true))
		require.Equal(t, http.StatusOK, code)
		require.False(t, strings.HasPrefix(bank, "/orders/"), "sent to the bank: %s", bank)

		code, _ = complete(t, hc, site.URL, id, finrotaPrepare(t, hc, fk, site.URL, id, "TRY", second3D))
		assert.Equal(t, http.StatusConflict, code, "a second attempt while one waits at the bank")
		assert.Equal(t, 1, fk.PaymentCount(), "Finrota received one payment")

		res, err := fk.PassThreeDS(context.Background(), bank, finrotatest.ThreeDSCard)
		require.NoError(t, err)
		resp, err := res.Return.Send(context.Background(), shopper())
		require.NoError(t, err)
		resp.Body.Close()
		ord, _ := shop.orders.get(id)
		assert.Equal(t, StatusPaid, ord.Status, "the first attempt paid the order")
		assert.Equal(t, 1, fk.PaymentCount())
	}
}
