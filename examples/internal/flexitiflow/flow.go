// Package flexitiflow is Flexiti's purchase flow for the example programs:
// a flow session, widget init, the widget's success, authorization from
// the server, capture, and a partial return.
package flexitiflow

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/paywidget/paywidget-go/examples/internal/steps"
	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
)

// Run plays the flow against the built-in fake, or against t.BaseURL (the
// POS API base, e.g. https://posapi-mi.flexiti.fi/flexiti/pos-api) with
// FLEXITI_CLIENT_ID and FLEXITI_CLIENT_SECRET; FLEXITI_ACCOUNT_NUMBER names
// a test account (default 20009100).
func Run(ctx context.Context, t steps.Target, rec *steps.Recorder) error {
	var (
		cfg  flexiti.Config
		opts []flexiti.Option
		fx   *flexititest.Server
	)
	account := flexiti.ID(flexititest.AccountNumber)
	if t.Fake() {
		fx = flexititest.Start()
		defer fx.Close()
		cfg = fx.Config()
		opts = append(opts, flexiti.WithBaseURL(fx.URL))
	} else {
		id, err := t.Env("FLEXITI_CLIENT_ID")
		if err != nil {
			return err
		}
		sec, err := t.Env("FLEXITI_CLIENT_SECRET")
		if err != nil {
			return err
		}
		cfg = flexiti.Config{ClientID: id, ClientSecret: flexiti.Secret(sec)}
		opts = append(opts, flexiti.WithBaseURL(t.BaseURL))
		if n, err := strconv.ParseInt(t.Getenv("FLEXITI_ACCOUNT_NUMBER"), 10, 64); err == nil && n > 0 {
			account = flexiti.ID(n)
		}
	}
	client, err := flexiti.New(cfg, opts...)
	if err != nil {
		return err
	}
	ref := "demo-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	amount := flexiti.MustParseAmount("1499.99")

	var flow *flexiti.Flow
	var ws *flexiti.WidgetSession
	err = rec.Step("flow session and widget init", func() (any, any, error) {
		var err error
		if flow, err = client.NewFlow(ctx); err != nil {
			return "customer-scope token", nil, err
		}
		ws, err = flow.WidgetInit(ctx, &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase,
			CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: account}})
		if err != nil {
			return map[string]any{"flow": flexiti.FlowPurchase, "account_number": account}, nil, err
		}
		return map[string]any{"flow": flexiti.FlowPurchase, "account_number": account, "x-reference-id": flow.ReferenceID()},
			map[string]string{"redirection_url": "issued", "widget_session_id": ws.WidgetSessionID}, nil
	})
	if err != nil {
		return err
	}
	if !t.Fake() {
		rec.Action("pass the widget", "open "+ws.RedirectionURL+" (PIN 2222 on Training/MI); on flx-success call Authorize")
		return rec.Step("financing options", func() (any, any, error) {
			o, err := client.CalculateInterest(ctx, account, amount)
			if err != nil {
				return amount, nil, err
			}
			return amount, map[string]any{"account_type": o.AccountType}, nil
		})
	}

	var ev *flexiti.WidgetEvent
	err = rec.Step("shopper passes widget", func() (any, any, error) {
		raw, ok := fx.PassWidget(ws.WidgetSessionID, flexititest.PIN)
		if !ok {
			return nil, nil, errors.New("widget refused the PIN")
		}
		var err error
		if ev, err = flexiti.ParseWidgetEvent(raw); err != nil {
			return nil, nil, err
		}
		step := flexiti.NextStep(flexiti.FlowPurchase, ev)
		if step != flexiti.StepAuthorize {
			return nil, step, errors.New("widget says " + string(step))
		}
		return map[string]string{"pin": "test PIN"}, map[string]any{"eventType": ev.Type, "nextStep": step}, nil
	})
	if err != nil {
		return err
	}

	var auth *flexiti.Authorization
	err = rec.Step("authorize", func() (any, any, error) {
		req := &flexiti.AuthorizeRequest{AccountNumber: *ev.Success.AccountNumber, Reference: ref, Amount: amount,
			FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}}
		var err error
		if auth, err = flow.Authorize(ctx, req); err != nil {
			return req, nil, err
		}
		return map[string]any{"amount": amount, "reference": ref, "auto_capture": false},
			map[string]any{"authorization_id": auth.AuthorizationID, "status": auth.Status}, nil
	})
	if err != nil {
		return err
	}

	var capture *flexiti.Capture
	err = rec.Step("capture", func() (any, any, error) {
		var err error
		if capture, err = client.Capture(ctx, auth.AuthorizationID, &flexiti.CaptureRequest{Amount: amount, Reference: ref}); err != nil {
			return amount, nil, err
		}
		return map[string]any{"amount": amount}, map[string]any{"capture_id": capture.CaptureID}, nil
	})
	if err != nil {
		return err
	}

	return rec.Step("partial return", func() (any, any, error) {
		part := flexiti.MustParseAmount("500.00")
		r, err := client.Return(ctx, auth.AuthorizationID, capture.CaptureID, &flexiti.ReturnRequest{Amount: &part, Reference: ref + "-r"})
		if err != nil {
			return part, nil, err
		}
		return map[string]any{"amount": part}, map[string]any{"return_id": r.ReturnID, "remaining_capture_amount": r.RemainingCaptureAmount}, nil
	})
}
