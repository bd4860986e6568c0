package main

import (
	"log/slog"

	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// build wires every provider, to a real sandbox when its environment
// variables are set and to the built-in fake otherwise. The returned func
// stops the fakes.
func build(getenv func(string) string, log *slog.Logger) (*app, func(), error) {
	var closers []func()
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}

	var oc *odero.Client
	var err error
	if base := getenv("ODERO_BASE_URL"); base != "" {
		oc, err = odero.New(odero.Config{APIKey: odero.Secret(getenv("ODERO_API_KEY")), SecretKey: odero.Secret(getenv("ODERO_SECRET_KEY"))},
			odero.WithBaseURL(base), odero.WithLogger(log))
	} else {
		gw := oderotest.Start()
		closers = append(closers, gw.Close)
		oc, err = gw.NewClient(odero.WithLogger(log))
	}
	if err != nil {
		closeAll()
		return nil, nil, err
	}

	return newApp(log, newOderoCheckout(oc)), closeAll, nil
}
