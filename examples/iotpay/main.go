// Command iotpay runs IOTPay's card flow as a merchant backend would: start
// a purchase (cc_purchase), let the shopper pay on IOTPay's page, receive and
// verify the signed notification, query the order and refund part of it. It
// prints one JSON object per step on stdout.
//
//	go run ./examples/iotpay                      # against the built-in fake
//	IOTPAY_MCH_ID=… IOTPAY_KEY=… IOTPAY_LOGIN_NAME=… \
//	  go run ./examples/iotpay -base-url https://ccdev.iotpaycloud.com
//
// With -base-url the program cannot pay by itself: it prints the page to open
// and goes on with the server-side steps. IOTPAY_NOTIFY_URL sets a public
// notifyUrl; by default a local listener receives it.
package main

import (
	"os"

	"github.com/paywidget/paywidget-go/examples/internal/iotpayflow"
	"github.com/paywidget/paywidget-go/examples/internal/steps"
)

func main() {
	os.Exit(steps.Main("iotpay", iotpayflow.Run, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
