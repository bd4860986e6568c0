package flexititest

import (
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/internal/fake"
)

// NewMock mounts a fake Flexiti in memory on mock, at flexiti.Training, and
// closes it when tb ends. It is the same strict fake as NewServer (checks,
// state, pages, scripts, Fail and Requests) behind an httpmock responder for
// every method and path of https://posapi-training.flexiti.fi, with no socket
// at all:
//
//	hc := &http.Client{}
//	httpmock.ActivateNonDefault(hc)
//	t.Cleanup(func() { httpmock.DeactivateNonDefault(hc) })
//	srv := flexititest.NewMock(t, httpmock.DefaultTransport)
//	client, err := flexiti.New(srv.Config(), flexiti.WithHTTPClient(hc))
//
// Config then names flexiti.Training, so the merchant's client needs no base
// URL; URL is that host; Client goes through mock. Anything the fake sends out
// (nothing: Flexiti calls no merchant URL) also goes through mock: register
// the merchant's handler there (HandlerResponder), or it meets httpmock's "no
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
	s.attach(fake.NewMemory(s.routes(), strings.TrimSuffix(string(flexiti.Training), Base)))
	s.env = flexiti.Training
	if err := s.srv.Mount(mock, s.URL); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}
