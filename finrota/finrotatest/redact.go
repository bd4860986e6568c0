package finrotatest

import (
	"fmt"
	"log/slog"

	"github.com/paywidget/paywidget-go/internal/secret"
)

var cardRedact = secret.Struct{Name: "finrotatest.Card", Hide: []string{"Number", "CVV"}}

// Format prints the card without its Number and CVV, like a real card would be
// printed.
func (c Card) Format(f fmt.State, _ rune) { cardRedact.Print(f, c) }

// LogValue logs the card without its Number and CVV.
func (c Card) LogValue() slog.Value { return cardRedact.Log(c) }
