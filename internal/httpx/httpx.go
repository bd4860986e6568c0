// Package httpx is the one road every provider request travels: build the
// request once, let the provider sign exactly the bytes that are sent, send it
// through go-retryablehttp under a per-call retry class, read a bounded reply,
// and turn failures into typed errors.
//
// The retry classes are the heart of the package. A money-moving call is
// declared RetryIfNotSent: it is retried only when the request provably never
// left this machine (DNS or dial failure) or an HTTP/2 server promised it did
// not process it (REFUSED_STREAM, GOAWAY below the stream). Any later failure
// returns an error matching ErrOutcomeUnknown, because the provider may have
// taken the money. Nothing below httpx may send it again either: neither
// HTTP/2's own retry nor HTTP/1.1's keep-alive replay (see noreplay.go).
package httpx

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Version is the SDK version sent in the User-Agent.
const Version = "0.1.0"

// RetryClass says what may be retried for one call. Every endpoint declares
// one; see the package comment.
type RetryClass int

const (
	// RetryDefault retries GET and HEAD like RetrySafe and never retries
	// anything else.
	RetryDefault RetryClass = iota
	// RetrySafe is for reads, queries and token exchanges: retried on
	// transport failures, 408, 429 and 5xx (not 501).
	RetrySafe
	// RetryIfNotSent is for payments, purchases, refunds and every other call
	// that moves money or creates something: retried only on a DNS or dial
	// failure or an HTTP/2 refusal that proves the request unprocessed, and
	// never resent by the transport. After the request may have been sent,
	// failures match ErrOutcomeUnknown.
	RetryIfNotSent
	// RetryNever makes exactly one attempt.
	RetryNever
)

func (c RetryClass) resolve(method string) RetryClass {
	if c != RetryDefault {
		return c
	}
	if method == http.MethodGet || method == http.MethodHead {
		return RetrySafe
	}
	return RetryNever
}

// Config describes one provider's use of the road.
type Config struct {
	// Provider names the provider in errors, logs and the User-Agent.
	Provider string
	// BaseURL is the provider host (no trailing slash needed). Settings.BaseURL,
	// when set, overrides it.
	BaseURL string
	// FollowRedirects lets the HTTP client follow redirects. Signed APIs leave
	// it false: a redirect is returned as the response.
	FollowRedirects bool
	// DecodeError turns a reply into the provider's typed error, or returns nil
	// when the reply is a success. It sees every reply, 2xx included, so
	// providers that answer errors with HTTP 200 can claim them. When nil,
	// every non-2xx status becomes a *StatusError; so does a non-2xx reply
	// it returns nil for (a bare status without the provider's envelope).
	DecodeError func(*Response) error
	// RequestIDHeader names the provider's request-id header (default
	// "X-Request-Id").
	RequestIDHeader string
}

// Client sends requests for one provider. It is safe for concurrent use.
type Client struct {
	provider   string
	baseURL    string
	userAgent  string
	maxBody    int64
	decodeErr  func(*Response) error
	requestID  string
	httpClient *http.Client
	timeout    time.Duration // the HTTP client's Timeout, applied per attempt
	header     http.Header   // User-Agent and Accept, cloned into each request
	lastCT     atomic.Pointer[[]string]
	retry      *retryablehttp.Client
	logger     *slog.Logger
	tracer     Tracer // nil: no span is looked for
}

