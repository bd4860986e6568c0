package fake

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// HTTP/2 frame-level faults. They strike after the whole request was read.
// On a connection that negotiated HTTP/1.1 there are no streams to reset:
// the kinds that process the request hang up like DropAfter, the others
// like DropBefore.
const (
	// ResetProtocol processes the request, then resets its stream with
	// RST_STREAM(PROTOCOL_ERROR): the reset Go's HTTP/2 client answers by
	// sending the request again unless it is stopped.
	ResetProtocol Kind = iota + 100
	// ResetInternal processes the request, then resets its stream with
	// RST_STREAM(INTERNAL_ERROR).
	ResetInternal
	// GoAwayAfter processes the request, then sends GOAWAY naming the
	// stream as received (last-stream-id = the stream, or a later stream the
	// client opened meanwhile, which the server may have processed too) and
	// closes the connection without answering. A stream the client opens
	// while the GOAWAY is on its way never reaches the server, as RFC 9113
	// §6.8 has a server ignore streams above its last-stream-id.
	GoAwayAfter
	// RefusedStream resets the stream with RST_STREAM(REFUSED_STREAM)
	// without processing the request: HTTP/2's promise that nothing was done.
	RefusedStream
	// GoAwayBefore sends GOAWAY with a last-stream-id below the stream
	// without processing the request: the other promise that nothing was
	// done.
	GoAwayBefore
)

// h2 frame types and error codes (RFC 9113 §6, §7).
const (
	frameHeaders   = 0x1
	frameRSTStream = 0x3
	frameGoAway    = 0x7

	codeNo            = 0x0
	codeProtocol      = 0x1
	codeInternal      = 0x2
	codeRefusedStream = 0x7
)

// h2Action is what the frame relay does when the HTTP/2 server resets a
// stream because a fault aborted its handler.
type h2Action int

const (
	actPass h2Action = iota // forward the server's RST_STREAM(INTERNAL_ERROR)
	actReset
	actGoAwayAfter
	actGoAwayBefore
	actDrop // close the TCP connection with a reset, no TLS close_notify
)

type h2Fault struct {
	act  h2Action
	code uint32
}

var (
	certOnce sync.Once
	certTLS  tls.Certificate
	certPool *x509.CertPool
	certErr  error
)

// loadCert makes, once per process, the self-signed certificate every TLS
// fake presents (127.0.0.1, ::1 and localhost).
func loadCert() {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		certErr = err
		return
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "paywidget fake"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		certErr = err
		return
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		certErr = err
		return
	}
	certTLS = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	certPool = x509.NewCertPool()
	certPool.AddCert(leaf)
}

// cert is the certificate every TLS fake presents, made on first use.
func cert() (tls.Certificate, error) {
	certOnce.Do(loadCert)
	if certErr != nil {
		return tls.Certificate{}, fmt.Errorf("fake: cannot make a TLS certificate: %w", certErr)
	}
	return certTLS, nil
}

// CertPEM returns, PEM-encoded, the certificate every TLS fake of this
// process presents, for a client in another process or language to trust.
func CertPEM() ([]byte, error) {
	c, err := cert()
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}), nil
}

// CertPool returns a pool holding the certificate every TLS fake of this
// process presents, so that a client can trust a fake before it starts.
func CertPool() (*x509.CertPool, error) {
	if _, err := cert(); err != nil {
		return nil, err
	}
	return certPool, nil
}

// ClientTLSConfig returns a TLS configuration that trusts every TLS fake.
func ClientTLSConfig() (*tls.Config, error) {
	pool, err := CertPool()
	if err != nil {
		return nil, err
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// NewTLS is New serving HTTPS: TLS 1.2 or newer with ALPN offering h2 and
// http/1.1. Client() trusts it and negotiates HTTP/2.
func NewTLS(h http.Handler) (*Server, error) {
	s := &Server{handler: h, faults: map[string][]Fault{}}
	if err := s.startTLS(nil); err != nil {
		return nil, err
	}
	return s, nil
}

// Listen is New (or NewTLS when https is set) on a listener of its own at
// addr (host:port; port 0 picks a free one), for a program that serves the
// fake to others at a known address.
func Listen(h http.Handler, addr string, https bool) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{handler: h, faults: map[string][]Fault{}}
	if https {
		if err := s.startTLS(l); err != nil {
			_ = l.Close()
			return nil, err
		}
		return s, nil
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	_ = ts.Listener.Close()
	ts.Listener = l
	ts.Start()
	s.Server = ts
	return s, nil
}

// StartTLS moves a Server started by New to HTTPS with HTTP/2 offered: a
// new listener replaces the plain one (which is closed), so URL becomes an
// https URL and Client() a client that trusts the fake's certificate and
// negotiates HTTP/2. Recorded requests and queued faults are kept. Call it
// before handing URL to anyone.
func (s *Server) StartTLS() error {
	if s.mem != nil {
		return errors.New("fake: StartTLS on a server in memory, which has no listener")
	}
	old := s.Server
	if err := s.startTLS(nil); err != nil {
		return err
	}
	if old != nil {
		old.Close()
	}
	return nil
}

// startTLS serves s over HTTPS on l, or on a fresh loopback port when l is
// nil.
func (s *Server) startTLS(l net.Listener) error {
	crt, err := cert()
	if err != nil {
		return err
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	if l != nil {
		_ = ts.Listener.Close()
		ts.Listener = l
	}
	ts.EnableHTTP2 = true
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{crt}, NextProtos: []string{"h2", "http/1.1"}, MinVersion: tls.VersionTLS12}
	// HTTP/2 connections are handed to a frame relay in front of an h2c
	// server running the same handler, so that faults can replace the
	// frames the server sends.
	s.backend = newPipeListener()
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	s.h2srv = &http.Server{
		// Handlers see the client's TLS state, as they would without the relay.
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if st, ok := r.Context().Value(tlsStateKey{}).(*tls.ConnectionState); ok {
				r.TLS = st
			}
			s.serve(w, r)
		}),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if pc, ok := c.(*pipeConn); ok {
				ctx = context.WithValue(ctx, h2SlotKey{}, pc.slot)
				return context.WithValue(ctx, tlsStateKey{}, pc.state)
			}
			return ctx
		},
		Protocols:         &p,
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = s.h2srv.Serve(s.backend) }()
	ts.Config.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){
		"h2": func(_ *http.Server, c *tls.Conn, _ http.Handler) { s.relay(c) },
	}
	ts.StartTLS()
	s.Server = ts
	return nil
}

