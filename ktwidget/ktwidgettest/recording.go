package ktwidgettest

import (
	"net/http"

	"github.com/paywidget/paywidget-go/internal/fake"
)

// Request is one request as the fake received it: Method, Path, RawQuery,
// Header, Body (at most 1 MiB of it), At, when it arrived, and Proto,
// "HTTP/1.1" or "HTTP/2.0" (NewTLSServer). Server.Requests returns them. (An alias of the request record all five fakes share.)
type Request = fake.Request

// FaultKind says where in the exchange a Fault strikes: one of Status,
// DropBefore, DropAfter, Truncate, Malformed and Hang. (An alias of the kind
// all five fakes share.)
type FaultKind = fake.Kind

// Fault is one scripted misbehaviour of the fake KTPay, queued with
// Server.Fail. (An alias of the fault all five fakes share.) Its fields:
//
//   - Kind (a FaultKind): where the fault strikes.
//   - Status, Header, Body: the reply of a Status fault. Body is also what a
//     Malformed fault answers with status 200 (broken JSON when empty).
//   - Delay: how long a Hang holds the reply (a minute when zero); the
//     client's own timeout or context ends it sooner.
//
// In memory (NewMock) a dropped connection is the error ErrDropped and a
// truncated body ends in io.ErrUnexpectedEOF, as they would on a socket.
type Fault = fake.Fault

// Where a Fault strikes.
const (
	// Status answers Fault.Status, Header and Body without processing the
	// request (a 5xx from a proxy, a 429).
	Status FaultKind = fake.Status
	// DropBefore closes the connection without processing the request.
	DropBefore FaultKind = fake.DropBefore
	// DropAfter processes the request (the payment exists) and then closes
	// the connection without answering.
	DropAfter FaultKind = fake.DropAfter
	// Truncate processes the request and sends only half of the reply, with
	// a Content-Length promising all of it.
	Truncate FaultKind = fake.Truncate
	// Malformed processes the request and answers 200 with Fault.Body, or
	// with broken JSON when Body is empty.
	Malformed FaultKind = fake.Malformed
	// Hang processes the request and holds the reply for Fault.Delay or until
	// the client goes away: a response timeout.
	Hang FaultKind = fake.Hang
)

// ErrDropped is the error a client sees in memory (NewMock) where a loopback
// connection would be closed unanswered (DropBefore, DropAfter). Like a reset
// after the request was written, it does not prove the request never left.
var ErrDropped = fake.ErrDropped

// Client returns an *http.Client that reaches the fake: a loopback client
// for NewServer and Start, a client over the httpmock transport for NewMock
// and StartMock. It plays the shopper's browser in the shopper helpers.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Fail queues faults for the next requests to method and path (the path
// without query, e.g. "/api/v1/merchant-widget/payment"), one fault per request, in order; path "*"
// matches every path of that method. Requests with no fault queued are
// answered normally.
func (s *Server) Fail(method, path string, faults ...Fault) { s.srv.Fail(method, path, faults...) }

// Requests returns a copy of every request the fake received so far, in
// arrival order: API calls, page loads and form posts alike, faulted or not.
func (s *Server) Requests() []Request { return s.srv.Requests() }

// Count returns how many requests for method and path the fake received.
func (s *Server) Count(method, path string) int { return s.srv.Count(method, path) }

// Reset forgets the recorded requests and any faults still queued. The
// provider's own state (transactions, keys) stays.
func (s *Server) Reset() { s.srv.Reset() }

// attach makes f the fake's transport side and takes its URL.
func (s *Server) attach(f *fake.Server) *Server {
	s.srv, s.URL = f, f.URL
	return s
}
