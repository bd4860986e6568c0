package finrotatest

import (
	"fmt"
	"log/slog"

	"github.com/paywidget/paywidget-go/internal/secret"
)

var cardRedact = secret.Struct{Name: "finrotatest.Card", Hide: []string{"Number", "CVC", "ThreeDSCode"}}

// Format prints the card without its Number, CVC and 3-D Secure code, as a real card would be
// printed.
func (c Card) Format(f fmt.State, _ rune) { cardRedact.Print(f, c) }

// LogValue logs the card without its Number, CVC and 3-D Secure code.
func (c Card) LogValue() slog.Value { return cardRedact.Log(c) }
