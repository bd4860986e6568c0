// Command checkout is a small merchant web shop that takes payment through
// all five widgets, each integrated the way its provider documents it, and
// ends every purchase on an order page that shows the outcome verified by the
// merchant's server.
//
//	go run ./examples/checkout            # against the built-in fake providers
//	go run ./examples/checkout -addr 127.0.0.1:8080
//	go run ./examples/checkout -addr :8080 -base-url https://shop.example
//
// -base-url (or SHOP_BASE_URL) is the shop's public address as shoppers and
// providers reach it, scheme and host only; it defaults to http://<addr>.
// Every provider-facing address (KTPay's notification, Odero's callback,
// IOTPay's notify, Finrota's return) is built from it, never from a
// request's Host header, which the shopper controls; an https base also
// makes the session cookie Secure behind a TLS-terminating proxy.
//
// By default every provider is a loopback fake (which also serves a stand-in
// for the provider's widget script or page), so the whole flow works
// offline. To use a real sandbox for a provider, set its base URL and
// credentials; the provider's real script and pages are then used:
//
//	ODERO_BASE_URL, ODERO_API_KEY, ODERO_SECRET_KEY
//	IOTPAY_BASE_URL, IOTPAY_MCH_ID, IOTPAY_KEY, IOTPAY_LOGIN_NAME
//	KTWIDGET_BASE_URL, KTWIDGET_WIDGET_URL, KTWIDGET_APP_ID, KTWIDGET_APP_KEY, KTWIDGET_CALLBACK_SECRET
//	FINROTA_BASE_URL, FINROTA_API_KEY, FINROTA_SECRET_KEY
//	FLEXITI_BASE_URL, FLEXITI_CLIENT_ID, FLEXITI_CLIENT_SECRET
//
// Every order ends on /orders/{id}, which shows what the merchant's own
// records say, set only by a server-side check: Odero's signed query,
// IOTPay's signed notify or cc_query, KTPay's notification (URL token and
// cross-check), Finrota's payment listing for every attempt (amount,
// currency, reference), Flexiti's authorization confirmed with the
// merchant's scope (captured, amount, financing).
//
// The shop is bounded: sessions only as it issued them (a fresh id when a
// session gains an order; __Host-sid on https), at most five unpaid orders
// per session, unpaid orders expire after an hour, server timeouts against
// slow clients, and no lock held across a provider call.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	base := flag.String("base-url", os.Getenv("SHOP_BASE_URL"), "the shop's public base URL, scheme://host[:port] (default $SHOP_BASE_URL, else http://<addr>)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := serve(ctx, *addr, *base, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "checkout:", err)
		os.Exit(1)
	}
}

func serve(ctx context.Context, addr, base string, getenv func(string) string, out io.Writer) error {
	log := slog.New(slog.NewTextHandler(out, nil))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	defer l.Close()
	if base == "" {
		base = "http://" + l.Addr().String()
	}
	if base, err = publicBase(base); err != nil {
		return err
	}
	shop, closeAll, err := build(getenv, log, base)
	if err != nil {
		return err
	}
	defer closeAll()
	srv := httpServer(shop.handler(), defaultLimits)
	fmt.Fprintf(out, "shop at %s/ (listening on %s)\n", base, l.Addr())
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// limits bound what one connection may hold.
type limits struct {
	readHeader, read, write, idle time.Duration
}

// defaultLimits: a client has 5 s for its headers and 15 s for the whole
// request (slowloris), a response a minute (a provider call is bounded by the
// SDK's own timeout below it), and an idle keep-alive connection is closed
// after a minute. Request bodies are bounded by each handler.
var defaultLimits = limits{readHeader: 5 * time.Second, read: 15 * time.Second, write: time.Minute, idle: time.Minute}

// httpServer is the shop's server with its limits.
func httpServer(h http.Handler, l limits) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: l.readHeader, ReadTimeout: l.read, WriteTimeout: l.write,
		IdleTimeout: l.idle, MaxHeaderBytes: 16 << 10}
}

// publicBase checks the configured base URL: absolute http(s), a host, no
// user info, query or fragment, no path. It returns it without a trailing
// slash.
func publicBase(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", fmt.Errorf("base URL %q: want scheme://host[:port], http or https", s)
	}
	return u.Scheme + "://" + u.Host, nil
}
