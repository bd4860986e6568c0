// Command fakes serves the SDK's five fake providers — Finrota, Flexiti,
// KTPay, IOTPay and OderoPay — on loopback, for anyone who is not a Go test:
// a front end styling the widget page, a mobile team, a service in another
// language, a QA engineer clicking through a checkout. Each fake speaks its
// provider's wire format as strictly as the provider, keeps state (orders,
// tokens, cards, refunds), serves the shopper's pages and sends the
// provider's notifications.
//
//	go run github.com/paywidget/paywidget-go/examples/fakes            # all five, each on a free port
//	go run github.com/paywidget/paywidget-go/examples/fakes -port 9000 # 9000 admin, 9001… the fakes
//	go run github.com/paywidget/paywidget-go/examples/fakes -tls       # HTTPS with HTTP/2
//
// It prints, for each provider, the base URL, the test credentials, the test
// cards and the Config to paste, and runs until interrupted (Ctrl-C), then
// shuts down cleanly.
//
// # The admin API
//
// A small JSON API on the admin address scripts the fakes over HTTP, as
// NextPayment, Fail, Requests and Reset do in Go:
//
//	GET  /                           the fakes, their URLs and these routes
//	POST /{provider}/next-payment    {"outcome":"declined"}: the next payment's outcome
//	POST /{provider}/faults          {"method":"POST","path":"/v3/cc_purchase","kind":"status","status":502}
//	                                 kind: status, drop-before, drop-after, truncate, malformed, hang
//	                                 (with "delay":"5s"); "count" repeats it (default 1)
//	GET  /{provider}/requests        the requests the fake received (method, path, proto, processed, body)
//	POST /{provider}/reset           forget recorded requests and queued faults
//	POST /{provider}/trigger         send a notification (see the trigger subcommand)
//	GET  /ca.pem                     the certificate the fakes present with -tls, to trust
//
// # Triggering a notification
//
//	go run github.com/paywidget/paywidget-go/examples/fakes trigger -admin http://127.0.0.1:9000 \
//	    -provider iotpay -order ORDER-1 -outcome paid [-to http://localhost:8080/iotpay/notify] [-times 2] [-concurrent]
//
// sends one provider notification for an order the running fake knows, to
// the merchant's URL, exactly as the provider would, and prints what was
// sent and what the merchant answered — and says so plainly when the answer
// is not the acknowledgment the provider expects, and why.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/paywidget/paywidget-go/examples/internal/fakeserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(fakeserver.Run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}
