// Command odero runs OderoPay's hosted-checkout flow as a merchant backend
// would: initialise a checkout, send the shopper to the hosted page, verify
// the callback with a signed query, refund, and read the refund back. It
// prints one JSON object per step on stdout.
//
//	go run ./examples/odero                       # against the built-in fake
//	ODERO_API_KEY=… ODERO_SECRET_KEY=… \
//	  go run ./examples/odero -base-url https://sandbox-api-gateway.oderopay.com.tr
//
// With -base-url the program cannot pay by itself: it prints the hosted page
// URL to open and goes on with the server-side steps. ODERO_CALLBACK_URL sets
// a public callback URL; by default a local listener receives it.
package main

import (
	"os"

	"github.com/paywidget/paywidget-go/examples/internal/oderoflow"
	"github.com/paywidget/paywidget-go/examples/internal/steps"
)

func main() {
	os.Exit(steps.Main("odero", oderoflow.Run, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
