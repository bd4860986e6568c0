package finrotatest

import (
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/internal/fake"
)

// NewMock mounts a fake Finrota in memory on mock, at finrota.Sandbox, and
// closes it when tb ends. It is the same strict fake as NewServer (checks,
// state, pages, scripts, Fail and Requests) behind an httpmock responder for
// every method and path of https://pgw.netahsilatdemo.com, with no socket at
// all:
//
//	hc := &http.Client{}
//	httpmock.ActivateNonDefault(hc)
//	t.Cleanup(func() { httpmock.DeactivateNonDefault(hc) })
//	srv := finrotatest.NewMock(t, httpmock.DefaultTransport)
//	client, err := finrota.New(srv.Config(), finrota.WithHTTPClient(hc))
//
// Config then names finrota.Sandbox, so the merchant's client needs no base
// URL; URL is that host; Client goes through mock. Anything the fake sends out
// (nothing by itself: the bank page's return is posted by the shopper's
// browser (Return.Send)) also goes through mock: register the merchant's
// handler there (HandlerResponder), or it meets httpmock's "no responder"
// error.
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
	s.attach(fake.NewMemory(s.routes(), string(finrota.Sandbox)))
	s.env = finrota.Sandbox
	if err := s.srv.Mount(mock, s.URL); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// HandlerResponder serves the merchant's own handler h in memory as an
// httpmock responder, so that the shopper's return from the 3-D page
// (Return.Send) reaches the merchant with no socket either:
//
//	mock.RegisterResponder(http.MethodPost, "https://shop.example/finrota/return", finrotatest.HandlerResponder(shop))
func HandlerResponder(h http.Handler) httpmock.Responder { return fake.Responder(h) }
