package conformance_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/internal/conformance"
	"github.com/paywidget/paywidget-go/internal/httpx"
)

var flexitiSeq atomic.Int64

var flexitiSubject = conformance.Subject{
	Name: "flexiti",
	New: func(t *testing.T, https bool, opts ...httpx.Option) *conformance.Session {
		start := flexititest.NewServer
		if https {
			start = flexititest.NewTLSServer
		}
		srv := start(t)
		c, err := srv.NewClient(conformance.Options[flexiti.Option](opts)...)
		if err != nil {
			t.Fatal(err)
		}
		var flow *flexiti.Flow
		var auth *flexiti.Authorization
		var capture *flexiti.Capture
		amount := flexiti.MustParseAmount("10.00")
		passed := func(ctx context.Context) error {
			f, err := c.NewFlow(ctx)
			if err != nil {
				return err
			}
			ws, err := f.WidgetInit(ctx, &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase, CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: flexititest.AccountNumber}})
			if err != nil {
				return err
			}
			srv.PassWidget(ws.WidgetSessionID, flexititest.PIN)
			flow = f
			_, err = c.CustomersLookup(ctx, "account_number", "20009100") // the merchant token, fetched before the call under test
			return err
		}
		authReq := func() *flexiti.AuthorizeRequest {
			return &flexiti.AuthorizeRequest{AccountNumber: flexititest.AccountNumber, Amount: amount, Reference: "r-" + strconv.FormatInt(flexitiSeq.Add(1), 10),
				FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}}
		}
		authorized := func(ctx context.Context) error {
			if err := passed(ctx); err != nil {
				return err
			}
			a, err := flow.Authorize(ctx, authReq())
			auth = a
			return err
		}
		captured := func(ctx context.Context) error {
			if err := authorized(ctx); err != nil {
				return err
			}
			cp, err := c.Capture(ctx, auth.AuthorizationID, &flexiti.CaptureRequest{Amount: amount})
			capture = cp
			return err
		}
		base := flexititest.Base + "/v2.5.1/client-id/" + flexititest.ClientID
		badAuth := func(name string, f func(r *flexiti.AuthorizeRequest)) conformance.Case {
			return conformance.Case{Name: name, Do: func(ctx context.Context) error {
				if flow == nil {
					// A restored flow: no token request is sent.
					flow, _ = c.RestoreFlow(flexiti.FlowState{ReferenceID: flexiti.NewReferenceID(), AccessToken: "restored"})
				}
				r := authReq()
				f(r)
				_, err := flow.Authorize(ctx, r)
				return err
			}}
		}
		half := flexiti.MustParseAmount("1.00")
		return &conformance.Session{
			Fake: srv,
			Money: []conformance.Call{
				{Name: "Authorize", Method: "POST", Path: base + "/authorization", Prepare: passed, Created: srv.Authorizations,
					Do: func(ctx context.Context) error { _, err := flow.Authorize(ctx, authReq()); return err }},
				{Name: "Capture", Method: "POST", Prepare: authorized, Created: srv.Captured,
					Do: func(ctx context.Context) error {
						_, err := c.Capture(ctx, auth.AuthorizationID, &flexiti.CaptureRequest{Amount: amount})
						return err
					}},
				{Name: "Return", Method: "POST", Prepare: captured, Created: srv.Returns,
					Do: func(ctx context.Context) error {
						_, err := c.Return(ctx, auth.AuthorizationID, capture.CaptureID, &flexiti.ReturnRequest{Amount: &half})
						return err
					}},
			},
			Reads: []conformance.Call{
				{Name: "CustomersLookup", Method: "GET", Path: flexititest.Base + "/v2.5/client-id/" + flexititest.ClientID + "/customers/lookup",
					Do: func(ctx context.Context) error {
						_, err := c.CustomersLookup(ctx, "account_number", "20009100")
						return err
					}},
				{Name: "GetAuthorization", Method: "GET", Prepare: authorized,
					Do: func(ctx context.Context) error { _, err := c.GetAuthorization(ctx, auth.AuthorizationID); return err }},
			},
			Invalid: []conformance.Case{
				badAuth("amount 0", func(r *flexiti.AuthorizeRequest) { r.Amount = flexiti.MustParseAmount("0") }),
				badAuth("amount negative", func(r *flexiti.AuthorizeRequest) { r.Amount = flexiti.MustParseAmount("-1.00") }),
				badAuth("account missing", func(r *flexiti.AuthorizeRequest) { r.AccountNumber = 0 }),
				badAuth("account 15 digits", func(r *flexiti.AuthorizeRequest) { r.AccountNumber = 100000000000000 }),
				badAuth("vcc 15 digits", func(r *flexiti.AuthorizeRequest) { r.VCCNumber = "411111111111111" }),
				badAuth("reference 41", func(r *flexiti.AuthorizeRequest) { r.Reference = strings.Repeat("r", 41) }),
				badAuth("promotional without plan", func(r *flexiti.AuthorizeRequest) { r.FinancingOption.TransactionType = flexiti.PromotionalPurchase }),
				badAuth("transaction type", func(r *flexiti.AuthorizeRequest) { r.FinancingOption.TransactionType = "layaway" }),
				badAuth("purchase_order 11", func(r *flexiti.AuthorizeRequest) {
					r.SKUData = &flexiti.SKUData{PurchaseOrder: strings.Repeat("p", 11)}
				}),
				{Name: "capture amount 0", Do: func(ctx context.Context) error { _, err := c.Capture(ctx, 1, &flexiti.CaptureRequest{}); return err }},
				{Name: "capture id 0", Do: func(ctx context.Context) error {
					_, err := c.Capture(ctx, 0, &flexiti.CaptureRequest{Amount: half})
					return err
				}},
				{Name: "return amount and full", Do: func(ctx context.Context) error {
					_, err := c.Return(ctx, 1, 2, &flexiti.ReturnRequest{FullReturn: true, Amount: &half})
					return err
				}},
				{Name: "refund account 0", Do: func(ctx context.Context) error {
					_, err := c.Refund(ctx, 0, &flexiti.RefundRequest{Amount: half})
					return err
				}},
				{Name: "lookup key", Do: func(ctx context.Context) error { _, err := c.CustomersLookup(ctx, "phone", "1"); return err }},
				{Name: "search dob", Do: func(ctx context.Context) error {
					_, err := c.CustomersSearch(ctx, flexiti.PersonalInformation{FirstName: "J", LastName: "D", DOB: "1980"})
					return err
				}},
			},
			Secrets: func() []string {
				out := []string{flexititest.ClientSecret}
				for _, r := range srv.Requests() {
					if a := r.Header.Get("Authorization"); len(a) > 7 {
						out = append(out, a[7:])
					}
				}
				return out
			},
			Fetches: func() int { return srv.ScopeFetches(flexiti.ScopeMerchant) },
			Refused: conformance.Case{Name: "get of an unknown authorization", Do: func(ctx context.Context) error {
				_, err := c.GetAuthorization(ctx, 424242)
				return err
			}},
			APIError: func(err error) bool { var e *flexiti.APIError; return errors.As(err, &e) },
		}
	},
}

func TestFlexiti(t *testing.T) { conformance.Run(t, flexitiSubject) }
