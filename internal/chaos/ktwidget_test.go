package chaos_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/nacl/box"

	"github.com/paywidget/paywidget-go/internal/chaos"
	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

const ktCreatePath = "/api/v1/merchant-widget/payment"

// ktwidgetProvider: CreatePaymentOnce over the replicas, the shopper paying
// in the widget, KTPay's notification reported by the replicas'
// NotificationHandlers behind the load balancer, and the merchant's loop
// repeating CreatePaymentOnce (or Settle) until it answers the verdict the
// handler recorded. KTPay has no look-up: a create whose answer was lost
// stays unknowable (nobody holds its widget URL, so nobody can pay it), and
// the merchant opens a new attempt under a new order_id.
func ktwidgetProvider(t *testing.T) chaos.Provider {
	return chaos.Provider{Name: "ktwidget", Start: func(env chaos.Env) (chaos.Rig, error) {
		var srv *ktwidgettest.Server
		if env.HTTPS {
			srv = ktwidgettest.NewTLSServer(t)
		} else {
			srv = ktwidgettest.NewServer(t)
		}
		r := &ktRig{srv: srv, led: newLedger(), prefix: refPrefix("kt"), orders: map[string]ktwidget.Expectation{}}
		handlers := make([]http.Handler, env.Replicas)
		r.lb = newBalancer(env, handlers)
		for i := range env.Replicas {
			cfg := srv.Config()
			cfg.CallbackBase = r.lb.URL() + "/ktpay/notify"
			cfg.Claims, cfg.ClaimLease = env.Store, env.Lease
			c, err := ktwidget.New(cfg, ktwidget.WithBaseURL(srv.URL), ktwidget.WithHTTPClient(env.Client()))
			if err != nil {
				return nil, err
			}
			r.clients = append(r.clients, c)
			handlers[i] = &ktwidget.NotificationHandler{Client: c, Expect: r.Expect, Store: env.Store, Lease: env.Lease, Wait: -1,
				Report: func(_ context.Context, n *ktwidget.Notification) error {
					r.led.report(n.OrderID)
					return nil
				}}
		}
		return r, nil
	}}
}

type ktRig struct {
	srv     *ktwidgettest.Server
	lb      *balancer
	clients []*ktwidget.Client
	led     *ledger
	prefix  string

	mu     sync.Mutex
	orders map[string]ktwidget.Expectation // the merchant's order table
	paid   []string                        // transaction hashes paid, for redelivery
}

// Expect is the merchant's order table the replicas share.
func (r *ktRig) Expect(_ context.Context, n *ktwidget.Notification) (ktwidget.Expectation, error) {
	orderID := n.OrderID
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.orders[orderID]
	if !ok {
		return rec, errors.New("unknown order")
	}
	return rec, nil
}

func (r *ktRig) Fake() chaos.Fake { return r.srv }

func (r *ktRig) Targets() []chaos.Target {
	return []chaos.Target{{Method: http.MethodPost, Path: ktCreatePath}}
}

func (r *ktRig) NewPayment(i int) chaos.Payment {
	return &ktPayment{r: r, ref: fmt.Sprintf("%s-%d", r.prefix, i)}
}

// Charges counts, per order_id, the creates KTPay processed and accepted
// (or refused as a duplicate: a second create reached it). KTPay takes
// money only when the shopper pays a transaction, so an order_id created
// once and never paid (an abandoned attempt) moved nothing and is not
// counted; one created twice is, paid or not.
func (r *ktRig) Charges() map[string]int {
	creates := map[string]int{}
	hashes := map[string]string{}
	for _, q := range r.srv.Requests() {
		if q.Method != http.MethodPost || q.Path != ktCreatePath || !q.Processed {
			continue
		}
		id := r.orderID(q.Body)
		if id == "" {
			continue
		}
		var rep struct {
			Response struct {
				Data struct {
					Hash string `json:"transaction_hash"`
				} `json:"data"`
			} `json:"response"`
		}
		switch {
		case q.Status == http.StatusOK && json.Unmarshal(q.Reply, &rep) == nil && rep.Response.Data.Hash != "":
			creates[id]++
			hashes[id] = rep.Response.Data.Hash
		case q.Status == http.StatusUnprocessableEntity && strings.Contains(string(q.Reply), "must be unique"):
			creates[id]++
		}
	}
	out := map[string]int{}
	for id, n := range creates {
		if n > 1 || r.srv.Status(hashes[id]) == ktwidget.StatusCompleted {
			out[id] = n
		}
	}
	return out
}

// orderID opens a sealed create body with the fake's key.
func (r *ktRig) orderID(body []byte) string {
	sealed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(body)))
	if err != nil {
		return ""
	}
	plain, ok := box.OpenAnonymous(nil, sealed, r.srv.RawPublicKey(), r.srv.PrivateKey())
	if !ok {
		return ""
	}
	var o struct {
		Order struct {
			OrderID string `json:"order_id"`
		} `json:"order"`
	}
	if json.Unmarshal(plain, &o) != nil {
		return ""
	}
	return o.Order.OrderID
}

