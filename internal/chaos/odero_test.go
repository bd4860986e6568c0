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

	"github.com/paywidget/paywidget-go/internal/chaos"
	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

const oderoRefundPath = "/payment/v1/refunds"

// oderoProvider: a checkout opened on a replica, the shopper paying on the
// hosted page, the browser's callback verified and reported once by the
// replicas' CallbackHandlers behind the load balancer (a reload of the
// return page delivers it again), then RefundOnce keyed by the refund's
// conversationId.
func oderoProvider(t *testing.T) chaos.Provider {
	return chaos.Provider{Name: "odero", Start: func(env chaos.Env) (chaos.Rig, error) {
		var srv *oderotest.Server
		if env.HTTPS {
			srv = oderotest.NewTLSServer(t)
		} else {
			srv = oderotest.NewServer(t)
		}
		r := &oderoRig{srv: srv, led: newLedger(), prefix: refPrefix("od"), tokens: map[string]string{}, payments: map[string]int64{}}
		handlers := make([]http.Handler, env.Replicas)
		r.lb = newBalancer(env, handlers)
		for i := range env.Replicas {
			cfg := srv.Config()
			cfg.CallbackURL = r.lb.URL() + "/odero/callback"
			cfg.Claims, cfg.ClaimLease = env.Store, env.Lease
			c, err := odero.New(cfg, odero.WithBaseURL(srv.URL), odero.WithHTTPClient(env.Client()))
			if err != nil {
				return nil, err
			}
			r.clients = append(r.clients, c)
			handlers[i] = &odero.CallbackHandler{Client: c, Store: env.Store, Lease: env.Lease, Wait: -1,
				Expect: r.expect,
				Report: func(_ context.Context, v *odero.Verdict) error {
					if v.Outcome == odero.OutcomePaid {
						r.mu.Lock()
						r.payments[v.Payment.ConversationID] = v.Payment.ID
						r.mu.Unlock()
						r.led.report(v.Payment.ConversationID)
					}
					return nil
				}}
		}
		return r, nil
	}}
}

type oderoRig struct {
	srv     *oderotest.Server
	lb      *balancer
	clients []*odero.Client
	led     *ledger
	prefix  string

	mu       sync.Mutex
	tokens   map[string]string // checkout token → the order's conversationId (the merchant's table)
	payments map[string]int64  // conversationId → payment id, as reported
	paid     []string          // tokens paid, for redelivery
}

var oderoPrice = odero.MustParseAmount("30.00")

func (r *oderoRig) expect(_ context.Context, cb *odero.Callback) (odero.Expectation, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ref, ok := r.tokens[cb.Token]
	if !ok {
		return odero.Expectation{}, errors.New("unknown checkout")
	}
	return odero.Expectation{ConversationID: ref, PaidPrice: oderoPrice, Currency: odero.TRY}, nil
}

func (r *oderoRig) Fake() chaos.Fake { return r.srv }

func (r *oderoRig) Targets() []chaos.Target {
	return []chaos.Target{
		{Method: http.MethodPost, Path: oderoRefundPath},
		{Method: http.MethodPost, Path: "/payment/v1/checkout-payments/init"},
		{Method: http.MethodGet, Path: "*"}, // the look-ups, the checkout's verification, the hosted page
	}
}

func (r *oderoRig) NewPayment(i int) chaos.Payment {
	return &oderoPayment{r: r, ref: fmt.Sprintf("%s-%d", r.prefix, i)}
}

// Charges counts the hosted-page payments the fake took (per checkout
// paid) and the refunds it processed and accepted (per conversationId; a
// refusal moves nothing).
func (r *oderoRig) Charges() map[string]int {
	out := map[string]int{}
	for _, q := range r.srv.Requests() {
		if q.Method != http.MethodPost || !q.Processed || q.Status != http.StatusOK {
			continue
		}
		switch {
		case q.Path == oderoRefundPath:
			var rep struct {
				Data *struct {
					ID int64 `json:"id"`
				} `json:"data"`
			}
			var req struct {
				ConversationID string `json:"conversationId"`
			}
			if json.Unmarshal(q.Reply, &rep) == nil && rep.Data != nil && rep.Data.ID > 0 && json.Unmarshal(q.Body, &req) == nil {
				out["refund:"+req.ConversationID]++
			}
		case strings.HasPrefix(q.Path, "/checkout/") && strings.HasSuffix(q.Path, "/pay"):
			token := strings.TrimSuffix(strings.TrimPrefix(q.Path, "/checkout/"), "/pay")
			if st, _ := r.srv.CheckoutStatus(token); st == odero.PaymentStatusSuccess {
				out["pay:"+token]++
			}
		}
	}
	return out
}

