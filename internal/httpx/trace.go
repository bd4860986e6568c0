package httpx

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Tracer sees the start and the end of every SDK call of a client that has
// one (WithTracer), in the style of pgx's QueryTracer: one span per call
// (Purchase, RetrieveCheckout, a token fetch…), not one per HTTP attempt.
//
// TraceCallStart is called before the call does anything, validation
// included; the context it returns is the one the call continues with, so
// that a call made inside it (a token fetch inside a payment, the look-up
// and the send of a <Call>Once) starts from it and its span nests. It must
// not return nil. TraceCallEnd is called once when the call returns, with the
// context TraceCallStart returned. Both are called in the caller's goroutine,
// except for a token fetch shared by many callers, which runs in its own.
// A Tracer must be safe for concurrent use.
//
// The data never holds a secret: no key, token, signature, card number or
// body; Err is the error the call returned, whose text is safe by the SDK's
// rules.
type Tracer interface {
	TraceCallStart(ctx context.Context, data TraceCallStartData) context.Context
	TraceCallEnd(ctx context.Context, data TraceCallEndData)
}

// TraceCallStartData describes a call as it starts.
type TraceCallStartData struct {
	// Provider is the provider package's name ("iotpay").
	Provider string
	// Operation is the method called, "<package>.<Method>" ("iotpay.Purchase",
	// "flexiti.Flow.Authorize"), or "<package>.token" for an access-token
	// fetch (Finrota, Flexiti).
	Operation string
	// Reference is the merchant's reference the call is about (an order
	// number, a refund number, a conversation id), when it has one.
	Reference string
}

// TraceCallEndData describes a call as it returns.
type TraceCallEndData struct {
	// Provider, Operation and Reference repeat the start's.
	Provider  string
	Operation string
	Reference string
	// Attempts counts the HTTP requests the call itself sent, retries
	// included: 0 when it failed validation, 1 for one request answered at
	// once. Requests of calls nested in it (a token fetch, the look-up of a
	// <Call>Once) are counted in their own spans.
	Attempts int
	// StatusCode is the HTTP status of the last reply the call itself
	// received; 0 when none arrived.
	StatusCode int
	// RequestID is the provider's request id of that reply, when it sent one.
	RequestID string
	// Duration is the time from TraceCallStart to the end of the call.
	Duration time.Duration
	// Class says how the call failed; empty when Err is nil.
	Class ErrorClass
	// Err is the error the call returned, nil on success.
	Err error
}

// ErrorClass is the kind of failure of a traced call, for span status and
// metrics. Its values are the Class… constants.
type ErrorClass string

// Classes of failure, from the most to the least specific: an error is
// given the first class that fits.
const (
	// ClassValidation: the request broke a rule (ErrInvalidRequest) and
	// nothing was sent.
	ClassValidation ErrorClass = "validation"
	// ClassOutcomeUnknown: a money call may or may not have been processed
	// (ErrOutcomeUnknown): query before doing anything else.
	ClassOutcomeUnknown ErrorClass = "outcome_unknown"
	// ClassCanceled: the caller's context was cancelled or its deadline
	// passed before the call could finish, with nothing left in doubt.
	ClassCanceled ErrorClass = "canceled"
	// ClassTransport: a failure below HTTP (DNS, dial, TLS, reset) of a call
	// whose outcome is not in doubt: a read, or a request that never left.
	ClassTransport ErrorClass = "transport"
	// ClassMalformed: a reply could not be decoded or was too large.
	ClassMalformed ErrorClass = "malformed"
	// ClassRefused: the provider answered with an error: its API error, an
	// HTTP error status (401, 429 and 5xx of reads included), a decline.
	ClassRefused ErrorClass = "refused"
	// ClassOther: any other failure: a repeatable call's reference in
	// progress or used with other parameters (ErrInProgress,
	// ErrReferenceConflict, ErrAwaitingNotification, ErrAlreadyDone), a
	// claims store error, a nil context.
	ClassOther ErrorClass = "other"
)

