package fakeserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/paywidget/paywidget-go/internal/fake"
)

// admin is the JSON API that scripts the fakes over HTTP.
type admin struct {
	fakes []*running
	url   string
}

func (a *admin) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, map[string]any{"fakes": a.listing(), "routes": []string{
			"POST /{provider}/next-payment", "POST /{provider}/faults", "GET /{provider}/requests",
			"POST /{provider}/reset", "POST /{provider}/trigger", "GET /ca.pem",
		}})
	})
	mux.HandleFunc("GET /ca.pem", func(w http.ResponseWriter, _ *http.Request) {
		pemBytes, err := fake.CertPEM()
		if err != nil {
			fail(w, http.StatusInternalServerError, "%v", err)
			return
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(pemBytes)
	})
	mux.HandleFunc("POST /{provider}/next-payment", a.with(a.nextPayment))
	mux.HandleFunc("POST /{provider}/faults", a.with(a.faults))
	mux.HandleFunc("GET /{provider}/requests", a.with(a.requests))
	mux.HandleFunc("POST /{provider}/reset", a.with(a.reset))
	mux.HandleFunc("POST /{provider}/trigger", a.with(a.trigger))
	return mux
}

// with resolves {provider} and bounds the request body.
func (a *admin) with(h func(http.ResponseWriter, *http.Request, *running)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("provider")
		for _, f := range a.fakes {
			if f.spec.Name == name {
				r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
				h(w, r, f)
				return
			}
		}
		var names []string
		for _, s := range specs {
			names = append(names, s.Name)
		}
		fail(w, http.StatusNotFound, "unknown provider %q: one of %s", name, strings.Join(names, ", "))
	}
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func fail(w http.ResponseWriter, status int, format string, args ...any) {
	reply(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}

// decode reads a JSON body strictly: unknown fields are refused, so that a
// typo does not silently do nothing.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

func (a *admin) nextPayment(w http.ResponseWriter, r *http.Request, f *running) {
	var in struct {
		Outcome string `json:"outcome"`
	}
	if err := decode(r, &in); err != nil {
		fail(w, http.StatusBadRequest, "body: %v", err)
		return
	}
	if f.next == nil {
		fail(w, http.StatusUnprocessableEntity, "%s's fake decides each payment by its test card: pay with the declined card for a decline", f.spec.Display)
		return
	}
	if err := f.next(in.Outcome); err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	reply(w, http.StatusOK, map[string]string{"provider": f.spec.Name, "next": in.Outcome})
}

// faultKinds names the fault kinds of the admin API.
var faultKinds = map[string]fake.Kind{
	"status": fake.Status, "drop-before": fake.DropBefore, "drop-after": fake.DropAfter,
	"truncate": fake.Truncate, "malformed": fake.Malformed, "hang": fake.Hang,
}

func (a *admin) faults(w http.ResponseWriter, r *http.Request, f *running) {
	var in struct {
		Method string            `json:"method"`
		Path   string            `json:"path"`
		Kind   string            `json:"kind"`
		Status int               `json:"status"`
		Header map[string]string `json:"header"`
		Body   string            `json:"body"`
		Delay  string            `json:"delay"`
		Count  int               `json:"count"`
	}
	if err := decode(r, &in); err != nil {
		fail(w, http.StatusBadRequest, "body: %v", err)
		return
	}
	kind, ok := faultKinds[in.Kind]
	switch {
	case !ok:
		fail(w, http.StatusBadRequest, "kind %q: one of status, drop-before, drop-after, truncate, malformed, hang", in.Kind)
		return
	case in.Method == "" || !strings.HasPrefix(in.Path, "/") && in.Path != "*":
		fail(w, http.StatusBadRequest, `method and path are required (path "/…" without the query, or "*")`)
		return
	case kind == fake.Status && (in.Status < 100 || in.Status > 599):
		fail(w, http.StatusBadRequest, "a status fault needs a status between 100 and 599")
		return
	case in.Count < 0 || in.Count > 1000:
		fail(w, http.StatusBadRequest, "count must be between 1 and 1000")
		return
	}
	flt := fake.Fault{Kind: kind, Status: in.Status, Body: []byte(in.Body)}
	if len(in.Header) > 0 {
		flt.Header = http.Header{}
		for k, v := range in.Header {
			flt.Header.Set(k, v)
		}
	}
	if in.Delay != "" {
		d, err := time.ParseDuration(in.Delay)
		if err != nil || d < 0 {
			fail(w, http.StatusBadRequest, "delay %q: a duration such as 5s", in.Delay)
			return
		}
		flt.Delay = d
	}
	n := max(in.Count, 1)
	queued := make([]fake.Fault, n)
	for i := range queued {
		queued[i] = flt
	}
	f.srv.Fail(strings.ToUpper(in.Method), in.Path, queued...)
	reply(w, http.StatusOK, map[string]any{"provider": f.spec.Name, "queued": n, "method": strings.ToUpper(in.Method), "path": in.Path, "kind": in.Kind})
}

// recorded is one request as the admin API lists it.
type recorded struct {
	Method string              `json:"method"`
	Path   string              `json:"path"`
	Query  string              `json:"query,omitempty"`
	Proto  string              `json:"proto"`
	At     time.Time           `json:"at"`
	Header map[string][]string `json:"header"`
	Body   string              `json:"body"`
	// Processed is whether the fake acted on the request (false when a
	// fault answered or dropped it first); Status and Reply are its answer
	// then, even when a fault kept it from the client.
	Processed bool   `json:"processed"`
	Status    int    `json:"status,omitempty"`
	Reply     string `json:"reply,omitempty"`
}

func (a *admin) requests(w http.ResponseWriter, _ *http.Request, f *running) {
	reqs := f.srv.Requests()
	out := make([]recorded, 0, len(reqs))
	for _, q := range reqs {
		out = append(out, recorded{Method: q.Method, Path: q.Path, Query: q.RawQuery, Proto: q.Proto, At: q.At,
			Header: q.Header, Body: string(q.Body), Processed: q.Processed, Status: q.Status, Reply: string(q.Reply)})
	}
	reply(w, http.StatusOK, map[string]any{"provider": f.spec.Name, "requests": out})
}

func (a *admin) reset(w http.ResponseWriter, _ *http.Request, f *running) {
	f.srv.Reset()
	reply(w, http.StatusOK, map[string]string{"provider": f.spec.Name, "reset": "requests and queued faults forgotten; the provider's own state stays"})
}
