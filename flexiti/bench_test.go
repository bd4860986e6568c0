package flexiti_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
)

func BenchmarkParseWidgetEvent(b *testing.B) {
	msg := []byte(`{"eventType":"flx-success","eventData":{"accountNumber":20009100,"verified":true,"action":"purchase"}}`)
	b.ReportAllocs()
	for b.Loop() {
		ev, err := flexiti.ParseWidgetEvent(msg)
		if err != nil || flexiti.NextStep(flexiti.FlowPurchase, ev) != flexiti.StepAuthorize {
			b.Fatal("unexpected parse", err)
		}
	}
}

func BenchmarkAmountJSON(b *testing.B) {
	a := flexiti.MustParseAmount("1499.99")
	b.ReportAllocs()
	for b.Loop() {
		out, err := json.Marshal(a)
		if err != nil {
			b.Fatal(err)
		}
		var back flexiti.Amount
		if err := json.Unmarshal(out, &back); err != nil || back.Cmp(a) != 0 {
			b.Fatal("round trip", err)
		}
	}
}

// BenchmarkAuthorize measures one authorization over loopback against the
// fake, with the flow's customer token already cached.
func BenchmarkAuthorize(b *testing.B) {
	srv := flexititest.NewServer(b)
	c, err := srv.NewClient()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	f, err := c.NewFlow(ctx)
	if err != nil {
		b.Fatal(err)
	}
	ws, err := f.WidgetInit(ctx, &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase,
		CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: flexititest.AccountNumber}})
	if err != nil {
		b.Fatal(err)
	}
	if _, ok := srv.PassWidget(ws.WidgetSessionID, flexititest.PIN); !ok {
		b.Fatal("widget not passed")
	}
	srv.SetCreditLimit(flexiti.MustParseAmount("1000000000"))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		_, err := f.Authorize(ctx, &flexiti.AuthorizeRequest{AccountNumber: flexititest.AccountNumber,
			Reference: "bench-" + strconv.Itoa(n), Amount: flexiti.MustParseAmount("1.00"),
			FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}})
		if err != nil {
			b.Fatal(err)
		}
	}
}
