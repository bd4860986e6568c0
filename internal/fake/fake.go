// Package fake is the machinery the five provider fakes share: a loopback
// server that records every request it receives and plays scripted faults at
// any point of the exchange. Each <provider>test package builds its wire
// format on top; merchants never import this package directly.
package fake

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// MaxBody bounds what a fake reads of one request.
const MaxBody = 1 << 20

// Request is one request as the fake received it.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     httpx.RawBody // prints as its size only
	At       time.Time
	// Proto is the protocol the request came in ("HTTP/1.1", "HTTP/2.0").
	Proto string
	// Processed is whether the provider acted on the request: false while
	// it is being handled and for a request a fault answered or dropped
	// before the provider saw it (Status, DropBefore, RefusedStream,
	// GoAwayBefore).
	Processed bool
	// Status and Reply are the provider's answer to a Processed request
	// (Reply at most 64 KiB), whether or not a fault kept it from the
	// client: a test tells a charge from a refusal by them.
	Status int
	Reply  httpx.RawBody // prints as its size only
}

// Kind says where in the exchange a fault strikes.
type Kind int

const (
	// Status answers with Fault.Status, Header and Body without processing
	// the request (a 5xx from a proxy, a 429).
	Status Kind = iota + 1
	// DropBefore closes the connection without processing the request.
	DropBefore
	// DropAfter processes the request (the payment is created) and then
	// closes the connection without answering.
	DropAfter
	// Truncate processes the request and sends only half of the reply, with
	// a Content-Length promising all of it.
	Truncate
	// Malformed processes the request and answers 200 with Fault.Body, or
	// with broken JSON when Body is empty.
	Malformed
	// Hang processes the request and holds the reply for Fault.Delay or
	// until the client goes away: a response timeout.
	Hang
)

// Fault is one scripted misbehaviour.
type Fault struct {
	Kind   Kind
	Status int
	Header http.Header
	Body   httpx.RawBody // prints as its size only
	Delay  time.Duration
}

// Server is a loopback HTTP server with a request log and a fault script.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	requests []Request
	gen      int                // counts Resets, so a request recorded before one is not marked after
	faults   map[string][]Fault // "METHOD /path" → queue
	handler  http.Handler
	mem      *memory // set when the server lives in memory (NewMemory)

	// HTTPS (see tls.go): the h2c server behind the frame relays, the
	// relayed connections, and the frame faults waiting for their stream.
	backend *pipeListener
	h2srv   *http.Server
	relays  map[net.Conn]struct{}
}

// New starts a Server that hands requests to h after recording them and
// playing any scripted fault.
func New(h http.Handler) *Server {
	s := &Server{handler: h, faults: map[string][]Fault{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Requests returns a copy of the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests for method and path were received.
func (s *Server) Count(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// Fail queues faults for the next requests to method and path, one fault per
// request. Path "*" matches every path of that method.
func (s *Server) Fail(method, path string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := method + " " + path
	s.faults[k] = append(s.faults[k], faults...)
}

// Reset forgets recorded requests and pending faults.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.gen++
	s.faults = map[string][]Fault{}
}

func (s *Server) take(method, path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range []string{method + " " + path, method + " *"} {
		if q := s.faults[k]; len(q) > 0 {
			s.faults[k] = q[1:]
			return q[0], true
		}
	}
	return Fault{}, false
}

func (s *Server) record(r *http.Request, body []byte) (mark func(status int, reply []byte)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body, At: time.Now(), Proto: r.Proto,
	})
	i, gen := len(s.requests)-1, s.gen
	return func(status int, reply []byte) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.gen == gen && i < len(s.requests) {
			q := &s.requests[i]
			q.Processed, q.Status = true, status
			q.Reply = append([]byte(nil), reply[:min(len(reply), maxReply)]...)
		}
	}
}

// maxReply bounds the copy of a reply a Request keeps.
const maxReply = 64 << 10

// answerTap passes a reply through and keeps its status and first bytes.
type answerTap struct {
	http.ResponseWriter
	status int
	reply  []byte
}

