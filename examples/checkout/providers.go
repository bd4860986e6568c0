package main

import (
	"log/slog"

	"github.com/paywidget/paywidget-go/finrota"
	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/iotpay"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
	"github.com/paywidget/paywidget-go/ktwidget"
	"github.com/paywidget/paywidget-go/ktwidget/ktwidgettest"
	"github.com/paywidget/paywidget-go/odero"
	"github.com/paywidget/paywidget-go/odero/oderotest"
)

// build wires every provider: to a real sandbox when its environment
// variables are set, to the built-in fake otherwise. base is the shop's
// public base URL from configuration; the providers' callback and notify
// addresses are derived from it here, once. The returned func stops the
// fakes.
//
//	ODERO_BASE_URL, ODERO_API_KEY, ODERO_SECRET_KEY
//	IOTPAY_BASE_URL, IOTPAY_MCH_ID, IOTPAY_KEY, IOTPAY_LOGIN_NAME
//	KTWIDGET_BASE_URL, KTWIDGET_WIDGET_URL, KTWIDGET_APP_ID, KTWIDGET_APP_KEY, KTWIDGET_CALLBACK_SECRET
//	FINROTA_BASE_URL, FINROTA_API_KEY, FINROTA_SECRET_KEY
//	FLEXITI_BASE_URL, FLEXITI_CLIENT_ID, FLEXITI_CLIENT_SECRET
func build(getenv func(string) string, log *slog.Logger, base string) (*app, func(), error) {
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	var fk fakes
	fail := func(err error) (*app, func(), error) {
		closeAll()
		return nil, nil, err
	}

	// One claim store makes every provider notification exactly-once and
	// every repeatable money call (IOTPay's PurchaseOnce, Flexiti's
	// AuthorizeOnce, Finrota's CompletePaymentOnce, KTPay's
	// CreatePaymentOnce) happen once per reference. It is the same store in
	// every provider package; several replicas would share one in their
	// database instead: iotpay.NewSQLStore (or any provider's NewSQLStore).
	store := iotpay.NewMemoryStore(0, 0)

	var oc *odero.Client
	var err error
	if api := getenv("ODERO_BASE_URL"); api != "" {
		oc, err = odero.New(odero.Config{APIKey: odero.Secret(getenv("ODERO_API_KEY")), SecretKey: odero.Secret(getenv("ODERO_SECRET_KEY")),
			CallbackURL: base + "/odero/callback", Claims: store},
			odero.WithBaseURL(api), odero.WithLogger(log))
	} else {
		gw := oderotest.Start()
		closers = append(closers, gw.Close)
		fk.odero = gw
		cfg := gw.Config()
		cfg.CallbackURL = base + "/odero/callback"
		cfg.Claims = store
		oc, err = odero.New(cfg, odero.WithBaseURL(gw.URL), odero.WithHTTPClient(gw.Client()), odero.WithLogger(log))
	}
	if err != nil {
		return fail(err)
	}

	var ic *iotpay.Client
	if api := getenv("IOTPAY_BASE_URL"); api != "" {
		ic, err = iotpay.New(iotpay.Config{MerchantID: getenv("IOTPAY_MCH_ID"), Key: iotpay.Secret(getenv("IOTPAY_KEY")), LoginName: getenv("IOTPAY_LOGIN_NAME"),
			NotifyURL: base + "/iotpay/notify", Claims: store},
			iotpay.WithBaseURL(api), iotpay.WithLogger(log))
	} else {
		gw := iotpaytest.Start()
		closers = append(closers, gw.Close)
		fk.iotpay = gw
		cfg := gw.Config()
		cfg.NotifyURL = base + "/iotpay/notify"
		cfg.Claims = store
		ic, err = iotpay.New(cfg, iotpay.WithBaseURL(gw.URL), iotpay.WithHTTPClient(gw.Client()), iotpay.WithLogger(log))
	}
	if err != nil {
		return fail(err)
	}

	// KTPay's notification is trusted because its URL reaches KTPay alone:
	// its base is configuration, fixed in the client (CallbackBase).
	var kc *ktwidget.Client
	if api := getenv("KTWIDGET_BASE_URL"); api != "" {
		kc, err = ktwidget.New(ktwidget.Config{AppID: ktwidget.Secret(getenv("KTWIDGET_APP_ID")), PublicKey: getenv("KTWIDGET_APP_KEY"),
			Environment: ktwidget.Test, WidgetURL: getenv("KTWIDGET_WIDGET_URL"), CallbackSecret: ktwidget.Secret(getenv("KTWIDGET_CALLBACK_SECRET")),
			CallbackBase: base + "/ktwidget/notify", Claims: store},
			ktwidget.WithBaseURL(api), ktwidget.WithLogger(log))
	} else {
		gw := ktwidgettest.Start()
		closers = append(closers, gw.Close)
		fk.kt = gw
		cfg := gw.Config()
		cfg.CallbackBase = base + "/ktwidget/notify"
		cfg.Claims = store
		kc, err = ktwidget.New(cfg, ktwidget.WithBaseURL(gw.URL), ktwidget.WithHTTPClient(gw.Client()), ktwidget.WithLogger(log))
	}
	if err != nil {
		return fail(err)
	}

	var fc *finrota.Client
	script := finrota.ScriptURL
	if api := getenv("FINROTA_BASE_URL"); api != "" {
		fc, err = finrota.New(finrota.Config{APIKey: finrota.Secret(getenv("FINROTA_API_KEY")), SecretKey: finrota.Secret(getenv("FINROTA_SECRET_KEY")),
			Claims: store}, finrota.WithBaseURL(api), finrota.WithLogger(log))
	} else {
		gw := finrotatest.Start()
		closers = append(closers, gw.Close)
		fk.finrota = gw
		script = gw.URL + "/static/finrota-widget/v1.0.0/index.umd.js"
		cfg := gw.Config()
		cfg.Claims = store
		fc, err = finrota.New(cfg, finrota.WithBaseURL(gw.URL), finrota.WithHTTPClient(gw.Client()), finrota.WithLogger(log))
	}
	if err != nil {
		return fail(err)
	}

	var xc *flexiti.Client
	var widgetOrigin string
	if api := getenv("FLEXITI_BASE_URL"); api != "" {
		xc, err = flexiti.New(flexiti.Config{ClientID: getenv("FLEXITI_CLIENT_ID"), ClientSecret: flexiti.Secret(getenv("FLEXITI_CLIENT_SECRET")), Claims: store},
			flexiti.WithBaseURL(api), flexiti.WithLogger(log))
		widgetOrigin = origin(api)
	} else {
		gw := flexititest.Start()
		closers = append(closers, gw.Close)
		fk.flexiti = gw
		widgetOrigin = origin(gw.URL) // gw.URL carries the API path
		cfg := gw.Config()
		cfg.Claims = store
		xc, err = flexiti.New(cfg, flexiti.WithBaseURL(gw.URL), flexiti.WithHTTPClient(gw.Client()), flexiti.WithLogger(log))
	}
	if err != nil {
		return fail(err)
	}

	shop := newApp(log, base,
		newOderoCheckout(oc),
		newIOTPayCheckout(ic),
		newKTWidgetCheckout(kc),
		&finrotaCheckout{client: fc, scriptURL: script},
		newFlexitiCheckout(xc, widgetOrigin),
	)
	shop.fakes = fk
	shop.claims = store
	return shop, closeAll, nil
}

// fakes are the built-in provider fakes in use (nil for a provider wired to
// a real sandbox); the shop's tests play the shopper and the provider
// through them.
type fakes struct {
	odero   *oderotest.Server
	iotpay  *iotpaytest.Server
	kt      *ktwidgettest.Server
	finrota *finrotatest.Server
	flexiti *flexititest.Server
}
