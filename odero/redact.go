package odero

import (
	"fmt"
	"log/slog"

	"github.com/paywidget/paywidget-go/internal/secret"
)

// The types below hold the keys of OderoPay's card vault (cardUserKey,
// cardToken), which with the merchant's credentials charge a stored card.
// Through fmt (every verb) and slog (text and JSON handlers) they print
// without them; their JSON encoding, which is the wire format, is untouched.
var (
	vaultKeys          = []string{"CardUserKey", "CardToken"}
	storedCardRedact   = secret.Struct{Name: "odero.StoredCard", Hide: vaultKeys}
	cardListRedact     = secret.Struct{Name: "odero.CardList"}
	searchCardsRedact  = secret.Struct{Name: "odero.SearchCardsRequest", Hide: vaultKeys}
	deleteCardRedact   = secret.Struct{Name: "odero.DeleteCardRequest", Hide: vaultKeys}
	initCheckoutRedact = secret.Struct{Name: "odero.InitCheckoutRequest", Hide: vaultKeys}
	paymentRedact      = secret.Struct{Name: "odero.Payment", Hide: vaultKeys}
	verdictRedact      = secret.Struct{Name: "odero.Verdict"}
)

// Format prints the card without the vault's keys.
func (c StoredCard) Format(f fmt.State, _ rune) { storedCardRedact.Print(f, c) }

// LogValue logs the card without the vault's keys.
func (c StoredCard) LogValue() slog.Value { return storedCardRedact.Log(c) }

// Format prints the page without the vault's keys.
func (l CardList) Format(f fmt.State, _ rune) { cardListRedact.Print(f, l) }

// LogValue logs the page without the vault's keys.
func (l CardList) LogValue() slog.Value { return cardListRedact.Log(l) }

// Format prints the filter without the vault's keys.
func (r SearchCardsRequest) Format(f fmt.State, _ rune) { searchCardsRedact.Print(f, r) }

// LogValue logs the filter without the vault's keys.
func (r SearchCardsRequest) LogValue() slog.Value { return searchCardsRedact.Log(r) }

// Format prints the request without the vault's keys.
func (r DeleteCardRequest) Format(f fmt.State, _ rune) { deleteCardRedact.Print(f, r) }

// LogValue logs the request without the vault's keys.
func (r DeleteCardRequest) LogValue() slog.Value { return deleteCardRedact.Log(r) }

// Format prints the request without the shopper's cardUserKey.
func (r InitCheckoutRequest) Format(f fmt.State, _ rune) { initCheckoutRedact.Print(f, r) }

// LogValue logs the request without the shopper's cardUserKey.
func (r InitCheckoutRequest) LogValue() slog.Value { return initCheckoutRedact.Log(r) }

// Format prints the payment without the vault's keys.
func (p Payment) Format(f fmt.State, _ rune) { paymentRedact.Print(f, p) }

// LogValue logs the payment without the vault's keys.
func (p Payment) LogValue() slog.Value { return paymentRedact.Log(p) }

// Format prints the verdict, its payment without the vault's keys.
func (v Verdict) Format(f fmt.State, _ rune) { verdictRedact.Print(f, v) }

// LogValue logs the verdict, its payment without the vault's keys.
func (v Verdict) LogValue() slog.Value { return verdictRedact.Log(v) }
