package ktwidgettest

import (
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/ktwidget"
)

// NewMock mounts a fake KTPay in memory on mock, at ktwidget.Test, and closes
// it when tb ends. It is the same strict fake as NewServer (checks, state,
// pages, scripts, Fail and Requests) behind an httpmock responder for every
// method and path of https://fintech.test.nplus.tech (API) and
// https://widget.test.nplus.tech (widget pages), with no socket at all:
//
//	hc := &http.Client{}
//	httpmock.ActivateNonDefault(hc)
//	t.Cleanup(func() { httpmock.DeactivateNonDefault(hc) })
//	srv := ktwidgettest.NewMock(t, httpmock.DefaultTransport)
//	client, err := ktwidget.New(srv.Config(), ktwidget.WithHTTPClient(hc))
//
// Config then names ktwidget.Test, so the merchant's client needs no base URL;
// URL is that host; Client goes through mock. Anything the fake sends out (the
// notification to callback_post_url) also goes through mock: register the
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
	s.attach(fake.NewMemory(s.routes(), ktwidget.Test.API))
	s.env = ktwidget.Test
	if err := s.srv.Mount(mock, ktwidget.Test.API, ktwidget.Test.Widget); err != nil {
		s.Close()
		return nil, err
	}
	s.hc = &http.Client{Transport: mock, Timeout: s.hc.Timeout}
	return s, nil
}

// HandlerResponder serves the merchant's own handler h in memory as an
// httpmock responder, so that KTPay's notification reaches the merchant with
// no socket either:
//
//	mock.RegisterResponder(http.MethodPost, "https://shop.example/ktpay/notify", ktwidgettest.HandlerResponder(shop))
func HandlerResponder(h http.Handler) httpmock.Responder { return fake.Responder(h) }
