// Command finrota runs Finrota's hybrid widget flow as a merchant backend
// would: access token, widget token, payment options, the widget's prepare
// step (played here), the payment completed by the backend, the 3-D Secure
// return, and a server-side look-up before the order counts as paid. One
// JSON object per step on stdout.
//
//	go run ./examples/finrota                     # against the built-in fake
//	FINROTA_API_KEY=… FINROTA_SECRET_KEY=… \
//	  go run ./examples/finrota -base-url https://pgw.netahsilatdemo.com
//
// With -base-url the program stops where the shopper's widget takes over
// and says what to do.
package main

import (
	"os"

	"github.com/paywidget/paywidget-go/examples/internal/finrotaflow"
	"github.com/paywidget/paywidget-go/examples/internal/steps"
)

func main() {
	os.Exit(steps.Main("finrota", finrotaflow.Run, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
