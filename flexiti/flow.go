package flexiti

import (
	"context"
	"net/http"
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/token"
)

// Flow is one shopper's checkout. Flexiti ties the widget flow to the
// access token it started with, so a Flow owns one customer-scope token
// (and its refresh chain) and one x-reference-id from WidgetInit through
// Apply or Authorize. Never share a Flow between shoppers. It is safe for
// concurrent use; State and RestoreFlow carry it across requests.
type Flow struct {
	c      *Client
	ref    string
	tokens *token.Cache

	session string // widget_session_id from WidgetInit
}

// NewFlow starts a checkout flow: a fresh x-reference-id and a
// customer-scope token.
func (c *Client) NewFlow(ctx context.Context) (_ *Flow, err error) {
	ctx, sp := c.http.Trace(ctx, "flexiti.NewFlow", "")
	defer sp.End(&err)
	f := c.flow(NewReferenceID(), "")
	if _, err := f.tokens.Token(ctx); err != nil {
		return nil, err
	}
	return f, nil
}

func (c *Client) flow(ref, session string) *Flow {
	f := &Flow{c: c, ref: ref, session: session}
	f.tokens = token.New(func(ctx context.Context, prev token.Token) (token.Token, error) {
		return c.fetchToken(ctx, ScopeCustomer, ref, prev)
	}, token.WithSkew(60*time.Second), token.WithFetchTimeout(c.fetchMax))
	return f
}

// ReferenceID is the flow's x-reference-id.
func (f *Flow) ReferenceID() string { return f.ref }

// WidgetSessionID is the widget_session_id of the last WidgetInit.
func (f *Flow) WidgetSessionID() string { return f.session }

// FlowState is a Flow written down for the merchant's server-side session
// store. It holds the flow's tokens: store it like a password, never in a
// cookie or a page. It prints and logs (fmt, slog text and JSON handlers)
// without them; its JSON encoding, for the session store, keeps them.
type FlowState struct {
	ReferenceID     string    `json:"reference_id"`
	AccessToken     string    `json:"access_token"`
	RefreshToken    string    `json:"refresh_token"`
	Expiry          time.Time `json:"expiry"`
	WidgetSessionID string    `json:"widget_session_id"`
}

// State writes the flow down; RestoreFlow brings it back.
func (f *Flow) State() FlowState {
	t, _ := f.tokens.Peek()
	return FlowState{ReferenceID: f.ref, AccessToken: t.Value.Reveal(), RefreshToken: t.Refresh.Reveal(), Expiry: t.Expiry, WidgetSessionID: f.session}
}

// RestoreFlow brings back a flow written with State, keeping its token (and
// so Flexiti's memory of the shopper who passed the widget).
func (c *Client) RestoreFlow(s FlowState) (*Flow, error) {
	if len(s.ReferenceID) != 32 || s.AccessToken == "" {
		return nil, httpx.Invalid(provider, "FlowState", "needs a 32-character reference id and an access token")
	}
	f := c.flow(s.ReferenceID, s.WidgetSessionID)
	f.tokens.Set(token.Token{Value: Secret(s.AccessToken), Refresh: Secret(s.RefreshToken), Expiry: s.Expiry, Scope: ScopeCustomer})
	return f, nil
}

func (f *Flow) call(ctx context.Context, ep endpoint, args []string, in, out any, class httpx.RetryClass) (Meta, error) {
	return f.c.call(ctx, f.tokens, f.ref, http.MethodPost, ep, args, nil, in, out, class)
}