// New builds a Client from the provider's Config and the merchant's Settings.
func New(cfg Config, s Settings) (*Client, error) {
	baseURL := cfg.BaseURL
	if s.BaseURL != "" {
		baseURL = s.BaseURL
	}
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, errors.New(cfg.Provider + ": base URL must be an absolute http(s) URL")
	}
	if s.MaxResponseBytes <= 0 {
		s.MaxResponseBytes = DefaultMaxResponseBytes
	}
	c := &Client{
		provider:  cfg.Provider,
		baseURL:   strings.TrimRight(baseURL, "/"),
		userAgent: "paywidget-go/" + Version + " " + cfg.Provider,
		maxBody:   s.MaxResponseBytes,
		decodeErr: cfg.DecodeError,
		requestID: cfg.RequestIDHeader,
		logger:    s.Logger,
		tracer:    s.Tracer,
	}
	if s.UserAgent != "" {
		c.userAgent += " " + s.UserAgent
	}
	if c.requestID == "" {
		c.requestID = "X-Request-Id"
	}
	c.header = http.Header{"User-Agent": {c.userAgent}, "Accept": {"application/json"}}

	var hc http.Client
	var base http.RoundTripper
	if s.HTTPClient != nil {
		hc = *s.HTTPClient // a copy: the caller's client is never mutated
		base = hc.Transport
		if base == nil {
			base = http.DefaultTransport
		}
	} else {
		hc.Timeout = DefaultTimeout
		base = defaultTransport()
	}
	// The client's Timeout bounds each attempt as a deadline on the
	// attempt's context (attemptTransport), not inside http.Client: for a
	// transport it does not know, such as attemptTransport, http.Client
	// arms a timer and a goroutine per request to enforce it.
	c.timeout, hc.Timeout = hc.Timeout, 0
	hc.Transport = &attemptTransport{base: base, c: c}
	if !cfg.FollowRedirects {
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	c.httpClient = &hc

	p := s.Retry
	c.retry = &retryablehttp.Client{
		HTTPClient:   c.httpClient,
		Logger:       nil, // retryablehttp's own stderr logger is never active
		RetryWaitMin: p.MinWait,
		RetryWaitMax: p.MaxWait,
		RetryMax:     p.MaxRetries,
		CheckRetry:   checkRetry,
		Backoff:      backoff,
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) {
			return resp, err // keep the last response so its body reaches the typed error
		},
		PrepareRetry: prepareRetry,
	}
	return c, nil
}

// BaseURL returns the host requests go to, without a trailing slash.
func (c *Client) BaseURL() string { return c.baseURL }

// CloseIdleConnections closes the keep-alive connections the client's
// transport holds idle, as http.Client.CloseIdleConnections does; calls in
// flight are not affected and later calls dial anew. With WithHTTPClient it
// closes the idle connections of that client's transport, as
// hc.CloseIdleConnections would.
func (c *Client) CloseIdleConnections() { c.httpClient.CloseIdleConnections() }

// Provider returns the provider name given in Config.
func (c *Client) Provider() string { return c.provider }

func defaultTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = http.ProxyFromEnvironment
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	t.MaxIdleConnsPerHost = 16
	return t
}

// Request is one call to a provider.
type Request struct {
	Method string
	// Path is appended to the base URL; it must start with "/".
	Path string
	// Query is encoded with %20 for spaces (never '+') and keys sorted.
	Query url.Values
	// Body is sent exactly as given, on every attempt.
	Body []byte
	// ContentType is sent when Body is not nil (default application/json).
	ContentType string
	// Header is added to every attempt.
	Header http.Header
	// Retry is the call's retry class.
	Retry RetryClass
	// Bearer, when set, is sent as "Authorization: Bearer <Bearer>".
	Bearer string
	// Sign, when set, runs before every attempt with the request about to be
	// sent (its final URL included) and the exact body bytes. It sets auth
	// and signature headers; a random nonce is drawn afresh each time.
	Sign func(req *http.Request, body []byte) error
	// Unknown is what the merchant should do when this call's outcome is
	// unknown ("look the checkout up by conversationId before retrying"):
	// the advice of ErrOutcomeUnknown errors of this call. Empty selects
	// the provider's (see OutcomeSentinel).
	Unknown string
}

