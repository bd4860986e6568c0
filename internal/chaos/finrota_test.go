package chaos_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/internal/chaos"
	"github.com/paywidget/paywidget-go/internal/fake"
)

// finrotaProvider: half the payments go through the widget with 3-D Secure
// (a widget token on some replica, the shopper passes the widget, then
// CompletePaymentOnce on some replica, the shopper's 3-D step at the bank,
// and the merchant confirms with a repeat of CompletePaymentOnce or with
// Settle); the other half are direct sales (paymentOptions, then PayOnce),
// one in ten with a card the bank declines. Finrota sends no notification.
// A 3-D payment whose redirect was lost with its reply cannot reach the
// bank: it ends when the bank's session lapses (3 s here) and Finrota
// records it failed, uncharged.
func finrotaProvider(t *testing.T) chaos.Provider {
	return chaos.Provider{Name: "finrota", Start: func(env chaos.Env) (chaos.Rig, error) {
		var fx *finrotatest.Server
		if env.HTTPS {
			fx = finrotatest.NewTLSServer(t)
		} else {
			fx = finrotatest.NewServer(t)
		}
		fx.SetThreeDLifetime(3 * time.Second)
		r := &finrotaRig{t: t, fx: fx, prefix: refPrefix("fr")}
		for range env.Replicas {
			cfg := fx.Config()
			cfg.Claims, cfg.ClaimLease = env.Store, env.Lease
			c, err := finrota.New(cfg, finrota.WithBaseURL(fx.URL), finrota.WithHTTPClient(env.Client()))
			if err != nil {
				return nil, err
			}
			r.clients = append(r.clients, c)
		}
		return r, nil
	}}
}

type finrotaRig struct {
	t       *testing.T
	fx      *finrotatest.Server
	clients []*finrota.Client
	prefix  string
}

func (r *finrotaRig) Fake() chaos.Fake { return r.fx }

func (r *finrotaRig) Targets() []chaos.Target {
	return []chaos.Target{
		{Method: http.MethodPost, Path: "/b2c/widget/payment"},
		{Method: http.MethodPost, Path: "/b2c/payment"},
		{Method: http.MethodGet, Path: "/erp/payments"}, // the look-up
		{Method: http.MethodGet, Path: "/b2c/widget/token"},
		{Method: http.MethodGet, Path: "/b2c/paymentOptions"},
		{Method: http.MethodPost, Path: "/auth/api/token/connect", Kinds: []string{"token-hang", "5xx", "drop-before"}},
	}
}

func (r *finrotaRig) NewPayment(i int) chaos.Payment {
	p := &finrotaPayment{r: r, ref: fmt.Sprintf("%s-%d", r.prefix, i), widget: i%2 == 0, settle: i%4 == 0}
	p.card = finrotatest.TestCard
	if p.widget {
		p.card = finrotatest.ThreeDSCard
	}
	if i%20 == 1 {
		p.card = finrotatest.DeclinedCard
	}
	return p
}

// finrotaMoney reads the clientReferenceCode of a payment request.
func finrotaMoney(q fake.Request) string {
	if q.Method != http.MethodPost || (q.Path != "/b2c/widget/payment" && q.Path != "/b2c/payment") {
		return ""
	}
	var b struct {
		Ref string `json:"clientReferenceCode"`
	}
	if json.Unmarshal(q.Body, &b) != nil {
		return ""
	}
	return b.Ref
}

// Charges counts, per reference, the payment requests Finrota processed and
// accepted (a 2xx that is not a decline), for the references whose payment
// Finrota holds as paid: a 3-D payment takes money only at the bank, so one
// whose 3-D step failed or lapsed charged nothing.
func (r *finrotaRig) Charges() map[string]int {
	paid := map[string]bool{}
	for _, p := range r.fx.Payments() {
		if p.Status == "paid" {
			paid[p.ClientReferenceCode] = true
		}
	}
	out := map[string]int{}
	for _, q := range r.fx.Requests() {
		ref := finrotaMoney(q)
		if ref == "" || !q.Processed || q.Status/100 != 2 {
			continue
		}
		var reply struct {
			Success *bool `json:"success"`
		}
		if json.Unmarshal(q.Reply, &reply) != nil || (reply.Success != nil && !*reply.Success) {
			continue
		}
		out[ref]++
	}
	for ref, n := range out {
		if n == 1 && !paid[ref] {
			delete(out, ref)
		}
	}
	return out
}

func (r *finrotaRig) Reports() map[string]int            { return nil }
func (r *finrotaRig) Redeliver(context.Context, int) int { return 0 }

// Close checks what the tally cannot see: the fake refuses a used
// reference with 409, so a second request never charges; but the SDK must
// not have sent one either once Finrota had processed the first.
func (r *finrotaRig) Close() {
	reached := map[string]int{}
	for _, q := range r.fx.Requests() {
		if ref := finrotaMoney(q); ref != "" && q.Processed && (q.Status/100 == 2 || q.Status == http.StatusConflict) {
			reached[ref]++
		}
	}
	status := map[string]int{}
	for _, p := range r.fx.Payments() {
		status[p.Status]++
	}
	r.t.Logf("finrota: payments at the fake by status %v; references sent %d", status, len(reached))
	for ref, n := range reached {
		if n > 1 {
			r.t.Errorf("finrota: payment %s reached Finrota %d times (a 409 means the SDK sent it again)", ref, n)
		}
	}
}

type finrotaPayment struct {
	r      *finrotaRig
	ref    string
	widget bool // widget with 3-D Secure; otherwise a direct sale
	settle bool // confirm with Settle rather than a repeat
	card   finrotatest.Card

	mu       sync.Mutex
	stage    int
	wt       finrota.WidgetToken
	prep     finrota.PrepareToken
	inst     string
	redirect string
	done     int
}

