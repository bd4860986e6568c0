// Command flexiti runs Flexiti's purchase flow as a merchant backend would:
// a flow session, widget init, the widget's success (played by the fake),
// authorization, capture and a partial return. One JSON object per step.
//
//	go run ./examples/flexiti                     # against the built-in fake
//	FLEXITI_CLIENT_ID=… FLEXITI_CLIENT_SECRET=… \
//	  go run ./examples/flexiti -base-url https://posapi-mi.flexiti.fi/flexiti/pos-api
//
// With -base-url the program prints the widget URL to open and goes on with
// the server-side steps that need no shopper.
package main

import (
	"os"

	"github.com/paywidget/paywidget-go/examples/internal/flexitiflow"
	"github.com/paywidget/paywidget-go/examples/internal/steps"
)

func main() {
	os.Exit(steps.Main("flexiti", flexitiflow.Run, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