// WithTracer reports the start and the end of every call of the client to t
// (see Tracer). A nil t disables tracing, the default; without a tracer the
// calls pay nothing for the hook.
func WithTracer(t Tracer) Option {
	return func(s *Settings) error { s.Tracer = t; return nil }
}

// Span is one traced call. The zero of *Span, nil, is what Trace returns
// without a tracer: every method is then a no-op.
type Span struct {
	tracer Tracer
	parent *Span
	ctx    context.Context // what TraceCallStart returned
	start  time.Time

	mu        sync.Mutex
	data      TraceCallEndData
	childErr  error // the error of the last nested call that failed
	childKind ErrorClass
}

type spanKey struct{}

// Trace starts the span of one SDK call named op ("iotpay.Purchase") about
// the merchant's reference ref (may be empty), when the client has a
// tracer. Use it first thing in the call, before validation:
//
//	ctx, sp := c.http.Trace(ctx, "iotpay.Purchase", ref)
//	defer sp.End(&err)
//
// Without a tracer it returns ctx and a nil *Span and allocates nothing.
func (c *Client) Trace(ctx context.Context, op, ref string) (context.Context, *Span) {
	if c.tracer == nil || ctx == nil {
		return ctx, nil
	}
	sp := &Span{tracer: c.tracer, start: time.Now()}
	sp.data.Provider, sp.data.Operation, sp.data.Reference = c.provider, op, ref
	sp.parent, _ = ctx.Value(spanKey{}).(*Span)
	tctx := c.tracer.TraceCallStart(ctx, TraceCallStartData{Provider: c.provider, Operation: op, Reference: ref})
	if tctx == nil {
		tctx = ctx
	}
	sp.ctx = tctx
	return context.WithValue(tctx, spanKey{}, sp), sp
}

// End reports the end of the call to the tracer with the error *errp
// (errp may be nil for a call that cannot fail). It is a no-op on a nil
// *Span.
func (s *Span) End(errp *error) {
	if s == nil {
		return
	}
	var err error
	if errp != nil {
		err = *errp
	}
	s.mu.Lock()
	d := s.data
	d.Duration = time.Since(s.start)
	d.Err = err
	if err != nil {
		d.Class = classify(err, d.StatusCode != 0, s.childErr, s.childKind)
	}
	s.mu.Unlock()
	if p := s.parent; p != nil && err != nil {
		p.mu.Lock()
		p.childErr, p.childKind = err, d.Class
		p.mu.Unlock()
	}
	s.tracer.TraceCallEnd(s.ctx, d)
}

// record adds one HTTP exchange of the call to its span: attempts made, and
// the reply when one arrived.
func (s *Span) record(attempts int, r *Response) {
	s.mu.Lock()
	s.data.Attempts += attempts
	if r != nil {
		s.data.StatusCode = r.StatusCode
		s.data.RequestID = r.RequestID
	}
	s.mu.Unlock()
}

// spanOf returns the span of the call ctx belongs to, when the client traces.
func (c *Client) spanOf(ctx context.Context) *Span {
	if c.tracer == nil {
		return nil
	}
	sp, _ := ctx.Value(spanKey{}).(*Span)
	return sp
}

// classify gives err its ErrorClass. replied says whether the call itself
// received a reply; childErr and childKind are the last failed nested call's
// error and class, which a composite call (one that only makes other calls)
// returns as it is.
func classify(err error, replied bool, childErr error, childKind ErrorClass) ErrorClass {
	var te *TransportError
	switch {
	case errors.Is(err, ErrInvalidRequest):
		return ClassValidation
	case errors.Is(err, ErrOutcomeUnknown):
		return ClassOutcomeUnknown
	case childErr != nil && errors.Is(err, childErr):
		return childKind
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return ClassCanceled
	case errors.As(err, &te):
		return ClassTransport
	case errors.Is(err, ErrMalformedResponse), errors.Is(err, ErrResponseTooLarge):
		return ClassMalformed
	case replied, errors.As(err, new(*StatusError)):
		return ClassRefused
	}
	return ClassOther
}
