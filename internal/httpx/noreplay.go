package httpx

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
)

// A money call (RetryIfNotSent) must never be sent twice by anything below
// httpx either. Two transports in net/http resend a request on their own,
// inside one RoundTrip:
//
//   - HTTP/2 (net/http's bundle and golang.org/x/net/http2) after
//     RST_STREAM(PROTOCOL_ERROR) or REFUSED_STREAM from the server, or a
//     GOAWAY that leaves the stream out, rewinding the body with
//     Request.GetBody; a request without a body is resent as it is.
//   - HTTP/1.1 when a reused keep-alive connection dies before the answer,
//     for requests that are idempotent or carry Idempotency-Key or
//     X-Idempotency-Key, again through GetBody once the body was read.
//
// go-retryablehttp always sets GetBody. So Do clears it for a money call,
// and each attempt reaches the transport without GetBody and with a body
// that reads empty after one pass (retryablehttp makes a fresh one per
// attempt): HTTP/1.1 then never counts the request as replayable, and
// HTTP/2 gives up with "cannot retry err [...] after Request.Body was
// written" (it may still reuse the request when the connection was unusable
// before the stream was opened, when nothing was sent). A request without a
// body cannot be stopped that way, so guard gives it Connection: close
// (HTTP/1.1 resends only on a reused connection), and should the transport
// take a second connection after it wrote the headers, the attempt's
// context is cancelled: the HTTP/2 client checks it before it writes the
// headers again. The caller's client and transport are never touched: the
// guard travels in the request.

// errReplayRefused is the cause of a money call's failure when the
// transport tried to send the request a second time.
var errReplayRefused = errors.New("the HTTP transport tried to send the request again; refused so that it is sent at most once")

// attemptGuard watches one attempt of a money call.
type attemptGuard struct {
	wrote  atomic.Bool  // the transport wrote headers (always before the body)
	replay atomic.Bool  // the transport took a new connection after wrote
	conns  atomic.Int32 // connections the transport took for the attempt
	cancel context.CancelCauseFunc
}

// needsGuard reports whether a money call's attempt must go through guard:
// it has no body, or a GetBody that something set after Do.
func needsGuard(req *http.Request) bool {
	return req.GetBody != nil || req.Body == nil || req.Body == http.NoBody || req.ContentLength <= 0
}

// guard returns the copy of req that one attempt of a money call sends.
func guard(req *http.Request, body []byte) (*attemptGuard, *http.Request) {
	g := &attemptGuard{}
	ctx, cancel := context.WithCancelCause(req.Context())
	g.cancel = cancel
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn:      g.gotConn,
		WroteHeaders: func() { g.wrote.Store(true) },
		WroteRequest: func(httptrace.WroteRequestInfo) { g.wrote.Store(true) },
	})
	r := req.WithContext(ctx) // a shallow copy; req itself is not changed
	if len(body) > 0 {
		// A bytes.Reader read once stays empty; net/http knows it for an
		// in-memory body and sends headers and body in one write.
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	} else {
		r.Close = true
	}
	r.GetBody = nil
	return g, r
}

func (g *attemptGuard) gotConn(httptrace.GotConnInfo) {
	if g.conns.Add(1) > 1 && g.wrote.Load() {
		g.replay.Store(true)
		g.cancel(errReplayRefused)
	}
}

// finish ends the attempt (its context is released) and says what to make
// of its error.
func (g *attemptGuard) finish(err error) error {
	g.cancel(nil)
	if err == nil || !g.replay.Load() || errors.Is(err, errReplayRefused) || unprocessed(err) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return errReplayRefused // our own cancellation stopped the replay
	}
	return &replayError{err: err}
}

// replayError is the error that made the transport try a replay.
type replayError struct{ err error }

func (e *replayError) Error() string {
	return errReplayRefused.Error() + "; it failed with: " + e.err.Error()
}

func (e *replayError) Unwrap() []error { return []error{errReplayRefused, e.err} }

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
