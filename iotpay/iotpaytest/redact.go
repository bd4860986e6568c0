package iotpaytest

import (
	"fmt"
	"log/slog"

	"github.com/paywidget/paywidget-go/internal/secret"
)

var cardRedact = secret.Struct{Name: "iotpaytest.Card", Hide: []string{"Number", "CVC"}}

// Format prints the card without its Number and CVC, like a real card would be
// printed.
func (c Card) Format(f fmt.State, _ rune) { cardRedact.Print(f, c) }

// LogValue logs the card without its Number and CVC.
func (c Card) LogValue() slog.Value { return cardRedact.Log(c) }
