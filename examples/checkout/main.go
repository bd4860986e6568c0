// Command checkout is a small merchant web shop that takes payment through
// all five widgets, each integrated the way its provider documents it, and
// ends every purchase on an order page that shows the outcome verified by the
// merchant's server.
//
//	go run ./examples/checkout            # against the built-in fake providers
//	go run ./examples/checkout -addr 127.0.0.1:8080
//
// By default every provider is a loopback fake (which also serves a stand-in
// for the provider's widget script), so the whole flow works offline. To use
// a real sandbox for a provider, set its base URL and credentials:
//
//	ODERO_BASE_URL, ODERO_API_KEY, ODERO_SECRET_KEY
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
	"os"
	"os/signal"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := serve(ctx, *addr, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "checkout:", err)
		os.Exit(1)
	}
}

func serve(ctx context.Context, addr string, getenv func(string) string, out io.Writer) error {
	log := slog.New(slog.NewTextHandler(out, nil))
	shop, closeAll, err := build(getenv, log)
	if err != nil {
		return err
	}
	defer closeAll()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: shop.handler(), ReadHeaderTimeout: 5 * time.Second}
	fmt.Fprintf(out, "shop at http://%s/\n", l.Addr())
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
