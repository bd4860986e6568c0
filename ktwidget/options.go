package ktwidget

// This file is the client's configuration surface. Every option is defined
// once in the SDK's shared transport; the functions here give it its
// signature and its documentation in this package.

import (
	"log/slog"
	"net/http"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/secret"
)

// Option configures a Client. Pass any number to New; they are applied in
// order, so a later option overrides an earlier one, and New returns the
// first option's error. The options are WithHTTPClient, WithLogger,
// WithRetry, WithoutRetries, WithUserAgent, WithBaseURL and
// WithMaxResponseBytes.
type Option = httpx.Option

// WithHTTPClient sends every request through a copy of hc: its Transport,
// Timeout and Jar are used, hc itself is never modified, and redirects are
// not followed. Without this option the client has its own transport (TLS 1.2
// or newer, proxies from the environment, a 60 s timeout). A nil hc makes New
// fail.
func WithHTTPClient(hc *http.Client) Option { return httpx.WithHTTPClient(hc) }

// WithLogger logs one debug record per HTTP attempt through l: provider,
// method, host, path, status, attempt number and duration. Headers, query
// strings, bodies and credentials are never logged. A nil l disables logging
// (the default).
func WithLogger(l *slog.Logger) Option { return httpx.WithLogger(l) }

// WithRetry replaces the retry policy (default: MaxRetries 2, MinWait 0.5 s,
// MaxWait 5 s). Reads and token fetches are retried on transport failures,
// 408, 429 and 5xx; a call that moves money is retried only when its request
// provably never left (a DNS or dial failure), whatever the policy, and
// otherwise fails with ErrOutcomeUnknown. New fails when MaxRetries < 0 or
// not 0 <= MinWait <= MaxWait.
func WithRetry(p RetryPolicy) Option { return httpx.WithRetry(p) }

// WithoutRetries makes every call a single attempt (MaxRetries 0).
func WithoutRetries() Option { return httpx.WithoutRetries() }

// WithUserAgent appends product tokens such as "acme-shop/2.1" to the
// SDK's User-Agent ("paywidget-go/<version> ktwidget acme-shop/2.1"). New fails
// for a value holding a line break.
func WithUserAgent(ua string) Option { return httpx.WithUserAgent(ua) }

// WithBaseURL sends the API requests to base instead of the Environment's
// host, for example to ktwidgettest's fake or an egress proxy. base must be an
// absolute http or https URL without a query or fragment; a trailing slash is
// removed. With it, Config.Environment may be left empty.
func WithBaseURL(base string) Option { return httpx.WithBaseURL(base) }

// WithMaxResponseBytes bounds how many bytes of a reply are read (default 1
// MiB); a longer reply fails with ErrResponseTooLarge. New fails for n <= 0.
func WithMaxResponseBytes(n int64) Option { return httpx.WithMaxResponseBytes(n) }

// RetryPolicy bounds the retries of calls that may be retried; see WithRetry.
// Its fields:
//
//	MaxRetries int           // retries after the first attempt (default 2)
//	MinWait    time.Duration // shortest wait between attempts (default 0.5 s)
//	MaxWait    time.Duration // longest wait (default 5 s); also caps a server's Retry-After
//
// The wait grows exponentially with jitter between MinWait and MaxWait.
type RetryPolicy = httpx.RetryPolicy

// Meta is the HTTP metadata of a reply. Its fields:
//
//	StatusCode int           // the HTTP status of the last attempt
//	Attempts   int           // how many attempts the call took
//	Duration   time.Duration // from the first attempt to the end of the reply
//	RequestID  string        // KTPay's request id header, when it sent one
type Meta = httpx.Meta

// Secret holds a credential. Build one with a conversion, Secret("…"). It
// never prints its value: String, GoString, Format (every fmt verb),
// LogValue (slog) and MarshalText (JSON, XML) all give "[REDACTED]".
// Reveal returns the value (the SDK calls it only to sign or send), IsZero
// reports an empty secret, and Equal(v string) compares with v in constant
// time.
type Secret = secret.Secret

// CloseIdleConnections closes the keep-alive connections the client holds
// idle, as http.Client.CloseIdleConnections does: for tests and graceful
// shutdown. Calls in flight are not affected and later calls dial anew. With
// WithHTTPClient it closes the idle connections of that client's transport.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// ValidationError is the error for a request (or Config) that breaks a rule
// and was therefore not sent. When a request breaks several rules, the error
// New or a call returns joins one *ValidationError per rule (errors.As finds
// the first; the message lists each on its own line) and
// errors.Is(err, ErrInvalidRequest) holds. Its fields:
//
//	Provider string // "ktwidget"
//	Field    string // the Go field, with its path ("Items[1].Price")
//	Wire     string // the field's name on the wire ("items[1].price"), when it has one
//	Rule     string // what the value broke; "required" when it is missing
//
// Error gives "ktwidget: Field (Wire): Rule", without "(Wire)" when Wire is Field
// with a lower-case first letter; Unwrap returns ErrInvalidRequest.
type ValidationError = httpx.ValidationError

// TransportError is a failure below HTTP: DNS, dial, TLS, a reset, a
// timeout, or a reply cut short. Its message names the method, host and path,
// never the query, headers or body. Its fields:
//
//	Provider       string
//	Method         string
//	Host           string
//	Path           string
//	Attempts       int   // attempts made
//	Sent           bool  // false only when no attempt reached a connection
//	OutcomeUnknown bool  // a money call that may have been processed
//	Err            error // the cause
//
// Unwrap returns Err and, when OutcomeUnknown is set, ErrOutcomeUnknown; Error
// gives the message.
type TransportError = httpx.TransportError

// DecodeError is a reply (or notification) that could not be decoded; it
// matches ErrMalformedResponse. Its message names the Go type expected and
// the decoder's complaint, never the body. Its fields:
//
//	Provider string
//	Into     string // the Go type being decoded
//	Err      error  // the decoder's complaint
//
// Unwrap returns ErrMalformedResponse and Err; Error gives the message.
type DecodeError = httpx.DecodeError
