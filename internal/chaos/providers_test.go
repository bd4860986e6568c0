package chaos_test

import (
	"testing"

	"github.com/paywidget/paywidget-go/internal/chaos"
)

// providers are the providers the run spreads its payments over.
func providers(t *testing.T) []chaos.Provider {
	return []chaos.Provider{
		iotpayProvider(t),
		flexitiProvider(t),
		finrotaProvider(t),
		ktwidgetProvider(t),
		oderoProvider(t),
	}
}