// closeRelays stops the h2c server and cuts the HTTP/2 relays, so that the
// TLS listener's Close does not wait for them.
func (s *Server) closeRelays() {
	if s.h2srv == nil {
		return
	}
	s.backend.Close()
	s.mu.Lock()
	for c := range s.relays {
		_ = c.Close()
	}
	s.mu.Unlock()
	_ = s.h2srv.Close()
}

// h2Fail aborts the handler of HTTP/2 request r and tells the relay of r's
// connection what to send instead of the server's RST_STREAM(INTERNAL_ERROR)
// for it.
//
// The relay cannot tell which stream a handler served, only the order of
// the resets on its connection; so a connection has one slot, and a second
// faulted handler on it waits until the relay has played the first one's
// reset. (A queue shared by every connection once played one request's
// REFUSED_STREAM on another connection's processed stream, and the client
// re-sent that one.)
func (s *Server) h2Fail(r *http.Request, f h2Fault) {
	if slot, ok := r.Context().Value(h2SlotKey{}).(*h2Slot); ok {
		slot.put(r.Context(), f)
	}
	panic(http.ErrAbortHandler)
}

// h2SlotKey carries a relayed connection's h2Slot in its requests' context.
type h2SlotKey struct{}

// h2Slot is the one fault action pending on a relayed connection.
type h2Slot struct {
	sem chan struct{} // holds a token while an action is pending
	mu  sync.Mutex
	f   h2Fault
	set bool
}

func newH2Slot() *h2Slot { return &h2Slot{sem: make(chan struct{}, 1)} }

// put waits until the slot is free (or ctx ends) and fills it.
func (h *h2Slot) put(ctx context.Context, f h2Fault) {
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	h.mu.Lock()
	h.f, h.set = f, true
	h.mu.Unlock()
}

// take empties the slot, freeing it for the next faulted handler.
func (h *h2Slot) take() (h2Fault, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.set {
		return h2Fault{}, false
	}
	f := h.f
	h.f, h.set = h2Fault{}, false
	<-h.sem
	return f, true
}

// relay carries one client HTTP/2 connection to the h2c server: the
// client's bytes verbatim, the server's frame by frame, replacing the
// RST_STREAM of an aborted handler by the scripted fault.
func (s *Server) relay(c *tls.Conn) {
	a, b := net.Pipe()
	s.mu.Lock()
	if s.relays == nil {
		s.relays = map[net.Conn]struct{}{}
	}
	s.relays[a] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.relays, a)
		s.mu.Unlock()
		_ = a.Close()
		_ = c.Close()
	}()
	st := c.ConnectionState()
	slot := newH2Slot()
	defer slot.take() // frees a handler waiting on a connection that ended
	if !s.backend.push(&pipeConn{Conn: b, state: &st, slot: slot}) {
		return
	}
	// The client's frames go to the server as they come; the gate notes
	// the highest stream the client opened, because a GOAWAY must not
	// claim a stream unprocessed that the server may have processed, and
	// once a GOAWAY is decided it keeps later streams from the server.
	gate := &h2Gate{}
	go func() {
		_ = copyFrames(a, c, gate)
		_ = a.Close()
	}()
	r := bufio.NewReader(a)
	var hdr [9]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return
		}
		n := int(hdr[0])<<16 | int(hdr[1])<<8 | int(hdr[2])
		frame := make([]byte, 9+n)
		copy(frame, hdr[:])
		if _, err := io.ReadFull(r, frame[9:]); err != nil {
			return
		}
		stream := binary.BigEndian.Uint32(hdr[5:]) & 0x7fffffff
		if hdr[3] == frameRSTStream && n == 4 && binary.BigEndian.Uint32(frame[9:]) == codeInternal {
			if f, ok := slot.take(); ok {
				switch f.act {
				case actReset:
					binary.BigEndian.PutUint32(frame[9:], f.code)
				case actGoAwayAfter:
					// Every stream the client opened may have been
					// processed by now (the server runs them
					// concurrently): name the highest as received, so
					// that none of them is retried as unprocessed.
					_, _ = c.Write(goAway(gate.awayAfter(stream)))
					return
				case actGoAwayBefore:
					last, ok := gate.awayBefore(stream)
					if !ok {
						// Refusing this stream alone is true.
						binary.BigEndian.PutUint32(frame[9:], codeRefusedStream)
						break
					}
					frame = goAway(last)
				case actDrop:
					if tc, ok := c.NetConn().(*net.TCPConn); ok {
						_ = tc.SetLinger(0)
					}
					_ = c.NetConn().Close()
					return
				}
			}
		}
		if _, err := c.Write(frame); err != nil {
			return
		}
	}
}

