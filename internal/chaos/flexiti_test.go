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

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/internal/chaos"
)

// flexitiProvider: a widget flow (session, init, the shopper's PIN), then
// AuthorizeOnce on whichever replica restores the flow from the session
// store, and CaptureOnce. Flexiti sends no notification. Returns are left
// out: Flexiti documents no look-up of a return, so a ReturnOnce whose
// outcome is unknown stays unknowable by design (its doc says so) and
// cannot be settled by any loop.
func flexitiProvider(t *testing.T) chaos.Provider {
	return chaos.Provider{Name: "flexiti", Start: func(env chaos.Env) (chaos.Rig, error) {
		var fx *flexititest.Server
		if env.HTTPS {
			fx = flexititest.NewTLSServer(t)
		} else {
			fx = flexititest.NewServer(t)
		}
		// The fake's credit limit counts every account's authorizations:
		// give it room for all of them.
		fx.SetCreditLimit(flexiti.MustParseAmount("100000000.00"))
		r := &flexitiRig{fx: fx, prefix: refPrefix("fx")}
		for range env.Replicas {
			cfg := fx.Config()
			cfg.Claims, cfg.ClaimLease = env.Store, env.Lease
			c, err := flexiti.New(cfg, flexiti.WithBaseURL(fx.URL), flexiti.WithHTTPClient(env.Client()))
			if err != nil {
				return nil, err
			}
			r.clients = append(r.clients, c)
		}
		return r, nil
	}}
}

type flexitiRig struct {
	fx      *flexititest.Server
	clients []*flexiti.Client
	prefix  string
}

func (r *flexitiRig) Fake() chaos.Fake { return r.fx }

func (r *flexitiRig) Targets() []chaos.Target {
	return []chaos.Target{
		{Method: http.MethodPost, Path: "*"}, // authorizations, captures, returns carry ids in their paths
		{Method: http.MethodGet, Path: "*"},  // the look-ups
		{Method: http.MethodPost, Path: flexititest.Base + "/v2.5/oauth/token", Kinds: []string{"token-hang", "5xx", "drop-before"}},
	}
}

// NewPayment gives each shopper a test account of its own, as real
// shoppers have: FindAuthorization then reads a short listing.
func (r *flexitiRig) NewPayment(i int) chaos.Payment {
	return &flexitiPayment{r: r, ref: fmt.Sprintf("%s-%d", r.prefix, i), shopper: flexititest.AccountNumber + flexiti.ID(i%flexititest.TestAccounts)}
}

// flexitiRef reads the reference of an authorization, capture or return
// body, prefixed by what it is.
func flexitiRef(reqPath string, body []byte) string {
	var p struct {
		Reference string `json:"reference"`
	}
	if json.Unmarshal(body, &p) != nil || p.Reference == "" {
		return ""
	}
	switch {
	case strings.HasSuffix(reqPath, "/capture"):
		return "capture:" + p.Reference
	case strings.HasSuffix(reqPath, "/authorization"):
		return "authorization:" + p.Reference
	}
	return ""
}

func (r *flexitiRig) Charges() map[string]int {
	out := map[string]int{}
	for _, q := range r.fx.Requests() {
		// A charge is a money request Flexiti accepted; one it refused
		// (an API error) frees the reference for another try.
		if q.Method == http.MethodPost && q.Processed && q.Status/100 == 2 {
			if k := flexitiRef(q.Path, q.Body); k != "" {
				out[k]++
			}
		}
	}
	return out
}

func (r *flexitiRig) Reports() map[string]int            { return nil }
func (r *flexitiRig) Redeliver(context.Context, int) int { return 0 }
func (r *flexitiRig) Close()                             {}
func (p *flexitiPayment) Completed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

func (p *flexitiPayment) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("%s at stage %d", p.ref, p.stage)
}

func (p *flexitiPayment) at() (int, flexiti.FlowState, flexiti.ID, flexiti.ID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stage, p.state, p.account, p.authID
}

type flexitiPayment struct {
	r       *flexitiRig
	ref     string
	shopper flexiti.ID // the account the widget is opened for

	mu      sync.Mutex
	stage   int
	state   flexiti.FlowState // the merchant's session store
	session string
	account flexiti.ID
	authID  flexiti.ID
	done    int
}

var flexitiAmount = flexiti.MustParseAmount("149.99")

func (p *flexitiPayment) Step(ctx context.Context, rep int) (chaos.Step, error) {
	c := p.r.clients[rep]
	stage, state, account, authID := p.at()
	switch stage {
	case 0: // the checkout opens the widget
		f, err := c.NewFlow(ctx)
		if err != nil {
			return 0, err
		}
		ws, err := f.WidgetInit(ctx, &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase,
			CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: p.shopper}})
		if err != nil {
			return 0, err
		}
		p.mu.Lock()
		if p.stage == 0 {
			p.state, p.session, p.stage = f.State(), ws.WidgetSessionID, 1
		}
		p.mu.Unlock()
		return chaos.Progressed, nil
	case 1: // the shopper enters the PIN
		p.mu.Lock()
		session := p.session
		p.mu.Unlock()
		raw, ok := p.r.fx.PassWidget(session, flexititest.PIN)
		if !ok {
			return 0, errors.New("flexiti: the widget refused the PIN")
		}
		ev, err := flexiti.ParseWidgetEvent(raw)
		if err != nil || ev.Success == nil || ev.Success.AccountNumber == nil {
			return 0, fmt.Errorf("flexiti: widget event: %v", err)
		}
		p.mu.Lock()
		if p.stage == 1 {
			p.account, p.stage = *ev.Success.AccountNumber, 2
		}
		p.mu.Unlock()
		return chaos.Progressed, nil
	case 2:
		f, err := c.RestoreFlow(state)
		if err != nil {
			return 0, err
		}
		a, err := f.AuthorizeOnce(ctx, &flexiti.AuthorizeRequest{AccountNumber: account, Reference: p.ref, Amount: flexitiAmount,
			FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}})
		if err != nil {
			return 0, flexitiLater(err)
		}
		p.mu.Lock()
		if p.stage == 2 {
			p.authID, p.stage = a.AuthorizationID, 3
			p.done++
		}
		p.mu.Unlock()
		return chaos.Progressed, nil
	case 3:
		if _, err := c.CaptureOnce(ctx, authID, &flexiti.CaptureRequest{Amount: flexitiAmount, Reference: p.ref + "-c"}); err != nil {
			return 0, flexitiLater(err)
		}
		p.mu.Lock()
		if p.stage == 3 {
			p.stage = 4
			p.done++
		}
		p.mu.Unlock()
		return chaos.Finished, nil
	}
	return chaos.Finished, nil
}

func flexitiLater(err error) error {
	var ip *flexiti.InProgressError
	if errors.As(err, &ip) {
		return chaos.Later(ip.RetryAfter, err.Error())
	}
	return err
}
