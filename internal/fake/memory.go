package fake

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/jarcoal/httpmock"
)

// memory is the state of a Server that serves in memory instead of on a
// loopback listener.
type memory struct {
	client *http.Client
}

// ErrDropped is what an in-memory exchange returns where a loopback
// connection would be closed or reset (DropBefore, DropAfter): like a reset
// after the request was written, it does not prove the request never left.
var ErrDropped = errors.New("fake: connection closed without a response")

// NewMemory returns a Server that does not listen: it serves baseURL in
// memory through RoundTrip (or through an httpmock transport it is mounted
// on), with the same request log and fault script as a loopback Server.
// Its URL is baseURL; Close releases nothing and may be called any time.
func NewMemory(h http.Handler, baseURL string) *Server {
	s := &Server{handler: h, faults: map[string][]Fault{}, mem: &memory{}}
	s.Server = &httptest.Server{URL: baseURL} // never started; only URL is used
	s.mem.client = &http.Client{Transport: s}
	return s
}

// Client returns an *http.Client that reaches the server: the loopback
// server's own client, or in memory a client over the transport the server
// is mounted on (Mount), or over the server itself.
func (s *Server) Client() *http.Client {
	if s.mem != nil {
		return s.mem.client
	}
	return s.Server.Client()
}

// Close stops a loopback server (its HTTP/2 relays included) and waits for
// the requests in flight; an in-memory one has nothing to stop.
func (s *Server) Close() {
	if s.mem == nil {
		s.closeRelays()
		s.Server.Close()
	}
}

// InMemory reports whether the server lives in memory (NewMemory).
func (s *Server) InMemory() bool { return s.mem != nil }

// mountMethods are the methods registered on an httpmock transport.
var mountMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions}

// Mount registers the server on mock as the responder for every path and
// method of each base URL's scheme and host (the server's own URL when none
// is given). An in-memory server's Client then goes through mock too, so
// requests it makes to other hosts (notifications to the merchant) reach
// whatever else is registered there.
func (s *Server) Mount(mock *httpmock.MockTransport, baseURLs ...string) error {
	if len(baseURLs) == 0 {
		baseURLs = []string{s.URL}
	}
	rxs := make([]*regexp.Regexp, 0, len(baseURLs))
	for _, b := range baseURLs {
		u, err := url.Parse(b)
		if err != nil || u.Host == "" {
			return errors.New("fake: Mount needs absolute base URLs, got " + strconv.Quote(b))
		}
		rxs = append(rxs, regexp.MustCompile(`^`+regexp.QuoteMeta(u.Scheme+"://"+u.Host)+`([/?#]|$)`))
	}
	for _, rx := range rxs {
		for _, m := range mountMethods {
			mock.RegisterRegexpResponder(m, rx, s.RoundTrip)
		}
	}
	if s.mem != nil {
		s.mem.client = &http.Client{Transport: mock}
	}
	return nil
}

// Responder runs h in memory for each request: an httpmock responder for a
// merchant's own handler (a notification or callback URL), so a flow in
// which the provider or the shopper's browser calls the merchant back also
// stays in memory.
func Responder(h http.Handler) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		r, _, err := serverRequest(req)
		if err != nil {
			return nil, err
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return result(rec, req), nil
	}
}

// BaseURL is scheme://host of the server as the request reached it, for the
// absolute URLs a fake hands out (hosted pages, 3-D pages): https when the
// request came over TLS (or in memory for an https URL), http otherwise.
func BaseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// RoundTrip serves req in memory: it records the request, plays the next
// scripted fault and hands the request to the handler, as the loopback
// server does. Where a loopback connection would be dropped it returns
// ErrDropped; a truncated body fails with io.ErrUnexpectedEOF; a hang waits
// for the fault's delay or the request's context.
func (s *Server) RoundTrip(req *http.Request) (*http.Response, error) {
	r, body, err := serverRequest(req)
	if err != nil {
		return nil, err
	}
	if len(body) > MaxBody {
		return result(statusRecorder(http.StatusRequestEntityTooLarge, nil, []byte("request body unreadable or too large\n")), req), nil
	}
	mark := s.record(r, body)
	f, ok := s.take(r.Method, r.URL.Path)
	if ok {
		switch f.Kind {
		case Status:
			return result(statusRecorder(f.Status, f.Header, f.Body), req), nil
		case DropBefore, RefusedStream, GoAwayBefore: // HTTP/2 faults hang up as on HTTP/1.1
			return nil, ErrDropped
		}
	}
	rec := httptest.NewRecorder()
	s.handle(rec, r, mark)
	if !ok {
		return result(rec, req), nil
	}
	switch f.Kind {
	case DropAfter, ResetProtocol, ResetInternal, GoAwayAfter:
		return nil, ErrDropped
	case Truncate:
		resp := result(rec, req)
		full := rec.Body.Bytes()
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(full[:len(full)/2]), errReader{io.ErrUnexpectedEOF}))
		return resp, nil
	case Malformed:
		b := f.Body
		if len(b) == 0 {
			b = []byte(`{"broken": [`)
		}
		return result(statusRecorder(http.StatusOK, http.Header{"Content-Type": {"application/json"}}, b), req), nil
	case Hang:
		d := f.Delay
		if d <= 0 {
			d = time.Minute
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-t.C:
		}
	}
	return result(rec, req), nil
}

// serverRequest turns a client's request into the request a handler would
// see from a server: its body read (bounded), a server-side URL, Host,
// RequestURI, RemoteAddr, and TLS for an https URL.
func serverRequest(req *http.Request) (*http.Request, []byte, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(io.LimitReader(req.Body, MaxBody+1))
		_ = req.Body.Close()
		if err != nil {
			return nil, nil, err
		}
		body = b
	}
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	if r.Host == "" {
		r.Host = req.URL.Host
	}
	r.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	r.RequestURI = req.URL.RequestURI()
	r.RemoteAddr = "192.0.2.1:49152"
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	if req.URL.Scheme == "https" {
		r.TLS = &tls.ConnectionState{HandshakeComplete: true, ServerName: req.URL.Hostname()}
	}
	return r, body, nil
}

func statusRecorder(status int, h http.Header, body []byte) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	for k, vs := range h {
		rec.Header()[k] = vs
	}
	rec.WriteHeader(status)
	_, _ = rec.Write(body)
	return rec
}

// result is the recorded reply as a client's response to req.
func result(rec *httptest.ResponseRecorder, req *http.Request) *http.Response {
	resp := rec.Result()
	resp.Request = req
	resp.ContentLength = int64(rec.Body.Len())
	resp.Header.Set("Content-Length", strconv.Itoa(rec.Body.Len()))
	if req.Method == http.MethodHead {
		resp.Body = http.NoBody
	}
	return resp
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// Origin is scheme://host of base (a provider's environment URL, which may
// carry a path), the URL an in-memory server (NewMemory) is mounted at.
func Origin(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return base
	}
	return u.Scheme + "://" + u.Host
}
