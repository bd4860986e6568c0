package conformance_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paywidget/paywidget-go/internal/conformance"
	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

var iotpaySeq atomic.Int64

func iotpayNo(prefix string) string { return prefix + strconv.FormatInt(iotpaySeq.Add(1), 10) }

var iotpaySubject = conformance.Subject{
	Name: "iotpay",
	New: func(t *testing.T, https bool, opts ...httpx.Option) *conformance.Session {
		start := iotpaytest.NewServer
		if https {
			start = iotpaytest.NewTLSServer
		}
		srv := start(t)
		cfg := srv.Config()
		cfg.NotifyURL = "https://s.example/n"
		c, err := iotpay.New(cfg, append([]iotpay.Option{iotpay.WithBaseURL(srv.URL), iotpay.WithHTTPClient(srv.Client())}, conformance.Options[iotpay.Option](opts)...)...)
		if err != nil {
			t.Fatal(err)
		}
		srv.BindCard("card-1")
		var paid string
		pay := func(ctx context.Context) error {
			o, err := c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: iotpayNo("p"), CardID: "card-1", Amount: iotpay.AmountFromMinor(5000)})
			if err != nil {
				return err
			}
			paid = o.PayOrderID
			return nil
		}
		purchase := func() *iotpay.PurchaseRequest {
			return &iotpay.PurchaseRequest{MchOrderNo: iotpayNo("o"), Amount: iotpay.AmountFromMinor(1500), ReturnURL: "https://s.example/r"}
		}
		bad := func(name string, f func(ctx context.Context) error) conformance.Case {
			return conformance.Case{Name: name, Do: f}
		}
		return &conformance.Session{
			Fake: srv,
			Money: []conformance.Call{
				{Name: "Purchase", Method: "POST", Path: "/v3/cc_purchase", Created: srv.Orders,
					Do: func(ctx context.Context) error { _, err := c.Purchase(ctx, purchase()); return err }},
				{Name: "PurchaseWithToken", Method: "POST", Path: "/v3/cc_purchasewithtoken", Created: srv.Orders,
					Do: func(ctx context.Context) error {
						_, err := c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: iotpayNo("t"), CardID: "card-1", Amount: iotpay.AmountFromMinor(700)})
						return err
					}},
				{Name: "AddCard", Method: "POST", Path: "/v3/cc_addcard", Created: srv.Cards,
					Do: func(ctx context.Context) error {
						_, err := c.AddCard(ctx, &iotpay.AddCardRequest{CardID: iotpayNo("c"), ReturnURL: "https://s.example/r"})
						return err
					}},
				{Name: "Refund", Method: "POST", Path: "/v3/cc_refund", Prepare: pay, Created: srv.Refunds,
					Do: func(ctx context.Context) error {
						_, err := c.Refund(ctx, &iotpay.RefundRequest{MchRefundNo: iotpayNo("r"), PayOrderID: paid, RefundAmount: iotpay.AmountFromMinor(100)})
						return err
					}},
				{Name: "Void", Method: "POST", Path: "/v3/cc_void", Prepare: pay, Created: srv.Refunds,
					Do: func(ctx context.Context) error {
						_, err := c.Void(ctx, &iotpay.VoidRequest{MchRefundNo: iotpayNo("v"), PayOrderID: paid})
						return err
					}},
			},
			Reads: []conformance.Call{
				{Name: "Query", Method: "POST", Path: "/v3/cc_query", Prepare: pay,
					Do: func(ctx context.Context) error {
						_, err := c.Query(ctx, &iotpay.QueryRequest{PayOrderID: paid})
						return err
					}},
				{Name: "QueryCard", Method: "POST", Path: "/v3/cc_querycard",
					Do: func(ctx context.Context) error { _, err := c.QueryCard(ctx, "card-1"); return err }},
			},
			Invalid: []conformance.Case{
				bad("mchOrderNo empty", func(ctx context.Context) error {
					r := purchase()
					r.MchOrderNo = ""
					_, err := c.Purchase(ctx, r)
					return err
				}),
				bad("mchOrderNo 31", func(ctx context.Context) error {
					r := purchase()
					r.MchOrderNo = strings.Repeat("1", 31)
					_, err := c.Purchase(ctx, r)
					return err
				}),
				bad("amount 0", func(ctx context.Context) error {
					r := purchase()
					r.Amount = iotpay.Amount{}
					_, err := c.Purchase(ctx, r)
					return err
				}),
				bad("channel", func(ctx context.Context) error {
					r := purchase()
					r.Channel = "ALIPAY"
					_, err := c.Purchase(ctx, r)
					return err
				}),
				bad("subject 65", func(ctx context.Context) error {
					r := purchase()
					r.Subject = strings.Repeat("s", 65)
					_, err := c.Purchase(ctx, r)
					return err
				}),
				bad("body 251", func(ctx context.Context) error {
					r := purchase()
					r.Body = strings.Repeat("b", 251)
					_, err := c.Purchase(ctx, r)
					return err
				}),
				bad("returnUrl relative", func(ctx context.Context) error {
					r := purchase()
					r.ReturnURL = "/r"
					_, err := c.Purchase(ctx, r)
					return err
				}),
				bad("notifyUrl not configured", func(ctx context.Context) error {
					cfg := srv.Config()
					cfg.NotifyURL = "" // NewClient's would be the fake's stand-in merchant
					bare, err := iotpay.New(cfg, append([]iotpay.Option{iotpay.WithBaseURL(srv.URL), iotpay.WithHTTPClient(srv.Client())}, conformance.Options[iotpay.Option](opts)...)...)
					if err != nil {
						return err
					}
					_, err = bare.Purchase(ctx, purchase())
					return err
				}),
				bad("returnUrl 201", func(ctx context.Context) error {
					r := purchase()
					r.ReturnURL = "https://s.example/" + strings.Repeat("r", 190)
					_, err := c.Purchase(ctx, r)
					return err
				}),
				bad("mchUserId 31", func(ctx context.Context) error {
					r := purchase()
					r.MchUserID = strings.Repeat("u", 31)
					_, err := c.Purchase(ctx, r)
					return err
				}),
				bad("cardId 31", func(ctx context.Context) error {
					_, err := c.AddCard(ctx, &iotpay.AddCardRequest{CardID: strings.Repeat("c", 31), ReturnURL: "https://s.example/r"})
					return err
				}),
				bad("token amount negative", func(ctx context.Context) error {
					_, err := c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "x", CardID: "c", Amount: iotpay.AmountFromMinor(-1)})
					return err
				}),
				bad("token clientIp 51", func(ctx context.Context) error {
					_, err := c.PurchaseWithToken(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: "x", CardID: "c", Amount: iotpay.AmountFromMinor(1), ClientIP: strings.Repeat("1", 51)})
					return err
				}),
				bad("refund amount 0", func(ctx context.Context) error {
					_, err := c.Refund(ctx, &iotpay.RefundRequest{MchRefundNo: "r", PayOrderID: "PC1"})
					return err
				}),
				bad("mchRefundNo 31", func(ctx context.Context) error {
					_, err := c.Void(ctx, &iotpay.VoidRequest{MchRefundNo: strings.Repeat("r", 31), PayOrderID: "PC1"})
					return err
				}),
				bad("query neither id", func(ctx context.Context) error { _, err := c.Query(ctx, &iotpay.QueryRequest{}); return err }),
			},
			Secrets: func() []string {
				out := []string{iotpaytest.Key}
				for _, r := range srv.Requests() {
					if i := strings.Index(string(r.Body), `"sign":"`); i >= 0 {
						out = append(out, string(r.Body[i+8:i+8+32]))
					}
				}
				return out
			},
			Refused: conformance.Case{Name: "query of an unknown order", Do: func(ctx context.Context) error {
				_, err := c.Query(ctx, &iotpay.QueryRequest{PayOrderID: "PC404"})
				return err
			}},
			APIError: func(err error) bool { var e *iotpay.APIError; return errors.As(err, &e) },
		}
	},
}

func TestIOTPay(t *testing.T) { conformance.Run(t, iotpaySubject) }
