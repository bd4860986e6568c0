// Command ktwidget runs KTPay's widget flow as a merchant backend would:
// seal and create the transaction, open the widget, pay, and receive and
// acknowledge the notification. It prints one JSON object per step.
//
//	go run ./examples/ktwidget                    # against the built-in fake
//	KTWIDGET_APP_ID=… KTWIDGET_APP_KEY=… \
//	  go run ./examples/ktwidget -base-url https://fintech.test.nplus.tech
//
// With -base-url the program cannot pay by itself: it prints the widget URL
// to open. KTWIDGET_WIDGET_URL sets the widget host (default the test
// widget host) and KTWIDGET_NOTIFY_URL a public notification URL.
package main

import (
	"os"

	"github.com/paywidget/paywidget-go/examples/internal/ktwidgetflow"
	"github.com/paywidget/paywidget-go/examples/internal/steps"
)

func main() {
	os.Exit(steps.Main("ktwidget", ktwidgetflow.Run, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
