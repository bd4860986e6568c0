package fake

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
)

// Proxy is a forward proxy on loopback that only tunnels (CONNECT), as the
// HTTPS_PROXY a merchant's egress goes through does: TLS, and HTTP/2 inside
// it, run end to end between the client and the fake. It tunnels only to
// loopback IP addresses and answers 502 for any other target, unresolved.
type Proxy struct {
	l       net.Listener
	tunnels atomic.Int32
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	closed  bool
	targets []string
}

// NewProxy starts a CONNECT proxy; Close it when done.
func NewProxy() (*Proxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{l: l, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// URL is the proxy's address, for http.ProxyURL or HTTPS_PROXY.
func (p *Proxy) URL() *url.URL { return &url.URL{Scheme: "http", Host: p.l.Addr().String()} }

// Tunnels returns how many tunnels the proxy opened.
func (p *Proxy) Tunnels() int { return int(p.tunnels.Load()) }

// Connects returns the targets of the CONNECT requests received, in order,
// including the ones that could not be reached.
func (p *Proxy) Connects() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.targets...)
}

// Close stops the proxy and cuts its tunnels.
func (p *Proxy) Close() {
	_ = p.l.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) track(c net.Conn, add bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !add {
		delete(p.conns, c)
		return true
	}
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.tunnel(c)
	}
}

func (p *Proxy) tunnel(c net.Conn) {
	defer p.wg.Done()
	defer c.Close()
	if !p.track(c, true) {
		return
	}
	defer p.track(c, false)
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil || req.Method != http.MethodConnect {
		_, _ = io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	}
	p.mu.Lock()
	p.targets = append(p.targets, req.Host)
	p.mu.Unlock()
	// Tests stay offline: only loopback addresses are dialled.
	host, _, err := net.SplitHostPort(req.Host)
	if ip := net.ParseIP(host); err == nil && (ip == nil || !ip.IsLoopback()) {
		err = errors.New("not a loopback address")
	}
	var up net.Conn
	if err == nil {
		up, err = net.Dial("tcp", req.Host)
	}
	if err != nil {
		_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	}
	if !p.track(up, true) {
		_ = up.Close()
		return
	}
	defer p.track(up, false)
	defer up.Close()
	p.tunnels.Add(1)
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(up, br)
		_ = up.Close()
		close(done)
	}()
	_, _ = io.Copy(c, up)
	_ = c.Close()
	<-done
}
