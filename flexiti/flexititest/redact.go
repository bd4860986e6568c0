package flexititest

import (
	"fmt"
	"log/slog"

	"github.com/paywidget/paywidget-go/internal/secret"
)

var cardRedact = secret.Struct{Name: "flexititest.Card", Hide: []string{"PIN"}}

// Format prints the card without its PIN.
func (c Card) Format(f fmt.State, _ rune) { cardRedact.Print(f, c) }

// LogValue logs the card without its PIN.
func (c Card) LogValue() slog.Value { return cardRedact.Log(c) }
