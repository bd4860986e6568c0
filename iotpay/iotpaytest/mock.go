package iotpaytest

import (
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/iotpay"
)

// NewMock mounts a fake IOTPay in memory on mock, at iotpay.Sandbox, and
// closes it when tb ends. It is the same strict fake as NewServer (checks,
// state, pages, scripts, Fail and Requests) behind an httpmock responder for
// every method and path of https://ccdev.iotpaycloud.com, with no socket at
// all:
//
//	hc := &http.Client{}
//	httpmock.ActivateNonDefault(hc)
//	t.Cleanup(func() { httpmock.DeactivateNonDefault(hc) })
//	srv := iotpaytest.NewMock(t, httpmock.DefaultTransport)
//	client, err := iotpay.New(srv.Config(), iotpay.WithHTTPClient(hc))
//
// Config then names iotpay.Sandbox, so the merchant's client needs no base
// URL; URL is that host; Client goes through mock. Anything the fake sends out
// (the notification of a paid order to its notifyUrl, and the shopper's return
// to returnUrl when a test sends it) also goes through mock: register the
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
	s.attach(fake.NewMemory(s.routes(), string(iotpay.Sandbox)))
	s.env = iotpay.Sandbox
	if err := s.srv.Mount(mock, s.URL); err != nil {
		s.Close()
		return nil, err
	}
	s.hc = &http.Client{Transport: mock, Timeout: s.hc.Timeout}
	return s, nil
}

// HandlerResponder serves the merchant's own handler h in memory as an
// httpmock responder, so that IOTPay's notification (and the shopper's return
// to returnUrl) reaches the merchant with no socket either:
//
//	mock.RegisterResponder(http.MethodPost, "https://shop.example/iotpay/notify", iotpaytest.HandlerResponder(shop))
func HandlerResponder(h http.Handler) httpmock.Responder { return fake.Responder(h) }
