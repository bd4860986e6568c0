package oderotest

import (
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/odero"
)

// NewMock mounts a fake OderoPay in memory on mock, at odero.SandboxTR, and
// closes it when tb ends. It is the same strict fake as NewServer (checks,
// state, pages, scripts, Fail and Requests) behind an httpmock responder for
// every method and path of https://sandbox-api-gateway.oderopay.com.tr, with
// no socket at all:
//
//	hc := &http.Client{}
//	httpmock.ActivateNonDefault(hc)
//	t.Cleanup(func() { httpmock.DeactivateNonDefault(hc) })
//	srv := oderotest.NewMock(t, httpmock.DefaultTransport)
//	client, err := odero.New(srv.Config(), odero.WithHTTPClient(hc))
//
// Config then names odero.SandboxTR, so the merchant's client needs no base
// URL; URL is that host; Client goes through mock. Anything the fake sends out
// (nothing by itself: the hosted page's callback is posted by the shopper's
// browser, the hc given to PayHostedPage) also goes through mock: register the
// merchant's handler there (HandlerResponder), or it meets httpmock's "no
// responder" error.
func NewMock(tb testing.TB, mock *httpmock.MockTransport) *Server {
	tb.Helper()
	s, err := StartMock(mock)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// StartMock is NewMock for a program or an Example: Close it when done.
// It fails only when the fake cannot be mounted on mock.
func StartMock(mock *httpmock.MockTransport) (*Server, error) {
	s := newServer()
	s.attach(fake.NewMemory(s.routes(), string(odero.SandboxTR)))
	s.env = odero.SandboxTR
	if err := s.srv.Mount(mock, s.URL); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// HandlerResponder serves the merchant's own handler h in memory as an
// httpmock responder, so that the hosted page's callback (PayHostedPage with
// the merchant's hc) reaches the merchant with no socket either:
//
//	mock.RegisterResponder(http.MethodPost, "https://shop.example/odero/callback", oderotest.HandlerResponder(shop))
func HandlerResponder(h http.Handler) httpmock.Responder { return fake.Responder(h) }