func (a *answerTap) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
	}
	a.ResponseWriter.WriteHeader(code)
}

func (a *answerTap) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	if room := maxReply - len(a.reply); room > 0 {
		a.reply = append(a.reply, b[:min(len(b), room)]...)
	}
	return a.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flush,
// hijack) through the tap.
func (a *answerTap) Unwrap() http.ResponseWriter { return a.ResponseWriter }

// handle hands r to the provider and marks it processed.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, mark func(int, []byte)) {
	tap := &answerTap{ResponseWriter: w}
	s.handler.ServeHTTP(tap, r)
	if tap.status == 0 {
		tap.status = http.StatusOK
	}
	mark(tap.status, tap.reply)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil || len(body) > MaxBody {
		http.Error(w, "request body unreadable or too large", http.StatusRequestEntityTooLarge)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	mark := s.record(r, body)

	f, ok := s.take(r.Method, r.URL.Path)
	if !ok {
		s.handle(w, r, mark)
		return
	}
	switch f.Kind {
	case Status:
		for k, vs := range f.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(f.Status)
		_, _ = w.Write(f.Body)
		return
	case DropBefore:
		s.hangUp(w, r)
		return
	case RefusedStream, GoAwayBefore:
		if r.ProtoMajor != 2 {
			s.hangUp(w, r)
			return
		}
		act := h2Fault{act: actReset, code: codeRefusedStream}
		if f.Kind == GoAwayBefore {
			act = h2Fault{act: actGoAwayBefore}
		}
		s.h2Fail(r, act)
	}

	// The remaining kinds let the provider process the request first.
	rec := httptest.NewRecorder()
	s.handle(rec, r, mark)
	switch f.Kind {
	case DropAfter:
		s.hangUp(w, r)
	case ResetProtocol, ResetInternal, GoAwayAfter:
		if r.ProtoMajor != 2 {
			s.hangUp(w, r)
			return
		}
		act := map[Kind]h2Fault{
			ResetProtocol: {act: actReset, code: codeProtocol},
			ResetInternal: {act: actPass},
			GoAwayAfter:   {act: actGoAwayAfter},
		}[f.Kind]
		s.h2Fail(r, act)
	case Truncate:
		if r.ProtoMajor == 2 {
			// Headers promising the whole body, half of it, then a reset.
			for k, vs := range rec.Header() {
				w.Header()[k] = vs
			}
			body := rec.Body.Bytes()
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body[:len(body)/2])
			_ = http.NewResponseController(w).Flush()
			s.h2Fail(r, h2Fault{act: actPass})
		}
		writeTruncated(w, rec)
	case Malformed:
		b := f.Body
		if len(b) == 0 {
			b = []byte(`{"broken": [`)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	case Hang:
		d := f.Delay
		if d <= 0 {
			d = time.Minute
		}
		select {
		case <-r.Context().Done():
		case <-time.After(d):
			copyRecorded(w, rec)
		}
	default:
		copyRecorded(w, rec)
	}
}

func copyRecorded(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// hangUp closes the client connection without writing a response; over
// HTTP/2 the relay resets the TCP connection.
func (s *Server) hangUp(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor == 2 {
		s.h2Fail(r, h2Fault{act: actDrop})
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // a reset, not a polite close
	}
	_ = conn.Close()
}

// writeTruncated sends the recorded status and headers with the full
// Content-Length but only half the body, then closes the connection.
func writeTruncated(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	writeHead(buf, rec)
	body := rec.Body.Bytes()
	_, _ = buf.Write(body[:len(body)/2])
	_ = buf.Flush()
}

func writeHead(buf *bufio.ReadWriter, rec *httptest.ResponseRecorder) {
	body := rec.Body.Bytes()
	_, _ = buf.WriteString("HTTP/1.1 " + strconv.Itoa(rec.Code) + " " + http.StatusText(rec.Code) + "\r\n")
	h := rec.Header().Clone()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_ = h.Write(buf)
	_, _ = buf.WriteString("\r\n")
}