const (
	frOpen     = iota // widget token, or paymentOptions for a direct sale
	frWidget          // the shopper passes the widget
	frPay             // CompletePaymentOnce or PayOnce
	frBank            // the shopper's 3-D step
	frConfirm         // the merchant asks Finrota
	frFinished        // nothing left
)

var finrotaAmount = finrota.MustParseAmount("66.50")

// String says where the payment stands.
func (p *finrotaPayment) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("%s at stage %d", p.ref, p.stage)
}

func (p *finrotaPayment) Completed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

// advance moves the payment from stage to next once, however many
// concurrent repeats reach it.
func (p *finrotaPayment) advance(stage, next int, f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stage == stage {
		if f != nil {
			f()
		}
		p.stage = next
	}
}

func (p *finrotaPayment) Step(ctx context.Context, rep int) (chaos.Step, error) {
	c := p.r.clients[rep]
	p.mu.Lock()
	stage, wt, prep, inst, redirect := p.stage, p.wt, p.prep, p.inst, p.redirect
	p.mu.Unlock()
	switch stage {
	case frOpen:
		if !p.widget {
			programs, err := c.PaymentOptions(ctx, p.card.Number[:8], finrotaAmount, finrota.TRY)
			if err != nil {
				return 0, err
			}
			if len(programs) == 0 || len(programs[0].Installments) == 0 {
				return 0, errors.New("finrota: no installment options")
			}
			p.advance(frOpen, frPay, func() { p.inst = programs[0].Installments[0].Token })
			return chaos.Progressed, nil
		}
		w, err := c.CreateWidgetToken(ctx)
		if err != nil {
			return 0, err
		}
		p.advance(frOpen, frWidget, func() { p.wt = w })
		return chaos.Progressed, nil
	case frWidget:
		// The shopper passes the widget (the fake's Prepare: what the
		// widget's preparePayment makes, without a merchant page).
		_ = wt
		tok := p.r.fx.Prepare(finrotaAmount, p.card)
		p.advance(frWidget, frPay, func() { p.prep = tok })
		return chaos.Progressed, nil
	case frPay:
		var out finrota.Outcome
		var err error
		if p.widget {
			out, err = c.CompletePaymentOnce(ctx, p.complete(prep))
		} else {
			out, err = c.PayOnce(ctx, p.pay(inst))
		}
		return p.answer(frPay, out, err)
	case frBank:
		_, err := p.r.fx.PassThreeDS(ctx, redirect, p.card)
		if err != nil && !strings.Contains(err.Error(), "409") { // 409: the bank's session lapsed
			return 0, err
		}
		p.advance(frBank, frConfirm, nil)
		return chaos.Progressed, nil
	case frConfirm:
		if p.settle {
			s, err := c.Settle(ctx, &finrota.SettleRequest{ClientReferenceCode: p.ref})
			switch {
			case err != nil:
				return 0, err
			case s.State == finrota.SettlePending:
				return 0, chaos.Later(200*time.Millisecond, "pending at the bank")
			case s.State == finrota.SettleDone && s.Record.Status.Paid():
				p.advance(frConfirm, frFinished, func() { p.done++ })
			case s.State == finrota.SettleDone:
				p.advance(frConfirm, frFinished, nil)
			default:
				return 0, fmt.Errorf("finrota: %s settles as %s after it was sent", p.ref, s.State)
			}
			return chaos.Finished, nil
		}
		out, err := c.CompletePaymentOnce(ctx, p.complete(prep))
		return p.answer(frConfirm, out, err)
	}
	return chaos.Finished, nil
}

func (p *finrotaPayment) complete(tok finrota.PrepareToken) *finrota.CompleteRequest {
	return &finrota.CompleteRequest{Amount: finrotaAmount, PrepareToken: tok, ReturnURL: "https://shop.example/finrota/return/" + p.ref,
		ClientReferenceCode: p.ref, CustomerIP: "203.0.113.7"}
}

func (p *finrotaPayment) pay(inst string) *finrota.PayRequest {
	return &finrota.PayRequest{
		Card: finrota.Card{Number: finrota.Secret(p.card.Number), HolderName: p.card.HolderName, CVV: finrota.Secret(p.card.CVC),
			ExpMonth: p.card.ExpMonth, ExpYear: p.card.ExpYear},
		Currency: finrota.TRY, Amount: finrotaAmount, InstallmentToken: inst,
		ReturnURL: "https://shop.example/finrota/return/" + p.ref, ClientReferenceCode: p.ref, CustomerIP: "203.0.113.7",
	}
}

// answer moves the payment on by a payment call's answer: a redirect sends
// the shopper to the bank, a sale is paid, a decline (or a lapsed 3-D step)
// ends it uncharged, "in progress" (another holder, or the shopper at the
// bank) comes back later.
func (p *finrotaPayment) answer(stage int, out finrota.Outcome, err error) (chaos.Step, error) {
	var ip *finrota.InProgressError
	switch {
	case errors.As(err, &ip):
		return 0, chaos.Later(ip.RetryAfter, err.Error())
	case errors.Is(err, finrota.ErrPaymentFailed):
		p.advance(stage, frFinished, nil)
		return chaos.Finished, nil
	case err != nil:
		return 0, err
	}
	switch o := out.(type) {
	case *finrota.Redirect:
		if stage == frConfirm {
			return 0, errors.New("finrota: a repeat answered with a redirect")
		}
		p.advance(stage, frBank, func() { p.redirect = o.URL })
		return chaos.Progressed, nil
	case *finrota.DirectSale:
		p.advance(stage, frFinished, func() { p.done++ })
		return chaos.Finished, nil
	}
	return 0, fmt.Errorf("finrota: unexpected outcome %T", out)
}
