// Package fakeserver is the fakes command (examples/fakes): the five fake
// providers served on loopback with a JSON admin API beside them, and the
// trigger that makes a fake send its provider's notification. It is a
// package so that the example shop's tests can run it in-process.
package fakeserver

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
)

// Run is the fakes command (examples/fakes): serve the five fakes until ctx
// ends, or, with "trigger" first in args, the trigger subcommand. It
// returns the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "trigger" {
		return trigger(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("fakes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: fakes [flags]          serve the five fake providers until interrupted
       fakes trigger [flags]  send a provider notification for an order (fakes trigger -h)

Serves Finrota, Flexiti, KTPay, IOTPay and OderoPay fakes on loopback and an admin
API beside them, and prints each one's base URL, credentials, test cards and Config.

Admin API (JSON, on the admin address):
  GET  /                         the fakes, their URLs and these routes
  POST /{provider}/next-payment  {"outcome":"declined"}
  POST /{provider}/faults        {"method":"POST","path":"/v3/cc_purchase","kind":"status","status":502,"count":1}
                                 kinds: status drop-before drop-after truncate malformed hang ("delay":"5s")
  GET  /{provider}/requests      what the fake received
  POST /{provider}/reset         forget requests and queued faults
  POST /{provider}/trigger       {"order":"…","outcome":"paid","to":"http://…","times":1,"concurrent":false}
  GET  /ca.pem                   the certificate the fakes present with -tls, to trust
providers: finrota flexiti ktwidget iotpay odero

Flags:
`)
		fs.PrintDefaults()
	}
	host := fs.String("host", "127.0.0.1", "interface to listen on (loopback by default; the fakes are for local use)")
	port := fs.Int("port", 0, "admin API port; the fakes take the next five (port+1 … port+5). 0: free ports")
	useTLS := fs.Bool("tls", false, "serve the fakes over HTTPS with HTTP/2 (a self-signed certificate; printed clients must trust it)")
	asJSON := fs.Bool("json", false, "print the listing as one JSON object instead of text")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fakes: unexpected argument %q (see fakes -h)\n", fs.Arg(0))
		return 2
	}
	addr := func(i int) string {
		if *port == 0 {
			return net.JoinHostPort(*host, "0")
		}
		return net.JoinHostPort(*host, strconv.Itoa(*port+i))
	}

	var fakes []*running
	defer func() {
		for _, f := range fakes {
			f.srv.Close()
		}
	}()
	for i, s := range specs {
		r, err := s.start(addr(i+1), *useTLS)
		if err != nil {
			fmt.Fprintf(stderr, "fakes: start %s: %v\n", s.Display, err)
			return 1
		}
		r.spec = s
		fakes = append(fakes, r)
	}
	l, err := net.Listen("tcp", addr(0))
	if err != nil {
		fmt.Fprintf(stderr, "fakes: admin API: %v\n", err)
		return 1
	}
	adminURL := "http://" + l.Addr().String()
	a := &admin{fakes: fakes, url: adminURL}
	hs := &http.Server{Handler: a.routes(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(l) }()

	listing := a.listing()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(listing)
	} else {
		printListing(stdout, listing, *useTLS)
	}

	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintf(stderr, "fakes: admin API stopped: %v\n", err)
		return 1
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(shut)
	fmt.Fprintln(stdout, "fakes: stopped")
	return 0
}

// Listing is what the command prints: the admin API and every fake.
type Listing struct {
	Admin     string     `json:"admin"`
	Providers []Provider `json:"providers"`
}

// Provider is one fake as printed.
type Provider struct {
	Name        string            `json:"name"`
	Display     string            `json:"display"`
	BaseURL     string            `json:"baseURL"`
	Credentials map[string]string `json:"credentials"`
	Cards       map[string]string `json:"cards"`
	Outcomes    []string          `json:"outcomes,omitempty"`
	Config      string            `json:"config"`
}

func (a *admin) listing() Listing {
	out := Listing{Admin: a.url}
	for _, f := range a.fakes {
		p := Provider{Name: f.spec.Name, Display: f.spec.Display, BaseURL: f.base,
			Credentials: map[string]string{}, Cards: map[string]string{}, Outcomes: f.spec.Outcomes}
		var args []any
		for _, c := range f.spec.Credentials {
			p.Credentials[c[0]] = c[1]
			if !strings.HasPrefix(c[1], "(") {
				args = append(args, c[1])
			}
		}
		if kt, ok := f.srv.(*ktwidgettest.Server); ok {
			p.Credentials["PublicKey"] = kt.PublicKey()
			args = append(args, kt.PublicKey())
		}
		for _, c := range f.spec.Cards {
			p.Cards[c[0]] = c[1]
		}
		args = append(args, f.base)
		p.Config = fmt.Sprintf(f.spec.Config, args...)
		out.Providers = append(out.Providers, p)
	}
	return out
}

func printListing(w io.Writer, l Listing, useTLS bool) {
	fmt.Fprintf(w, "paywidget-go fakes — five providers on loopback; Ctrl-C stops them.\n\n")
	fmt.Fprintf(w, "admin API  %s   (GET / lists the routes)\n", l.Admin)
	if useTLS {
		fmt.Fprintf(w, "TLS        HTTPS with HTTP/2; trust the fakes' certificate: %s/ca.pem\n", l.Admin)
	}
	for i, p := range l.Providers {
		f := specs[i]
		fmt.Fprintf(w, "\n%s (%s)\n", p.Display, p.Name)
		fmt.Fprintf(w, "  base URL     %s\n", p.BaseURL)
		for _, c := range f.Credentials {
			fmt.Fprintf(w, "  %-12s %s\n", c[0], p.Credentials[c[0]])
		}
		for _, c := range f.Cards {
			fmt.Fprintf(w, "  card         %s: %s\n", c[0], c[1])
		}
		if len(p.Outcomes) > 0 {
			fmt.Fprintf(w, "  next-payment %s\n", strings.Join(p.Outcomes, " | "))
		}
		fmt.Fprintf(w, "  Config       %s\n", p.Config)
	}
	fmt.Fprintln(w)
}
