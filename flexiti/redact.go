package flexiti

import (
	"fmt"
	"log/slog"

	"github.com/paywidget/paywidget-go/internal/secret"
)

// The types below hold a token or a virtual card number. Through fmt (every
// verb) and slog (text and JSON handlers) they print without them. Their
// JSON encoding is untouched: a request's is what goes on the wire, and
// FlowState's is what a merchant keeps in its session store.
var (
	flowStateRedact = secret.Struct{Name: "flexiti.FlowState", Hide: []string{"AccessToken", "RefreshToken"}}
	customerRedact  = secret.Struct{Name: "flexiti.CustomerIdentification", Hide: []string{"VCCNumber"}}
	widgetRedact    = secret.Struct{Name: "flexiti.WidgetInitRequest"}
	authorizeRedact = secret.Struct{Name: "flexiti.AuthorizeRequest", Hide: []string{"VCCNumber"}}
	returnRedact    = secret.Struct{Name: "flexiti.ReturnRequest", Hide: []string{"VCCNumber"}}
	refundRedact    = secret.Struct{Name: "flexiti.RefundRequest", Hide: []string{"VCCNumber"}}
)

// Format prints the state without its tokens.
func (s FlowState) Format(f fmt.State, _ rune) { flowStateRedact.Print(f, s) }

// LogValue logs the state without its tokens.
func (s FlowState) LogValue() slog.Value { return flowStateRedact.Log(s) }

// Format prints the identification without the VCC number.
func (c CustomerIdentification) Format(f fmt.State, _ rune) { customerRedact.Print(f, c) }

// LogValue logs the identification without the VCC number.
func (c CustomerIdentification) LogValue() slog.Value { return customerRedact.Log(c) }

// Format prints the request without the shopper's VCC number.
func (r WidgetInitRequest) Format(f fmt.State, _ rune) { widgetRedact.Print(f, r) }

// LogValue logs the request without the shopper's VCC number.
func (r WidgetInitRequest) LogValue() slog.Value { return widgetRedact.Log(r) }

// Format prints the request without the VCC number.
func (r AuthorizeRequest) Format(f fmt.State, _ rune) { authorizeRedact.Print(f, r) }

// LogValue logs the request without the VCC number.
func (r AuthorizeRequest) LogValue() slog.Value { return authorizeRedact.Log(r) }

// Format prints the request without the VCC number.
func (r ReturnRequest) Format(f fmt.State, _ rune) { returnRedact.Print(f, r) }

// LogValue logs the request without the VCC number.
func (r ReturnRequest) LogValue() slog.Value { return returnRedact.Log(r) }

// Format prints the request without the VCC number.
func (r RefundRequest) Format(f fmt.State, _ rune) { refundRedact.Print(f, r) }

// LogValue logs the request without the VCC number.
func (r RefundRequest) LogValue() slog.Value { return refundRedact.Log(r) }