func (r *ktRig) Reports() map[string]int { return r.led.snapshot() }

func (r *ktRig) Redeliver(ctx context.Context, n int) int {
	r.mu.Lock()
	hashes := append([]string(nil), r.paid...)
	r.mu.Unlock()
	return redeliverSome(ctx, hashes, n, r.srv.Redeliver)
}

func (r *ktRig) Close() { r.lb.Close() }

// ktPayment: create (a new attempt after an unknowable one), the shopper
// pays, then the verdict.
type ktPayment struct {
	r   *ktRig
	ref string

	mu      sync.Mutex
	stage   int
	attempt int
	payment *ktwidget.Payment
	done    int
	paying  sync.Mutex
}

var ktAmount = ktwidget.MustParseAmount("1999.00")

func (p *ktPayment) Completed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

func (p *ktPayment) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("%s attempt %d at stage %d", p.ref, p.attempt, p.stage)
}

func (p *ktPayment) at() (int, string, *ktwidget.Payment) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stage, fmt.Sprintf("%s-%d", p.ref, p.attempt), p.payment
}

func (p *ktPayment) order(id string) *ktwidget.Order {
	return &ktwidget.Order{OrderID: id, Amount: ktAmount, Type: ktwidget.TypeEcom, Description: "chaos"}
}

func (p *ktPayment) Step(ctx context.Context, rep int) (chaos.Step, error) {
	c := p.r.clients[rep]
	stage, id, pay := p.at()
	switch stage {
	case 0:
		got, err := c.CreatePaymentOnce(ctx, p.order(id), nil)
		var ip *ktwidget.InProgressError
		switch {
		case errors.As(err, &ip):
			return 0, chaos.Later(ip.RetryAfter, err.Error())
		case errors.Is(err, ktwidget.ErrOutcomeUnknown):
			// Nobody holds this attempt's widget URL: the shopper cannot
			// pay it. A new attempt takes a new order_id.
			p.mu.Lock()
			if p.stage == 0 && fmt.Sprintf("%s-%d", p.ref, p.attempt) == id {
				p.attempt++
			}
			p.mu.Unlock()
			return 0, err
		case errors.Is(err, ktwidget.ErrAwaitingNotification):
			// Created, by a call of another tab that holds the Payment.
			return 0, chaos.Poll(5*time.Millisecond, err.Error())
		case err != nil:
			return 0, err
		}
		p.r.mu.Lock()
		p.r.orders[id] = ktwidget.Expectation{TransactionHash: got.TransactionHash, Amount: ktAmount}
		p.r.mu.Unlock()
		p.mu.Lock()
		if p.stage == 0 {
			p.payment, p.stage = got, 1
		}
		p.mu.Unlock()
		return chaos.Progressed, nil
	case 1: // the shopper pays in the widget
		p.paying.Lock()
		defer p.paying.Unlock()
		if s, _, _ := p.at(); s != 1 {
			return chaos.Progressed, nil
		}
		p.r.led.expect(id)
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := p.r.srv.PayWidget(sctx, pay.WidgetURL, ktwidgettest.TestCard); err != nil &&
			p.r.srv.Status(pay.TransactionHash) != ktwidget.StatusCompleted {
			return 0, err
		}
		p.r.mu.Lock()
		p.r.paid = append(p.r.paid, pay.TransactionHash)
		p.r.mu.Unlock()
		p.mu.Lock()
		p.stage = 2
		p.mu.Unlock()
		return chaos.Progressed, nil
	case 2: // the verdict, by a repeat or by Settle
		var verdict *ktwidget.Payment
		if rand.IntN(2) == 0 {
			got, err := c.CreatePaymentOnce(ctx, p.order(id), nil)
			if errors.Is(err, ktwidget.ErrAwaitingNotification) && !errors.Is(err, ktwidget.ErrOutcomeUnknown) {
				return 0, chaos.Poll(20*time.Millisecond, "awaiting the notification")
			}
			var ip *ktwidget.InProgressError
			if errors.As(err, &ip) {
				return 0, chaos.Later(ip.RetryAfter, err.Error())
			}
			if err != nil {
				return 0, err
			}
			verdict = got
		} else {
			s, err := c.Settle(ctx, &ktwidget.SettleRequest{OrderID: id})
			if err != nil {
				return 0, err
			}
			if s.State != ktwidget.SettleDone {
				return 0, chaos.Poll(20*time.Millisecond, "settle: "+s.State.String())
			}
			verdict = s.Record
		}
		if !verdict.Paid() || verdict.TransactionHash != pay.TransactionHash {
			return 0, fmt.Errorf("ktwidget: %s: verdict %s for %s", id, verdict.Status, verdict.TransactionHash)
		}
		p.mu.Lock()
		if p.stage == 2 {
			p.stage, p.done = 3, 1
		}
		p.mu.Unlock()
		return chaos.Finished, nil
	}
	return chaos.Finished, nil
}
