package conformance_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/internal/conformance"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

var finrotaSeq atomic.Int64

var finrotaSubject = conformance.Subject{
	Name: "finrota",
	New: func(t *testing.T, https bool, opts ...httpx.Option) *conformance.Session {
		start := finrotatest.NewServer
		if https {
			start = finrotatest.NewTLSServer
		}
		srv := start(t)
		c, err := srv.NewClient(conformance.Options[finrota.Option](opts)...)
		if err != nil {
			t.Fatal(err)
		}
		amount := finrota.MustParseAmount("2750.00")
		var prep finrota.PrepareToken
		var widget finrota.WidgetToken
		prepare := func(ctx context.Context) error {
			w, err := c.CreateWidgetToken(ctx) // the access token is cached before the call under test
			widget = w
			prep = srv.Prepare(amount, finrotatest.TestCard)
			return err
		}
		req := func() *finrota.CompleteRequest {
			return &finrota.CompleteRequest{Amount: amount, PrepareToken: prep, ReturnURL: "https://shop.example/r",
				ClientReferenceCode: "ref-" + strconv.FormatInt(finrotaSeq.Add(1), 10), CustomerIP: "203.0.113.7"}
		}
		bad := func(name string, f func(r *finrota.CompleteRequest)) conformance.Case {
			return conformance.Case{Name: name, Do: func(ctx context.Context) error {
				r := req()
				r.PrepareToken = "prep-x"
				f(r)
				_, err := c.CompletePayment(ctx, r)
				return err
			}}
		}
		return &conformance.Session{
			Fake: srv,
			Money: []conformance.Call{{Name: "CompletePayment", Method: "POST", Path: "/b2c/widget/payment", Prepare: prepare, Created: srv.PaymentCount,
				Do: func(ctx context.Context) error { _, err := c.CompletePayment(ctx, req()); return err }}},
			Reads: []conformance.Call{
				{Name: "CreateWidgetToken", Method: "GET", Path: "/b2c/widget/token",
					Do: func(ctx context.Context) error { _, err := c.CreateWidgetToken(ctx); return err }},
				{Name: "PaymentOptions", Method: "GET", Path: "/b2c/paymentOptions",
					Do: func(ctx context.Context) error {
						_, err := c.PaymentOptions(ctx, "415565", amount, finrota.TRY)
						return err
					}},
			},
			Invalid: []conformance.Case{
				bad("amount 0", func(r *finrota.CompleteRequest) { r.Amount = finrota.MustParseAmount("0") }),
				bad("amount 3 places", func(r *finrota.CompleteRequest) { r.Amount = threePlaces() }),
				bad("prepareToken empty", func(r *finrota.CompleteRequest) { r.PrepareToken = "" }),
				bad("returnUrl relative", func(r *finrota.CompleteRequest) { r.ReturnURL = "/r" }),
				bad("returnUrl empty", func(r *finrota.CompleteRequest) { r.ReturnURL = "" }),
				bad("clientReferenceCode empty", func(r *finrota.CompleteRequest) { r.ClientReferenceCode = "" }),
				bad("customerIpAddress invalid", func(r *finrota.CompleteRequest) { r.CustomerIP = "localhost" }),
				{Name: "binNumber 5 digits", Do: func(ctx context.Context) error {
					_, err := c.PaymentOptions(ctx, "41556", amount, finrota.TRY)
					return err
				}},
				{Name: "options currency empty", Do: func(ctx context.Context) error { _, err := c.PaymentOptions(ctx, "415565", amount, ""); return err }},
				{Name: "prepare without widget token", Do: func(ctx context.Context) error {
					_, err := c.PreparePayment(ctx, finrota.WidgetToken{}, &finrota.PrepareRequest{})
					return err
				}},
				{Name: "Do relative path", Do: func(ctx context.Context) error { _, err := c.Do(ctx, "GET", "erp", nil, nil, nil); return err }},
			},
			Secrets: func() []string {
				out := []string{finrotatest.APIKey, finrotatest.SecretKey}
				if widget.Value() != "" {
					out = append(out, widget.Value())
				}
				for _, r := range srv.Requests() {
					if a := r.Header.Get("Authorization"); len(a) > 7 {
						out = append(out, a[7:])
					}
				}
				return out
			},
			Fetches: srv.TokenFetches,
			Refused: conformance.Case{Name: "payment with an unknown prepare token", Do: func(ctx context.Context) error {
				r := req()
				r.PrepareToken = "prep-unknown"
				_, err := c.CompletePayment(ctx, r)
				return err
			}},
			APIError: func(err error) bool {
				var e *finrota.APIError
				var p *finrota.PaymentError
				return errors.As(err, &e) || errors.As(err, &p)
			},
		}
	},
}

func TestFinrota(t *testing.T) { conformance.Run(t, finrotaSubject) }

// threePlaces is an Amount ParseAmount refuses but decoding can still make.
func threePlaces() finrota.Amount {
	var a finrota.Amount
	if err := a.UnmarshalText([]byte("1.001")); err != nil {
		panic(err)
	}
	return a
}