// Response is a reply and what it took to get it.
type Response struct {
	// Method and Path are the request's (never its query string): errors
	// built from the reply name them.
	Method     string
	Path       string
	StatusCode int
	Header     http.Header
	// Body is the whole reply, at most the configured bound.
	Body []byte
	// Attempts counts the requests made, retries included.
	Attempts int
	// Duration is the time from the first attempt to the end of the body.
	Duration time.Duration
	// RequestID is the provider's request id header, if it sent one.
	RequestID string
}

// RetryAfter is the reply's Retry-After hint (seconds or an HTTP date, at
// most 24 hours), and whether it had a usable one.
func (r *Response) RetryAfter() (time.Duration, bool) { return parseRetryAfter(r.Header, time.Now()) }

// Meta returns the metadata of the reply without its body.
func (r *Response) Meta() Meta {
	return Meta{StatusCode: r.StatusCode, Attempts: r.Attempts, Duration: r.Duration, RequestID: r.RequestID}
}

// Meta is what a provider may return beside a result: the HTTP status, how
// many attempts were made, how long they took and the provider's request id.
type Meta struct {
	StatusCode int
	Attempts   int
	Duration   time.Duration
	RequestID  string
}

type stateKey struct{}

// callState travels in the request context so that CheckRetry, PrepareRetry
// and the transport see the call's class, signer and history.
type callState struct {
	class    RetryClass
	body     []byte
	sign     func(*http.Request, []byte) error
	attempts atomic.Int32
	sent     atomic.Bool // an attempt may have reached the provider
	// reply is the body of the last attempt, read by the transport (which
	// runs in the caller's goroutine, so Do reads it after the loop).
	reply []byte
}

// EncodeQuery encodes q sorted by key with spaces as %20.
func EncodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}

// URL returns the absolute URL a request for path and query goes to.
func (c *Client) URL(path string, q url.Values) string {
	u := c.baseURL + path
	if len(q) > 0 {
		u += "?" + EncodeQuery(q)
	}
	return u
}

// Do sends r and returns the reply. Provider errors decoded by DecodeError,
// non-2xx statuses, transport failures and oversized replies come back as
// typed errors; the Response is returned beside an error whenever a reply
// arrived.
func (c *Client) Do(ctx context.Context, r *Request) (out *Response, _ error) {
	if ctx == nil {
		return nil, errors.New(c.provider + ": nil context")
	}
	if !strings.HasPrefix(r.Path, "/") {
		return nil, Invalid(c.provider, "path", "must start with /")
	}
	st := &callState{class: r.Retry.resolve(r.Method), body: r.Body, sign: r.Sign}
	ctx = context.WithValue(ctx, stateKey{}, st)

	// The body is given to retryablehttp as none: httpx sets each
	// attempt's body itself (here, and afresh in prepareRetry), so a money
	// call has no GetBody that anything below httpx could rewind its body
	// with (no transport replay, no redirect resend; see noreplay.go), and
	// no call pays for retryablehttp's body closures.
	req, err := retryablehttp.NewRequestWithContext(ctx, r.Method, c.URL(r.Path, r.Query), nil)
	if err != nil {
		return nil, Invalid(c.provider, "request", "cannot be built")
	}
	if r.Body != nil {
		req.Request.Body = newBody(r.Body)
		req.Request.ContentLength = int64(len(r.Body))
		if st.class != RetryIfNotSent {
			// A read may be resent: after a 307 or 308, or by the transport.
			b := r.Body
			req.Request.GetBody = func() (io.ReadCloser, error) { return newBody(b), nil }
		}
	}
	// One map for the client's and the call's headers. Value slices are
	// shared, never appended to: the signer replaces values with Set, and
	// a retry re-signs a clone (prepareRetry).
	h := make(http.Header, len(c.header)+len(r.Header)+1)
	for k, vs := range c.header {
		h[k] = vs
	}
	if r.Body != nil {
		h["Content-Type"] = c.contentType(r.ContentType)
	}
	for k, vs := range r.Header {
		if k = http.CanonicalHeaderKey(k); k == "User-Agent" {
			continue
		}
		h[k] = vs
	}
	if r.Bearer != "" {
		h["Authorization"] = []string{"Bearer " + r.Bearer}
	}
	req.Header = h
	if st.sign != nil {
		if err := st.sign(req.Request, r.Body); err != nil {
			return nil, err
		}
	}

	start := time.Now()
	resp, err := c.retry.Do(req)
	attempts := int(st.attempts.Load())
	if sp := c.spanOf(ctx); sp != nil {
		defer func() { sp.record(attempts, out) }()
	}
	if err != nil {
		if resp != nil {
			drainClose(resp.Body)
		}
		return nil, c.transportError(req.Request, r, st, attempts, err)
	}

	out = &Response{
		Method:     r.Method,
		Path:       req.URL.Path, // the whole path sent (base path included), never the query
		StatusCode: resp.StatusCode,
		Header:     resp.Header,
		Attempts:   attempts,
		RequestID:  resp.Header.Get(c.requestID),
	}
	if st.reply != nil {
		out.Body = st.reply
		_ = resp.Body.Close() // already read by the transport
	} else {
		out.Body, err = c.readBody(resp.Body)
	}
	out.Duration = time.Since(start)
	if err != nil {
		return out, c.transportError(req.Request, r, st, attempts, err)
	}

	var derr error
	if c.decodeErr != nil {
		derr = c.decodeErr(out)
	}
	if derr == nil && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		derr = c.StatusError(out)
	}
	if derr != nil && st.class == RetryIfNotSent && ambiguousStatus(resp.StatusCode) {
		derr = &outcomeUnknownError{provider: c.provider, method: r.Method, path: r.Path, advice: r.Unknown, sentinel: sentinelFor(c.provider), err: derr}
	}
	return out, derr
}

