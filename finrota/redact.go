package finrota

import (
	"fmt"
	"log/slog"

	"github.com/paywidget/paywidget-go/internal/secret"
)

// The types below hold a token or card data. Through fmt (every verb) and
// slog (text and JSON handlers) they print without them.
var (
	widgetTokenRedact = secret.Struct{Name: "finrota.WidgetToken"}
	cardRedact        = secret.Struct{Name: "finrota.Card", Hide: []string{"HolderName"}}
	prepareRedact     = secret.Struct{Name: "finrota.PrepareRequest"}
	payRedact         = secret.Struct{Name: "finrota.PayRequest"}
	widgetRedact      = secret.Struct{Name: "finrota.Widget", Hide: []string{"CSRFToken"}}
)

// Format prints the widget token's expiry, never the token.
func (w WidgetToken) Format(f fmt.State, _ rune) { widgetTokenRedact.Print(f, w) }

// LogValue logs the widget token's expiry, never the token.
func (w WidgetToken) LogValue() slog.Value { return widgetTokenRedact.Log(w) }

// Format prints the redaction marker for every verb.
func (p PrepareToken) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, p.String()) }

// LogValue logs the redaction marker.
func (p PrepareToken) LogValue() slog.Value { return slog.StringValue(p.String()) }

// MarshalText writes the redaction marker, so a PrepareToken inside any
// JSON-encoded value (a log line, a debug dump) stays hidden. The SDK sends
// the token itself.
func (p PrepareToken) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// Format prints the card's expiry only.
func (c Card) Format(f fmt.State, _ rune) { cardRedact.Print(f, c) }

// LogValue logs the card's expiry only.
func (c Card) LogValue() slog.Value { return cardRedact.Log(c) }

// Format prints the request without its card data.
func (r PrepareRequest) Format(f fmt.State, _ rune) { prepareRedact.Print(f, r) }

// LogValue logs the request without its card data.
func (r PrepareRequest) LogValue() slog.Value { return prepareRedact.Log(r) }

// Format prints the request without its card data.
func (r PayRequest) Format(f fmt.State, _ rune) { payRedact.Print(f, r) }

// LogValue logs the request without its card data.
func (r PayRequest) LogValue() slog.Value { return payRedact.Log(r) }

// Format prints the widget without its tokens.
func (w Widget) Format(f fmt.State, _ rune) { widgetRedact.Print(f, w) }

// LogValue logs the widget without its tokens.
func (w Widget) LogValue() slog.Value { return widgetRedact.Log(w) }
