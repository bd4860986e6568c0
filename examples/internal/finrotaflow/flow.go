// Package finrotaflow is Finrota's hybrid widget flow for the example
// programs: access and widget tokens on the server, the widget's prepare
// step, the payment from the backend, the 3-D Secure return, and a
// server-side look-up before the order counts as paid.
package finrotaflow

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/paywidget/paywidget-go/examples/internal/steps"
	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
)

// Run plays the flow against the built-in fake, or against t.BaseURL with
// FINROTA_API_KEY and FINROTA_SECRET_KEY.
func Run(ctx context.Context, t steps.Target, rec *steps.Recorder) error {
	var (
		cfg  finrota.Config
		opts []finrota.Option
		gw   *finrotatest.Server
	)
	if t.Fake() {
		gw = finrotatest.Start()
		defer gw.Close()
		cfg = gw.Config()
		opts = append(opts, finrota.WithBaseURL(gw.URL))
	} else {
		key, err := t.Env("FINROTA_API_KEY")
		if err != nil {
			return err
		}
		sec, err := t.Env("FINROTA_SECRET_KEY")
		if err != nil {
			return err
		}
		cfg = finrota.Config{APIKey: finrota.Secret(key), SecretKey: finrota.Secret(sec)}
		opts = append(opts, finrota.WithBaseURL(t.BaseURL))
	}
	client, err := finrota.New(cfg, opts...)
	if err != nil {
		return err
	}
	amount := finrota.MustParseAmount("2750.00")
	ref := "demo-" + strconv.FormatInt(time.Now().UnixNano(), 36)

	// The merchant's return endpoint.
	returns := make(chan *finrota.Return, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/finrota/return", func(w http.ResponseWriter, r *http.Request) {
		ret, err := finrota.ParseReturn(r)
		if err == nil {
			select {
			case returns <- ret:
			default:
			}
		}
		_, _ = io.WriteString(w, "checking your payment")
	})
	site := httptest.NewUnstartedServer(mux)
	if l, lerr := net.Listen("tcp", "127.0.0.1:0"); lerr == nil {
		site.Listener = l
	}
	site.Start()
	defer site.Close()

	var w finrota.WidgetToken
	err = rec.Step("widget token", func() (any, any, error) {
		var err error
		if w, err = client.CreateWidgetToken(ctx); err != nil {
			return "access token, then GET /b2c/widget/token", nil, err
		}
		return "access token, then GET /b2c/widget/token", map[string]any{"widgetToken": "issued (for the page only)", "expiresAt": w.ExpiresAt.UTC().Format(time.RFC3339)}, nil
	})
	if err != nil {
		return err
	}
	var install string
	err = rec.Step("payment options", func() (any, any, error) {
		programs, err := client.PaymentOptions(ctx, "415565", amount, finrota.TRY)
		if err != nil {
			return nil, nil, err
		}
		if len(programs) == 0 || len(programs[0].Installments) == 0 {
			return nil, nil, errors.New("no installment options")
		}
		install = programs[0].Installments[0].Token
		return map[string]any{"binNumber": "415565", "amount": amount}, map[string]any{"programs": len(programs), "installments": len(programs[0].Installments)}, nil
	})
	if err != nil {
		return err
	}
	if !t.Fake() {
		rec.Action("pay in the widget", "render FinrotaPay.init with the widget token; its onSuccess posts the prepareToken to your backend, which calls CompletePayment")
		return nil
	}

	var prep finrota.PrepareToken
	err = rec.Step("widget prepares payment", func() (any, any, error) {
		var err error
		prep, err = client.PreparePayment(ctx, w, &finrota.PrepareRequest{
			Card:  finrota.Card{Number: "4155650100416111", HolderName: "Test Test", CVV: "000", ExpMonth: 12, ExpYear: 2030},
			Use3D: true, Currency: finrota.TRY, Amount: amount, InstallmentToken: install,
		})
		if err != nil {
			return nil, nil, err
		}
		return map[string]any{"card": "docs' test card ending 6111", "use3D": true}, map[string]string{"prepareToken": "received by the backend"}, nil
	})
	if err != nil {
		return err
	}

	var redirect *finrota.Redirect
	err = rec.Step("complete payment", func() (any, any, error) {
		out, err := client.CompletePayment(ctx, &finrota.CompleteRequest{Amount: amount, PrepareToken: prep,
			ReturnURL: site.URL + "/finrota/return", ClientReferenceCode: ref, CustomerIP: "203.0.113.7"})
		sent := map[string]any{"amount": amount, "clientReferenceCode": ref}
		if err != nil {
			return sent, nil, err
		}
		r, ok := out.(*finrota.Redirect)
		if !ok {
			return sent, out, errors.New("expected a 3-D Secure redirect")
		}
		redirect = r
		return sent, map[string]string{"paymentType": finrota.PaymentTypeRedirect, "orderId": r.OrderID, "redirectTo": r.URL}, nil
	})
	if err != nil {
		return err
	}

	err = rec.Step("shopper passes 3-D Secure", func() (any, any, error) {
		// The bank's page posts a form back to returnUrl, as the browser would.
		ds, err := gw.PassThreeDS(ctx, redirect.URL, finrotatest.ThreeDSCard)
		if err != nil {
			return nil, nil, err
		}
		if !ds.Delivery.Acknowledged {
			return nil, nil, errors.New("the return was not taken: " + ds.Delivery.Refused)
		}
		select {
		case ret := <-returns:
			return map[string]string{"code": "123456"}, map[string]any{"returnSuccess": ret.Success != nil && *ret.Success, "verified": ret.Verified}, nil
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	})
	if err != nil {
		return err
	}

	return rec.Step("confirm on the server", func() (any, any, error) {
		list, err := client.ListPayments(ctx, finrota.PaymentFilter{ClientReferenceCode: ref})
		if err != nil {
			return ref, nil, err
		}
		if len(list) != 1 || !list[0].Status.Paid() || !list[0].LastAmount.Equal(amount) {
			return ref, list, errors.New("payment not found, not paid, or amount differs")
		}
		return ref, map[string]any{"referenceNumber": list[0].ReferenceNumber, "lastAmount": list[0].LastAmount}, nil
	})
}
