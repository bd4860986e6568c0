package conformance_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/internal/benchcpu"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

// BenchmarkOnce sets each repeatable money call of a provider that refuses
// a duplicate reference beside its plain form, each iteration a new
// reference, against the fake over loopback with the in-memory claims store
// a Config without Claims gets: "<provider>/once" is the <Call>Once form,
// "<provider>/call" the plain call. The difference is what the repeatable
// form adds to a first call: the claim, the done mark and the deadline, no
// request to the provider (a new reference is sent without a look-up
// first). Flexiti's and OderoPay's repeatable calls look a new reference up
// before sending, since those providers would accept it twice; that read
// costs what their rows in BenchmarkRoundTrip cost.
func BenchmarkOnce(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, pay func(ref string) error) {
		var n int
		b.ReportAllocs()
		stop := benchcpu.Measure(b)
		for b.Loop() {
			n++
			if err := pay("b-" + strconv.Itoa(n)); err != nil {
				b.Fatal(err)
			}
		}
		stop()
	}

	iotpayClient := func(b *testing.B) *iotpay.Client {
		srv := iotpaytest.NewServer(b)
		srv.BindCard("card-1")
		c, err := srv.NewClient(iotpay.WithHTTPClient(plainClient()))
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	iotpayReq := func(ref string) *iotpay.PurchaseWithTokenRequest {
		return &iotpay.PurchaseWithTokenRequest{MchOrderNo: ref, CardID: "card-1", Amount: iotpay.AmountFromMinor(1500)}
	}
	b.Run("iotpay/once", func(b *testing.B) {
		c := iotpayClient(b)
		run(b, func(ref string) error { _, err := c.PurchaseWithTokenOnce(ctx, iotpayReq(ref)); return err })
	})
	b.Run("iotpay/call", func(b *testing.B) {
		c := iotpayClient(b)
		run(b, func(ref string) error { _, err := c.PurchaseWithToken(ctx, iotpayReq(ref)); return err })
	})

	finrotaClient := func(b *testing.B) *finrota.Client {
		srv := finrotatest.NewServer(b)
		c, err := srv.NewClient(finrota.WithHTTPClient(plainClient()))
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	card := finrotatest.TestCard
	finrotaReq := func(ref string) *finrota.PayRequest {
		return &finrota.PayRequest{
			Card: finrota.Card{Number: finrota.Secret(card.Number), HolderName: card.HolderName, CVV: finrota.Secret(card.CVC),
				ExpMonth: card.ExpMonth, ExpYear: card.ExpYear},
			Currency: finrota.TRY, Amount: finrota.MustParseAmount("2750.00"), InstallmentToken: "inst-1",
			ReturnURL: "https://shop.example/finrota/return/" + ref, ClientReferenceCode: ref, CustomerIP: "203.0.113.7",
		}
	}
	b.Run("finrota/once", func(b *testing.B) {
		c := finrotaClient(b)
		run(b, func(ref string) error { _, err := c.PayOnce(ctx, finrotaReq(ref)); return err })
	})
	b.Run("finrota/call", func(b *testing.B) {
		c := finrotaClient(b)
		run(b, func(ref string) error { _, err := c.Pay(ctx, finrotaReq(ref)); return err })
	})

	ktwidgetClient := func(b *testing.B) *ktwidget.Client {
		c, err := ktwidgettest.NewServer(b).NewClient(ktwidget.WithHTTPClient(plainClient()))
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	ktOrder := func(ref string) *ktwidget.Order {
		return &ktwidget.Order{OrderID: ref, Amount: ktwidget.MustParseAmount("2750.00"), Type: ktwidget.TypeEcom}
	}
	b.Run("ktwidget/once", func(b *testing.B) {
		c := ktwidgetClient(b)
		run(b, func(ref string) error { _, err := c.CreatePaymentOnce(ctx, ktOrder(ref), nil); return err })
	})
	b.Run("ktwidget/call", func(b *testing.B) {
		c := ktwidgetClient(b)
		run(b, func(ref string) error { _, err := c.CreatePayment(ctx, ktOrder(ref), nil); return err })
	})
}