// StatusError builds the default typed error for a non-2xx reply, keeping at
// most 4 KiB of its body.
func (c *Client) StatusError(r *Response) *StatusError {
	b := r.Body
	if len(b) > 4096 {
		b = b[:4096]
	}
	e := &StatusError{Provider: c.provider, Method: r.Method, Path: r.Path, HTTPStatus: r.StatusCode, RequestID: r.RequestID, Body: RawBody(bytes.Clone(b))}
	if d, ok := parseRetryAfter(r.Header, time.Now()); ok {
		e.RetryAfter = d
	}
	return e
}

func ambiguousStatus(code int) bool {
	return code == http.StatusRequestTimeout || code >= 500
}

// buffer reads resp's body, at most maxBody bytes, into memory.
// With a Content-Length it reads exactly that many bytes into one buffer,
// and refuses a declared length over the bound without reading it.
func (c *Client) buffer(resp *http.Response) (*http.Response, error) {
	defer resp.Body.Close()
	var b []byte
	var err error
	switch n := resp.ContentLength; {
	case n > c.maxBody:
		return nil, ErrResponseTooLarge
	case n >= 0:
		b = make([]byte, n)
		_, err = io.ReadFull(resp.Body, b)
	default:
		b, err = io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
		if err == nil && int64(len(b)) > c.maxBody {
			return nil, ErrResponseTooLarge
		}
	}
	if err != nil {
		return nil, err
	}
	bb := &bufferedBody{b: b}
	bb.Reset(b)
	resp.Body = bb
	resp.ContentLength = int64(len(b))
	return resp, nil
}

// bufferedBody is a reply already read into memory by the transport.
type bufferedBody struct {
	bytes.Reader
	b []byte
}

func (*bufferedBody) Close() error { return nil }

func (c *Client) readBody(rc io.ReadCloser) ([]byte, error) {
	if bb, ok := rc.(*bufferedBody); ok {
		return bb.b, nil
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, c.maxBody+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > c.maxBody {
		return nil, ErrResponseTooLarge
	}
	return b, nil
}

func (c *Client) transportError(req *http.Request, r *Request, st *callState, attempts int, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // url.Error's message carries the query string
	}
	sent := st.sent.Load()
	return &TransportError{
		Provider:       c.provider,
		Method:         req.Method,
		Host:           req.URL.Host,
		Path:           req.URL.Path,
		Attempts:       attempts,
		Sent:           sent,
		OutcomeUnknown: sent && st.class == RetryIfNotSent,
		Advice:         r.Unknown,
		Err:            err,
	}
}