// h2Gate stands between a client's frames and the server. It knows the
// highest stream the client opened and, once a GOAWAY is decided, its
// last-stream-id: the frames of streams above it are not passed on, as a
// server ignores them after its GOAWAY (RFC 9113 §6.8). Deciding the GOAWAY
// and passing a frame on are one step each under the lock, so a stream
// opened while the GOAWAY is being sent is either named by it or never
// reaches the server — never retried by the client as unprocessed after
// the server processed it.
type h2Gate struct {
	mu     sync.Mutex
	opened uint32 // highest stream a HEADERS frame opened
	last   uint32 // the GOAWAY's last-stream-id, when gone
	gone   bool
}

// awayAfter decides a GOAWAY after stream was processed: its
// last-stream-id names stream and every stream opened so far, so that none
// the server may process is claimed unprocessed.
func (g *h2Gate) awayAfter(stream uint32) uint32 {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.last, g.gone = max(stream, g.opened), true
	return g.last
}

// awayBefore decides a GOAWAY whose last-stream-id is just below stream,
// which the server did not process; ok is false, and nothing decided, when
// a later stream is open, which the server may process: no last-stream-id
// would then be true of both.
func (g *h2Gate) awayBefore(stream uint32) (last uint32, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.opened > stream {
		return 0, false
	}
	if stream > 2 {
		last = stream - 2
	}
	g.last, g.gone = last, true
	return last, true
}

// pass reports whether a client frame of stream goes on to the server,
// noting a stream a HEADERS frame opens.
func (g *h2Gate) pass(stream uint32, headers bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gone && stream > g.last {
		return false
	}
	if headers && stream > g.opened {
		g.opened = stream
	}
	return true
}

// copyFrames copies the client's side of an HTTP/2 connection (the
// preface, then the frames gate passes) from src to dst.
func copyFrames(dst io.Writer, src io.Reader, gate *h2Gate) error {
	r := bufio.NewReader(src)
	preface := make([]byte, len(http2Preface))
	if _, err := io.ReadFull(r, preface); err != nil {
		return err
	}
	if _, err := dst.Write(preface); err != nil {
		return err
	}
	var hdr [9]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return err
		}
		n := int(hdr[0])<<16 | int(hdr[1])<<8 | int(hdr[2])
		frame := make([]byte, 9+n)
		copy(frame, hdr[:])
		if _, err := io.ReadFull(r, frame[9:]); err != nil {
			return err
		}
		if !gate.pass(binary.BigEndian.Uint32(hdr[5:])&0x7fffffff, hdr[3] == frameHeaders) {
			continue
		}
		if _, err := dst.Write(frame); err != nil {
			return err
		}
	}
}

// http2Preface is what an HTTP/2 client sends before its first frame.
const http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// goAway is a GOAWAY frame with NO_ERROR naming last as the last stream the
// server received.
func goAway(last uint32) []byte {
	f := make([]byte, 9+8)
	f[2] = 8
	f[3] = frameGoAway
	binary.BigEndian.PutUint32(f[9:], last)
	binary.BigEndian.PutUint32(f[13:], codeNo)
	return f
}

type tlsStateKey struct{}

// pipeConn is the h2c server's end of a relayed connection, with the TLS
// state of the client's connection.
type pipeConn struct {
	net.Conn
	state *tls.ConnectionState
	slot  *h2Slot
}

// pipeListener hands relayed connections to the h2c server.
type pipeListener struct {
	ch     chan net.Conn
	done   chan struct{}
	closed sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) push(c net.Conn) bool {
	select {
	case <-l.done:
		_ = c.Close()
		return false
	default:
	}
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		_ = c.Close()
		return false
	}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case <-l.done:
		return nil, net.ErrClosed
	default:
	}
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.closed.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "fake-h2" }
