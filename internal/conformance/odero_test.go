package conformance_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paywidget/paywidget-go/internal/conformance"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

var amt = odero.MustParseAmount

func oderoInit() *odero.InitCheckoutRequest {
	return &odero.InitCheckoutRequest{
		ConversationID: "order-1", Price: amt("100.50"), PaidPrice: amt("100.50"),
		Currency: odero.TRY, Group: odero.PaymentGroupProduct,
		Items: []odero.Item{{Name: "Tea", Price: amt("60.25")}, {Name: "Cup", Price: amt("40.25")}},
	}
}

var oderoSubject = conformance.Subject{
	Name: "odero",
	New: func(t *testing.T, https bool, opts ...httpx.Option) *conformance.Session {
		start := oderotest.NewServer
		if https {
			start = oderotest.NewTLSServer
		}
		srv := start(t)
		cfg := srv.Config()
		cfg.CallbackURL = "https://shop.example/cb"
		c, err := odero.New(cfg, append([]odero.Option{odero.WithBaseURL(srv.URL), odero.WithHTTPClient(srv.Client())}, conformance.Options[odero.Option](opts)...)...)
		if err != nil {
			t.Fatal(err)
		}
		var token string
		var paymentID, txID int64
		paid := func(ctx context.Context) error {
			co, err := c.InitCheckout(ctx, oderoInit())
			if err != nil {
				return err
			}
			token = co.Token
			id, _ := srv.Complete(co.Token, oderotest.Outcome{Status: odero.PaymentStatusSuccess})
			p, err := c.RetrieveCheckout(ctx, co.Token)
			if err != nil {
				return err
			}
			paymentID, txID = id, p.Transactions[0].ID
			return nil
		}
		with := func(f func(r *odero.InitCheckoutRequest)) func(context.Context) error {
			return func(ctx context.Context) error {
				r := oderoInit()
				f(r)
				_, err := c.InitCheckout(ctx, r)
				return err
			}
		}
		return &conformance.Session{
			Fake: srv,
			Money: []conformance.Call{
				{Name: "InitCheckout", Method: "POST", Path: "/payment/v1/checkout-payments/init",
					Do:      func(ctx context.Context) error { _, err := c.InitCheckout(ctx, oderoInit()); return err },
					Created: srv.Checkouts},
				{Name: "Refund", Method: "POST", Path: "/payment/v1/refunds", Prepare: paid,
					Do: func(ctx context.Context) error {
						_, err := c.Refund(ctx, &odero.RefundRequest{PaymentID: paymentID})
						return err
					},
					Created: srv.Refunds},
				{Name: "RefundTransaction", Method: "POST", Path: "/payment/v1/refund-transactions", Prepare: paid,
					Do: func(ctx context.Context) error {
						_, err := c.RefundTransaction(ctx, &odero.RefundTransactionRequest{PaymentTransactionID: txID, RefundPrice: amt("1.00")})
						return err
					},
					Created: srv.Refunds},
			},
			Reads: []conformance.Call{
				{Name: "RetrieveCheckout", Method: "GET", Prepare: func(ctx context.Context) error { return paid(ctx) },
					Do: func(ctx context.Context) error { _, err := c.RetrieveCheckout(ctx, token); return err }},
			},
			Invalid: []conformance.Case{
				{Name: "price 0", Do: with(func(r *odero.InitCheckoutRequest) { r.Price = amt("0") })},
				{Name: "paidPrice missing", Do: with(func(r *odero.InitCheckoutRequest) { r.PaidPrice = odero.Amount{} })},
				{Name: "walletPrice negative", Do: with(func(r *odero.InitCheckoutRequest) { w := amt("-1"); r.WalletPrice = &w })},
				{Name: "currency missing", Do: with(func(r *odero.InitCheckoutRequest) { r.Currency = "" })},
				{Name: "paymentGroup missing", Do: with(func(r *odero.InitCheckoutRequest) { r.Group = "" })},
				{Name: "callbackUrl not configured for a product", Do: func(ctx context.Context) error {
					cfg := srv.Config()
					cfg.CallbackURL = "" // NewClient's would be the fake's stand-in merchant
					bare, err := odero.New(cfg, append([]odero.Option{odero.WithBaseURL(srv.URL), odero.WithHTTPClient(srv.Client())}, conformance.Options[odero.Option](opts)...)...)
					if err != nil {
						return err
					}
					_, err = bare.InitCheckout(ctx, oderoInit())
					return err
				}},
				{Name: "items empty", Do: with(func(r *odero.InitCheckoutRequest) { r.Items = nil })},
				{Name: "items do not sum", Do: with(func(r *odero.InitCheckoutRequest) { r.Items[0].Price = amt("60.24") })},
				{Name: "item name empty", Do: with(func(r *odero.InitCheckoutRequest) { r.Items[0].Name = "" })},
				{Name: "item price 0", Do: with(func(r *odero.InitCheckoutRequest) { r.Items[0].Price = amt("0") })},
				{Name: "subscription without plan", Do: with(func(r *odero.InitCheckoutRequest) { r.Group = odero.PaymentGroupSubscription })},
				{Name: "plan without subscription", Do: with(func(r *odero.InitCheckoutRequest) {
					r.Plan = &odero.Plan{Price: amt("1"), PeriodDays: 30, Description: "m"}
				})},
				{Name: "plan period 31", Do: with(func(r *odero.InitCheckoutRequest) {
					r.Group = odero.PaymentGroupSubscription
					r.Plan = &odero.Plan{Price: amt("1"), PeriodDays: 31, Description: "m"}
				})},
				{Name: "installment 5", Do: with(func(r *odero.InitCheckoutRequest) { r.Installment = 5 })},
				{Name: "retrieve token empty", Do: func(ctx context.Context) error { _, err := c.RetrieveCheckout(ctx, ""); return err }},
				{Name: "retrieve token traversal", Do: func(ctx context.Context) error { _, err := c.RetrieveCheckout(ctx, "../x"); return err }},
				{Name: "refund paymentId missing", Do: func(ctx context.Context) error { _, err := c.Refund(ctx, &odero.RefundRequest{}); return err }},
				{Name: "refund destination unknown", Do: func(ctx context.Context) error {
					_, err := c.Refund(ctx, &odero.RefundRequest{PaymentID: 1, Destination: "BANK"})
					return err
				}},
				{Name: "refund transaction price 0", Do: func(ctx context.Context) error {
					_, err := c.RefundTransaction(ctx, &odero.RefundTransactionRequest{PaymentTransactionID: 1})
					return err
				}},
				{Name: "delete card keys short", Do: func(ctx context.Context) error {
					_, err := c.DeleteCard(ctx, &odero.DeleteCardRequest{CardUserKey: "a", CardToken: "b"})
					return err
				}},
				{Name: "search cards page negative", Do: func(ctx context.Context) error {
					_, err := c.SearchCards(ctx, &odero.SearchCardsRequest{Page: -1})
					return err
				}},
			},
			Secrets: func() []string {
				out := []string{oderotest.APIKey, oderotest.SecretKey}
				for _, r := range srv.Requests() {
					out = append(out, r.Header.Get("x-signature"))
				}
				return out
			},
			Refused: conformance.Case{Name: "retrieve of an unknown checkout", Do: func(ctx context.Context) error {
				_, err := c.RetrieveCheckout(ctx, "nosuchtoken")
				return err
			}},
			APIError: func(err error) bool { var e *odero.APIError; return errors.As(err, &e) },
		}
	},
}

func TestOdero(t *testing.T) { conformance.Run(t, oderoSubject) }