// drainClose reads a little of a body so the connection can be reused, then
// closes it.
func drainClose(rc io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, 64<<10))
	_ = rc.Close()
}

// notSent reports whether err proves the request never left or was never
// processed: the name could not be resolved, no connection could be made,
// or an HTTP/2 server refused the stream (unsentError).
func notSent(err error) bool {
	var unsent *unsentError
	if errors.As(err, &unsent) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	// A failed dial of a proxy comes wrapped in a "proxyconnect" OpError.
	return dialFailed(err)
}

func dialFailed(err error) bool {
	switch e := err.(type) {
	case nil:
		return false
	case *net.OpError:
		if e.Op == "dial" {
			return true
		}
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			if dialFailed(inner) {
				return true
			}
		}
		return false
	}
	return dialFailed(errors.Unwrap(err))
}

func stateOf(ctx context.Context) *callState {
	st, _ := ctx.Value(stateKey{}).(*callState)
	if st == nil {
		st = &callState{class: RetryNever}
	}
	return st
}

// checkRetry is retryablehttp's CheckRetry: it decides by the call's class.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	st := stateOf(ctx)
	if err != nil {
		switch st.class {
		case RetryIfNotSent:
			return notSent(err) && !st.sent.Load(), nil
		case RetrySafe:
			return retryableTransportError(err), nil
		}
		return false, nil
	}
	if st.class != RetrySafe {
		return false, nil
	}
	switch code := resp.StatusCode; {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests:
		return true, nil
	case code >= 500 && code != http.StatusNotImplemented:
		return true, nil
	}
	return false, nil
}

func retryableTransportError(err error) bool {
	if errors.Is(err, ErrResponseTooLarge) {
		return false
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return false
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		msg := uerr.Err.Error()
		if strings.Contains(msg, "unsupported protocol scheme") || strings.Contains(msg, "stopped after") {
			return false
		}
	}
	return true
}

// backoff is jittered exponential backoff between min and max; a Retry-After
// from a 429 or 503 is honoured but never beyond max.
func backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := parseRetryAfter(resp.Header, time.Now()); ok {
			return min(d, hi)
		}
	}
	if hi <= 0 {
		return 0
	}
	d := lo
	for i := 0; i < attempt && d < hi; i++ {
		d *= 2
	}
	if d > hi || d <= 0 {
		d = hi
	}
	// "equal jitter": half fixed, half random, so waits never collapse to zero.
	half := d / 2
	return half + rand.N(half+1)
}

// jsonContentType is the default Content-Type value, shared by every
// request's header map (value slices there are replaced, never changed).
var jsonContentType = []string{"application/json"}

// contentType returns the header value for ct ("" is JSON), shared between
// calls: a provider sends one content type on every call, so the client
// keeps the last one it built.
func (c *Client) contentType(ct string) []string {
	if ct == "" {
		return jsonContentType
	}
	if v := c.lastCT.Load(); v != nil && (*v)[0] == ct {
		return *v
	}
	v := []string{ct}
	c.lastCT.Store(&v)
	return v
}

