package chaos_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/paywidget/paywidget-go/internal/chaos"
	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

// iotpayProvider: a purchase with a stored card (cc_purchasewithtoken,
// charged at once and notified), the notification reported by the
// replicas' NotificationHandlers, then a partial refund.
func iotpayProvider(t *testing.T) chaos.Provider {
	return chaos.Provider{Name: "iotpay", Start: func(env chaos.Env) (chaos.Rig, error) {
		var gw *iotpaytest.Server
		if env.HTTPS {
			gw = iotpaytest.NewTLSServer(t)
		} else {
			gw = iotpaytest.NewServer(t)
		}
		gw.SetNotifyInterval(20 * time.Millisecond)
		r := &iotpayRig{gw: gw, led: newLedger(), prefix: refPrefix("io")}
		handlers := make([]http.Handler, env.Replicas)
		r.lb = newBalancer(env, handlers)
		for i := range env.Replicas {
			cfg := gw.Config()
			cfg.NotifyURL = r.lb.URL() + "/iotpay/notify"
			cfg.Claims, cfg.ClaimLease = env.Store, env.Lease
			c, err := iotpay.New(cfg, iotpay.WithBaseURL(gw.URL), iotpay.WithHTTPClient(env.Client()))
			if err != nil {
				return nil, err
			}
			r.clients = append(r.clients, c)
			handlers[i] = &iotpay.NotificationHandler{Client: c, Store: env.Store, Lease: env.Lease, Wait: -1,
				Expect: func(_ context.Context, o *iotpay.Order) (iotpay.Expectation, error) {
					if o.PayType == "refund" { // the shop's record: purchases of 19.99, refunds of 1.00
						return iotpay.Expectation{MchOrderNo: o.MchOrderNo, Amount: iotpay.AmountFromMinor(100)}, nil
					}
					return iotpay.Expectation{MchOrderNo: o.MchOrderNo, Amount: iotpay.AmountFromMinor(1999)}, nil
				},
				Report: func(_ context.Context, o *iotpay.Order) error {
					r.led.report(o.MchOrderNo)
					return nil
				}}
		}
		r.card = r.prefix + "card"
		gw.BindCard(r.card)
		return r, nil
	}}
}

type iotpayRig struct {
	gw      *iotpaytest.Server
	lb      *balancer
	clients []*iotpay.Client
	led     *ledger
	prefix  string
	card    string

	mu   sync.Mutex
	paid []string // payOrderIds notified, for redelivery
}

func (r *iotpayRig) Fake() chaos.Fake { return r.gw }

func (r *iotpayRig) Targets() []chaos.Target {
	return []chaos.Target{
		{Method: http.MethodPost, Path: "/v3/cc_purchasewithtoken"},
		{Method: http.MethodPost, Path: "/v3/cc_refund"},
		{Method: http.MethodPost, Path: "/v3/cc_query"},
	}
}

func (r *iotpayRig) NewPayment(i int) chaos.Payment {
	ref := fmt.Sprintf("%s-%d", r.prefix, i)
	return &iotpayPayment{r: r, ref: ref}
}

func iotpayRef(key string) func([]byte) string {
	return func(b []byte) string {
		var p map[string]any
		if json.Unmarshal(b, &p) != nil {
			return ""
		}
		s, _ := p[key].(string)
		return s
	}
}

func (r *iotpayRig) Charges() map[string]int {
	reqs := r.gw.Requests()
	out := charged(reqs, http.MethodPost, "/v3/cc_purchasewithtoken", iotpayRef("mchOrderNo"), iotpayAccepted)
	for k, v := range charged(reqs, http.MethodPost, "/v3/cc_refund", iotpayRef("mchRefundNo"), iotpayAccepted) {
		out["refund:"+k] = v
	}
	return out
}

// iotpayAccepted: IOTPay answers 200 either way; retCode tells.
func iotpayAccepted(q fake.Request) bool {
	var reply struct {
		RetCode string `json:"retCode"`
	}
	return q.Status == http.StatusOK && json.Unmarshal(q.Reply, &reply) == nil && reply.RetCode == "SUCCESS"
}

func (r *iotpayRig) Reports() map[string]int { return r.led.snapshot() }

func (r *iotpayRig) Redeliver(ctx context.Context, n int) int {
	r.mu.Lock()
	ids := append([]string(nil), r.paid...)
	r.mu.Unlock()
	return redeliverSome(ctx, ids, n, r.gw.Redeliver)
}

func (r *iotpayRig) Close() { r.lb.Close() }

// iotpayPayment: charge, wait for the report, refund 100 cents.
type iotpayPayment struct {
	r   *iotpayRig
	ref string

	mu       sync.Mutex
	stage    int
	payOrder string
	done     int // money operations completed
}

const (
	iotCharge = iota
	iotReported
	iotRefund
	iotDone
)

func (p *iotpayPayment) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("%s at stage %d", p.ref, p.stage)
}

func (p *iotpayPayment) Completed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

func (p *iotpayPayment) Step(ctx context.Context, rep int) (chaos.Step, error) {
	p.mu.Lock()
	stage := p.stage
	p.mu.Unlock()
	c := p.r.clients[rep]
	switch stage {
	case iotCharge:
		o, err := c.PurchaseWithTokenOnce(ctx, &iotpay.PurchaseWithTokenRequest{MchOrderNo: p.ref, CardID: p.r.card, Amount: iotpay.AmountFromMinor(1999)})
		if err != nil {
			return 0, inProgress(err)
		}
		if !o.Status.Paid() {
			return 0, fmt.Errorf("iotpay: %s not paid: %v", p.ref, o.Status)
		}
		p.r.led.expect(p.ref)
		p.advance(iotCharge, func() {
			p.payOrder = o.PayOrderID
			p.done++
			p.r.mu.Lock()
			p.r.paid = append(p.r.paid, o.PayOrderID)
			p.r.mu.Unlock()
		})
		return chaos.Progressed, nil
	case iotReported:
		if !p.r.led.reported(p.ref) {
			return 0, chaos.Poll(20*time.Millisecond, "awaiting the notification")
		}
		p.advance(iotReported, nil)
		return chaos.Progressed, nil
	case iotRefund:
		p.mu.Lock()
		id := p.payOrder
		p.mu.Unlock()
		if _, err := c.RefundOnce(ctx, &iotpay.RefundRequest{MchRefundNo: p.ref + "r", PayOrderID: id, RefundAmount: iotpay.AmountFromMinor(100)}); err != nil {
			return 0, inProgress(err)
		}
		p.advance(iotRefund, func() { p.done++ })
		return chaos.Finished, nil
	}
	return chaos.Finished, nil
}

// advance moves the payment past stage once, however many concurrent
// repeats reach it.
func (p *iotpayPayment) advance(stage int, f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stage == stage {
		if f != nil {
			f()
		}
		p.stage++
	}
}

// inProgress turns the SDK's "in progress elsewhere" into the loop's
// Later, after the wait the SDK gives; every other error is the loop's to
// repeat at once.
func inProgress(err error) error {
	var ip *iotpay.InProgressError
	if errors.As(err, &ip) {
		return chaos.Later(ip.RetryAfter, err.Error())
	}
	return err
}