func (r *oderoRig) Reports() map[string]int { return r.led.snapshot() }

func (r *oderoRig) Redeliver(ctx context.Context, n int) int {
	r.mu.Lock()
	tokens := append([]string(nil), r.paid...)
	r.mu.Unlock()
	return redeliverSome(ctx, tokens, n, r.srv.Redeliver)
}

func (r *oderoRig) Close() { r.lb.Close() }

// oderoPayment: checkout, the shopper pays, the callback reported, refund.
type oderoPayment struct {
	r   *oderoRig
	ref string

	mu      sync.Mutex
	stage   int
	token   string
	pageURL string
	done    int
	paying  sync.Mutex
}

func (p *oderoPayment) Completed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

func (p *oderoPayment) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("%s at stage %d", p.ref, p.stage)
}

func (p *oderoPayment) at() (int, string, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stage, p.token, p.pageURL
}

func (p *oderoPayment) Step(ctx context.Context, rep int) (chaos.Step, error) {
	c := p.r.clients[rep]
	stage, token, pageURL := p.at()
	switch stage {
	case 0: // the checkout (no money moves; a lost one is never paid)
		co, err := c.InitCheckout(ctx, &odero.InitCheckoutRequest{ConversationID: p.ref, Price: oderoPrice, PaidPrice: oderoPrice,
			Currency: odero.TRY, Group: odero.PaymentGroupProduct, Items: []odero.Item{{Name: "Tea", Price: oderoPrice}}})
		if err != nil {
			return 0, err
		}
		p.r.mu.Lock()
		p.r.tokens[co.Token] = p.ref
		p.r.mu.Unlock()
		p.mu.Lock()
		if p.stage == 0 {
			p.token, p.pageURL, p.stage = co.Token, co.PageURL, 1
		}
		p.mu.Unlock()
		return chaos.Progressed, nil
	case 1: // the shopper pays on the hosted page; the browser posts the callback
		p.paying.Lock()
		defer p.paying.Unlock()
		if s, _, _ := p.at(); s != 1 {
			return chaos.Progressed, nil
		}
		p.r.led.expect(p.ref)
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := p.r.srv.PayPage(sctx, pageURL, oderotest.TestCard)
		if st, _ := p.r.srv.CheckoutStatus(token); st != odero.PaymentStatusSuccess {
			if err == nil {
				err = fmt.Errorf("odero: %s not paid: %q", p.ref, st)
			}
			return 0, err
		}
		p.r.mu.Lock()
		p.r.paid = append(p.r.paid, token)
		p.r.mu.Unlock()
		p.mu.Lock()
		p.stage, p.done = 2, p.done+1
		p.mu.Unlock()
		return chaos.Progressed, nil
	case 2: // the callback reported (the shopper reloads the return page until it is)
		if !p.r.led.reported(p.ref) {
			_, _ = p.r.srv.Redeliver(ctx, token)
			return 0, chaos.Poll(20*time.Millisecond, "awaiting the callback's report")
		}
		p.mu.Lock()
		if p.stage == 2 {
			p.stage = 3
		}
		p.mu.Unlock()
		return chaos.Progressed, nil
	case 3:
		p.r.mu.Lock()
		id := p.r.payments[p.ref]
		p.r.mu.Unlock()
		rf, err := c.RefundOnce(ctx, &odero.RefundRequest{PaymentID: id, ConversationID: p.ref + "-r"})
		var ip *odero.InProgressError
		switch {
		case errors.As(err, &ip):
			return 0, chaos.Later(ip.RetryAfter, err.Error())
		case err != nil:
			return 0, err
		case rf.Status != odero.RefundStatusSuccess:
			return 0, fmt.Errorf("odero: refund %s: %s", p.ref, rf.Status)
		}
		p.mu.Lock()
		if p.stage == 3 {
			p.stage, p.done = 4, p.done+1
		}
		p.mu.Unlock()
		return chaos.Finished, nil
	}
	return chaos.Finished, nil
}