// newBody is a request body reading b once. net/http recognises it as in
// memory (an io.NopCloser over a *bytes.Reader) and writes it with the
// headers.
func newBody(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

// prepareRetry gives the next attempt its body afresh and re-signs it: a
// fresh nonce, the same bytes.
func prepareRetry(req *http.Request) error {
	st := stateOf(req.Context())
	if st.body != nil {
		req.Body = newBody(st.body)
		req.ContentLength = int64(len(st.body))
	}
	if st.sign == nil {
		return nil
	}
	req.Header = req.Header.Clone() // the previous attempt's map may still be read
	return st.sign(req, st.body)
}

// attemptTransport counts attempts, records whether one may have been sent and
// logs each one. It does not implement CloseIdleConnections, so
// retryablehttp's habit of closing every idle connection after a failure
// cannot empty the pool.
type attemptTransport struct {
	base http.RoundTripper
	c    *Client
}

// CloseIdleConnections passes on to the base transport, when it has the
// method, so that http.Client.CloseIdleConnections reaches it.
func (t *attemptTransport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	st := stateOf(req.Context())
	n := st.attempts.Add(1)
	logging := t.c.logger != nil && t.c.logger.Enabled(req.Context(), slog.LevelDebug)
	var begin time.Time
	if logging {
		begin = time.Now()
	}
	money := st.class == RetryIfNotSent
	a, sent, end := start(req, t.c.timeout, money) // see noreplay.go
	resp, err := t.base.RoundTrip(sent)
	switch {
	case a != nil && a.replay.Load():
		// The transport tried to send the request again: whatever it
		// returned, the attempt failed with an outcome unknown.
		if resp != nil {
			drainClose(resp.Body)
			resp = nil
		}
		err = a.refused()
	case err != nil:
		err = t.c.timedOut(req, sent, err)
		if money && unprocessed(err) {
			err = &unsentError{err: err}
		}
	default:
		// Read the body here, inside the retry loop and the attempt's
		// deadline, so that a reply cut short is a failed attempt (retried
		// for safe calls, outcome unknown for money calls) rather than a
		// failure after the loop.
		resp, err = t.c.buffer(resp)
		if err == nil {
			st.reply = resp.Body.(*bufferedBody).b
		} else {
			err = t.c.timedOut(req, sent, err)
		}
	}
	end()
	if err == nil || !notSent(err) {
		st.sent.Store(true)
	}
	if logging {
		attrs := []slog.Attr{
			slog.String("provider", t.c.provider),
			slog.String("method", req.Method),
			slog.String("host", req.URL.Host),
			slog.String("path", req.URL.Path),
			slog.Int("attempt", int(n)),
			slog.Duration("duration", time.Since(begin)),
		}
		if err != nil {
			attrs = append(attrs, slog.String("failure", failureKind(err)))
		} else {
			attrs = append(attrs, slog.Int("status", resp.StatusCode))
		}
		t.c.logger.LogAttrs(req.Context(), slog.LevelDebug, "paywidget http attempt", attrs...)
	}
	return resp, err
}

// timedOut returns err as a *TimeoutError when the attempt's own deadline
// (the HTTP client's Timeout) ended it, and err itself otherwise.
func (c *Client) timedOut(req, sent *http.Request, err error) error {
	if c.timeout <= 0 || req == sent || req.Context().Err() != nil ||
		!errors.Is(sent.Context().Err(), context.DeadlineExceeded) {
		return err
	}
	return &timeoutError{timeout: c.timeout, err: err}
}

// timeoutError is an attempt ended by the HTTP client's Timeout, which httpx
// applies to each attempt as a context deadline (as net/http does for its
// own transports) instead of leaving it to http.Client.
type timeoutError struct {
	timeout time.Duration
	err     error
}

func (e *timeoutError) Error() string {
	return "no complete reply within the HTTP client's timeout (" + e.timeout.String() + ")"
}

func (e *timeoutError) Unwrap() error { return e.err }

// Timeout reports true, as net.Error's timeouts do.
func (e *timeoutError) Timeout() bool { return true }

// Temporary reports true, as net/http's own client timeout does.
func (e *timeoutError) Temporary() bool { return true }

// failureKind names a transport failure without quoting it: an error's text
// can carry addresses or, from some transports, the URL.
func failureKind(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, new(*unsentError)):
		return "refused"
	case notSent(err):
		return "dial"
	case errors.Is(err, errReplayRefused):
		return "replay refused"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "eof"
	}
	return "transport"
}
