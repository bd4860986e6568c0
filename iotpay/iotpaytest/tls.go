package iotpaytest

import (
	"crypto/x509"
	"testing"

	"github.com/paywidget/paywidget-go/internal/fake"
)

// NewTLSServer is NewServer over HTTPS: TLS with ALPN offering HTTP/2 and
// HTTP/1.1, the certificate every fake of this test binary presents. URL is
// an https URL; Client(), and so NewClient, trusts the certificate and
// negotiates HTTP/2. Requests are recorded and faults scripted as with
// NewServer; over HTTP/2 a hang-up resets the connection.
func NewTLSServer(tb testing.TB) *Server {
	tb.Helper()
	s := newServer()
	s.attach(fake.NewTLS(s.routes()))
	tb.Cleanup(s.Close)
	return s
}

// CertPool returns a pool holding the certificate a NewTLSServer presents,
// for a client of your own (a transport with a proxy, say) to trust it.
func (s *Server) CertPool() *x509.CertPool { return fake.CertPool() }

// HTTP/2 faults for a server from NewTLSServer, queued with Fail like the
// others. They strike after the whole request was read. On a connection
// that negotiated HTTP/1.1 the first three hang up like DropAfter, the last
// two like DropBefore.
const (
	// ResetProtocol processes the request, then resets its stream with
	// RST_STREAM(PROTOCOL_ERROR).
	ResetProtocol FaultKind = fake.ResetProtocol
	// ResetInternal processes the request, then resets its stream with
	// RST_STREAM(INTERNAL_ERROR).
	ResetInternal FaultKind = fake.ResetInternal
	// GoAwayAfter processes the request, then sends GOAWAY naming the stream
	// as received and closes the connection unanswered.
	GoAwayAfter FaultKind = fake.GoAwayAfter
	// RefusedStream refuses the stream unprocessed (REFUSED_STREAM).
	RefusedStream FaultKind = fake.RefusedStream
	// GoAwayBefore sends GOAWAY with a last-stream-id below the stream,
	// unprocessed.
	GoAwayBefore FaultKind = fake.GoAwayBefore
)
