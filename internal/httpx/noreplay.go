package httpx

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptrace"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
)

// A money call (RetryIfNotSent) must never be sent twice by anything below
// httpx either: neither net/http's own transports nor the merchant's.
//
// net/http resends a request on its own, inside one RoundTrip:
//
//   - HTTP/2 (net/http's bundle and golang.org/x/net/http2) after
//     RST_STREAM(PROTOCOL_ERROR) or REFUSED_STREAM from the server, or a
//     GOAWAY that leaves the stream out, rewinding the body with
//     Request.GetBody; a request without a body is resent as it is.
//   - HTTP/1.1 when a reused keep-alive connection dies before the answer,
//     for requests that are idempotent or carry Idempotency-Key or
//     X-Idempotency-Key, again through GetBody once the body was read.
//
// And a merchant's transport may retry by itself: retryablehttp.RoundTripper
// buffers the body and sends the request again on a 5xx or a reset, and any
// wrapper may call its inner RoundTripper twice or clone the request.
//
// Do clears GetBody for a money call, so net/http itself never counts the
// request as replayable. Every attempt of a money call then travels with an
// httptrace.ClientTrace and a context of its own (the attempt's context, see
// attemptTransport). The trace sees every connection net/http takes for the
// request (GotConn runs once per send, whoever asks for it, before anything
// of that send is written) and whether the request was written. A second
// connection for the same attempt after the request was written is a
// resend, and the guard stops it before its first byte is written. It
// cancels the attempt's context, which the HTTP/2 client checks before it
// writes the headers (a stream on a shared connection is cancelled alone:
// other callers' streams go on), and, on an HTTP/1 connection, which belongs
// to this request alone while it is in use, it also closes the connection,
// because the HTTP/1 client writes the request without looking at the
// context again. The attempt then fails with errReplayRefused whatever the
// transport returns, so the call reports an outcome unknown that names the
// cause.
//
// "Written" must be known before the first byte reaches the server, which
// may answer at once (a 502 from a proxy does not wait for the body): on
// HTTP/1 httptrace's WroteHeaders runs before the headers are flushed; on
// HTTP/2 it runs from another goroutine after the headers were sent, so the
// guard also listens to WroteHeaderField, which HTTP/2 calls while it encodes
// the headers, before it writes them. It sets that hook only for a
// connection that negotiated h2 (HTTP/1 would build a slice per header for
// it). A second connection before anything was written is no resend: the
// HTTP/2 client takes another one itself when the first turns out unusable
// (a GOAWAY) before the stream opens. The one case left to WroteHeaders'
// timing is HTTP/2 without TLS (h2c), which nothing tells from HTTP/1 when
// the connection is taken.
//
// The trace reaches net/http through the request's context, so it holds for
// every wrapper that keeps the context (retryablehttp does, as do
// http.Request.Clone and WithContext of a derived context). It cannot see a
// wrapper that drops the context, nor a transport that does not use net/http
// at all (httpmock); those are the merchant's to keep from resending.
//
// A request without a body needs nothing more: HTTP/1.1's own resend of it
// on a reused connection takes a second connection too.

// errReplayRefused is the cause of a money call's failure when a transport
// tried to send the request a second time.
var errReplayRefused = errors.New("the client's transport re-sends requests: it tried to send this one a second time, which was stopped before anything was written (the provider received it at most once)")

// attempt is the state of one attempt of a call inside attemptTransport: its
// context's cancel function and, for a money call, the resend guard.
type attempt struct {
	trace  httptrace.ClientTrace
	cancel context.CancelFunc
	wrote  atomic.Bool  // the transport began to write the request
	replay atomic.Bool  // the transport took a new connection after wrote
	conns  atomic.Int32 // connections the transport took for the attempt
}

// start returns the request one attempt sends and the function that ends
// the attempt: req under a context of its own, bounded by timeout when it is
// positive and, for a money call, traced by the resend guard (the returned
// attempt). req itself is not changed; when the attempt needs neither, start
// returns req, no attempt and a no-op.
func start(req *http.Request, timeout time.Duration, money bool) (*attempt, *http.Request, context.CancelFunc) {
	if !money && timeout <= 0 {
		return nil, req, nop
	}
	ctx := req.Context()
	var cancel context.CancelFunc
	if timeout > 0 {
		ctx, cancel = context.WithDeadline(ctx, time.Now().Add(timeout))
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	var a *attempt
	if money {
		a = &attempt{cancel: cancel}
		a.trace.GotConn = a.gotConn
		a.trace.WroteHeaders = a.written
		ctx = httptrace.WithClientTrace(ctx, &a.trace)
	}
	r := req.WithContext(ctx) // a shallow copy; req itself is not changed
	if money {
		r.GetBody = nil
	}
	return a, r, cancel
}

func nop() {}

func (a *attempt) written() { a.wrote.Store(true) }

func (a *attempt) gotConn(info httptrace.GotConnInfo) {
	if a.conns.Add(1) == 1 {
		// Set before the HTTP/2 client starts the stream's goroutine,
		// which reads it; never changed after.
		if tc, ok := info.Conn.(*tls.Conn); ok && tc.ConnectionState().NegotiatedProtocol == "h2" {
			a.trace.WroteHeaderField = a.wroteField
		}
		return
	}
	if !a.wrote.Load() {
		return // nothing was written on the connections before this one
	}
	a.replay.Store(true)
	if info.Conn != nil && !sharedConn(info.Conn) {
		_ = info.Conn.Close() // HTTP/1: the request is not written on it
	}
	a.cancel()
}

func (a *attempt) wroteField(string, []string) {
	if !a.wrote.Load() {
		a.wrote.Store(true)
	}
}

// sharedConn reports whether conn carries HTTP/2 (streams of other requests
// too): it negotiated h2, or net/http's or golang.org/x/net's HTTP/2 client
// is the one that took it (also HTTP/2 without TLS). Anything else is taken
// for an HTTP/1 connection, which belongs to one request while in use. It
// runs only when a resend is being stopped.
func sharedConn(conn net.Conn) bool {
	if tc, ok := conn.(*tls.Conn); ok && tc.ConnectionState().NegotiatedProtocol == "h2" {
		return true
	}
	var pcs [32]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs[:])])
	for {
		f, more := frames.Next()
		for _, p := range http2Funcs {
			if strings.HasPrefix(f.Function, p) {
				return true
			}
		}
		if !more {
			return false
		}
	}
}

// http2Funcs are the prefixes of the functions of Go's HTTP/2 clients.
var http2Funcs = []string{"net/http.http2", "net/http.(*http2", "net/http/internal/http2.", "golang.org/x/net/http2."}

// refused is the error of an attempt whose resend the guard stopped,
// whatever the transport returned: its error may be about the stopped send
// or a later one (a failed dial, an HTTP/2 refusal), none of which says
// anything of the request that was written, and a wrapper's error may quote
// the URL.
func (a *attempt) refused() error { return errReplayRefused }

// unprocessed reports whether err is one of HTTP/2's two promises that the
// server did not process the stream (RFC 9113 §8.7): RST_STREAM with
// REFUSED_STREAM from the server, or a GOAWAY whose last-stream-id is below
// the stream. net/http's HTTP/2 client and golang.org/x/net/http2 report
// them with these exact texts and no type a caller can match; when they
// refuse to retry they quote the cause in "cannot retry err [...]". The
// guard lets at most one request of the attempt be written, so the promise
// is about that request. Any other text is not a promise.
func unprocessed(err error) bool {
	for err != nil {
		msg := err.Error()
		if inner, ok := strings.CutPrefix(msg, "http2: Transport: cannot retry err ["); ok {
			if i := strings.LastIndex(inner, "] after Request.Body was written"); i >= 0 {
				msg = inner[:i]
			}
		}
		if msg == "http2: Transport received Server's graceful shutdown GOAWAY" ||
			(strings.HasPrefix(msg, "stream error: stream ID ") && strings.HasSuffix(msg, "; REFUSED_STREAM; received from peer")) {
			return true
		}
		err = errors.Unwrap(err)
	}
	return false
}

// unsentError marks the failure of an attempt the server promised it did
// not process; checkRetry may retry a money call after it.
type unsentError struct{ err error }

func (e *unsentError) Error() string {
	return "the server did not process the request (HTTP/2 refused stream or GOAWAY): " + e.err.Error()
}

func (e *unsentError) Unwrap() error { return e.err }
