package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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

// holder is one exported type that holds a token, key or card data, with
// the secrets a value of it carries.
type holder struct {
	name    string
	v       any
	secrets []string
}

// secretHolders lists every exported type of the five provider packages and
// their fakes that holds a token, key, secret or card data. Each secret is a
// distinct marker, so a hit names the field that leaked.
func secretHolders(t *testing.T) []holder {
	fr := finrotatest.NewServer(t)
	fc, err := fr.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	wt, err := fc.CreateWidgetToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	frCard := finrota.Card{Number: "4111111111111111", HolderName: "Holder Name-Sec", CVV: "987", ExpMonth: 12, ExpYear: 2030}
	frCardSecrets := []string{"4111111111111111", "Holder Name-Sec", "987"}
	vcc := "5555666677778888"
	flowState := flexiti.FlowState{ReferenceID: strings.Repeat("a", 32), AccessToken: "flexiti-access-SECRET", RefreshToken: "flexiti-refresh-SECRET", Expiry: time.Unix(1_800_000_000, 0), WidgetSessionID: "ws-1"}
	vault := []string{"cuk-SECRET-0000-0000-0000-000000000000", "ctk-SECRET-0000-0000-0000-000000000000"}
	stored := odero.StoredCard{BinNumber: "411111", LastFourDigits: "1111", CardUserKey: vault[0], CardToken: vault[1]}
	payment := odero.Payment{ID: 1, CardUserKey: vault[0], CardToken: vault[1]}

	return []holder{
		{"finrota.Config", finrota.Config{APIKey: "finrota-api-SECRET", SecretKey: "finrota-secret-SECRET"}, []string{"finrota-api-SECRET", "finrota-secret-SECRET"}},
		{"finrota.WidgetToken", wt, []string{wt.Value()}},
		{"finrota.PrepareToken", finrota.PrepareToken("prepare-SECRET"), []string{"prepare-SECRET"}},
		{"finrota.Card", frCard, frCardSecrets},
		{"finrota.PrepareRequest", finrota.PrepareRequest{Card: frCard, Currency: finrota.TRY, Amount: finrota.MustParseAmount("10.00")}, frCardSecrets},
		{"finrota.PayRequest", finrota.PayRequest{Card: frCard, Currency: finrota.TRY, Amount: finrota.MustParseAmount("10.00")}, frCardSecrets},
		{"finrota.CompleteRequest", finrota.CompleteRequest{PrepareToken: "prepare-SECRET", ReturnURL: "https://shop.example/r"}, []string{"prepare-SECRET"}},
		{"finrota.Widget", finrota.Widget{Token: wt, CSRFToken: "csrf-SECRET"}, []string{wt.Value(), "csrf-SECRET"}},

		{"flexiti.Config", flexiti.Config{ClientID: "shop", ClientSecret: "flexiti-client-SECRET"}, []string{"flexiti-client-SECRET"}},
		{"flexiti.FlowState", flowState, []string{"flexiti-access-SECRET", "flexiti-refresh-SECRET"}},
		{"flexiti.CustomerIdentification", flexiti.CustomerIdentification{VCCNumber: vcc}, []string{vcc}},
		{"flexiti.WidgetInitRequest", flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase, CustomerIdentification: flexiti.CustomerIdentification{VCCNumber: vcc}}, []string{vcc}},
		{"flexiti.AuthorizeRequest", flexiti.AuthorizeRequest{VCCNumber: vcc, Amount: flexiti.MustParseAmount("1.00")}, []string{vcc}},
		{"flexiti.ReturnRequest", flexiti.ReturnRequest{VCCNumber: vcc}, []string{vcc}},
		{"flexiti.RefundRequest", flexiti.RefundRequest{VCCNumber: vcc, Amount: flexiti.MustParseAmount("1.00")}, []string{vcc}},

		{"ktwidget.Config", ktwidget.Config{AppID: "kt-app-SECRET", CallbackSecret: "kt-callback-SECRET", PublicKey: "pub"}, []string{"kt-app-SECRET", "kt-callback-SECRET"}},

		{"iotpay.Config", iotpay.Config{MerchantID: "m1", Key: "iotpay-key-SECRET"}, []string{"iotpay-key-SECRET"}},
		{"iotpay.Card", iotpay.Card{CardID: "c1", CardNum: "432567******2266", CVV: "765"}, []string{"765"}},

		{"odero.Config", odero.Config{APIKey: "odero-api-SECRET", SecretKey: "odero-secret-SECRET"}, []string{"odero-api-SECRET", "odero-secret-SECRET"}},
		{"odero.StoredCard", stored, vault},
		{"odero.CardList", odero.CardList{Items: []odero.StoredCard{stored, stored}}, vault},
		{"odero.SearchCardsRequest", odero.SearchCardsRequest{CardUserKey: vault[0], CardToken: vault[1]}, vault},
		{"odero.DeleteCardRequest", odero.DeleteCardRequest{CardUserKey: vault[0], CardToken: vault[1]}, vault},
		{"odero.InitCheckoutRequest", odero.InitCheckoutRequest{CardUserKey: vault[0], Currency: odero.TRY}, vault[:1]},
		{"odero.Payment", payment, vault},
		{"odero.Verdict", odero.Verdict{Outcome: odero.OutcomePaid, Token: "checkout-1", Payment: &payment}, vault},
		{"oderotest.Card", oderotest.Card{HolderName: "Test Shopper", Number: "4111111111111111", ExpMonth: 12, ExpYear: 2030, CVC: "cvc-SECRET", ThreeDSCode: "3ds-SECRET"}, []string{"4111111111111111", "cvc-SECRET", "3ds-SECRET"}},
		{"finrotatest.Card", finrotatest.Card{Number: "4155650100416111", HolderName: "Test Shopper", CVC: "cvc-SECRET", ExpMonth: 12, ExpYear: 2030, ThreeDSCode: "3ds-SECRET"}, []string{"4155650100416111", "cvc-SECRET", "3ds-SECRET"}},
		{"ktwidgettest.Card", ktwidgettest.Card{Number: "4405639704015096", ExpMonth: 12, ExpYear: 2030, CVC: "cvc-SECRET"}, []string{"4405639704015096", "cvc-SECRET"}},
		{"iotpaytest.Card", iotpaytest.Card{HolderName: "Test Shopper", Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "cvc-SECRET"}, []string{"4242424242424242", "cvc-SECRET"}},
		{"flexititest.Card", flexititest.Card{PIN: "pin-SECRET"}, []string{"pin-SECRET"}},
		{"finrotatest.WidgetResult", finrotatest.WidgetResult{PrepareToken: "prep-SECRET", Next: "https://shop.example/next"}, []string{"prep-SECRET"}},
	}
}

// TestSecretsNeverPrintOrLog prints and logs every secret-holding type, by
// value and by pointer, through fmt's verbs and through slog's text and JSON
// handlers (as an attribute and inside a group), and asserts that none of
// its secrets appears.
func TestSecretsNeverPrintOrLog(t *testing.T) {
	for _, h := range secretHolders(t) {
		t.Run(h.name, func(t *testing.T) {
			for _, s := range h.secrets {
				if len(s) < 3 {
					t.Fatalf("marker %q too short to search for", s)
				}
			}
			ptr := ptrTo(h.v)
			var outs []string
			for _, v := range []any{h.v, ptr} {
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
					outs = append(outs, verb+" "+fmt.Sprintf(verb, v))
				}
				outs = append(outs, "Sprint "+fmt.Sprint(v), "Sprintln "+fmt.Sprintln(v))
				var text, js bytes.Buffer
				// No time: a short marker such as a CVV could match its digits.
				noTime := &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
					if a.Key == slog.TimeKey {
						return slog.Attr{}
					}
					return a
				}}
				for _, l := range []*slog.Logger{slog.New(slog.NewTextHandler(&text, noTime)), slog.New(slog.NewJSONHandler(&js, noTime))} {
					l.Info("value", "v", v)
					l.Info("group", slog.Group("g", "v", v))
					l.With("w", v).Info("with")
					l.LogAttrs(context.Background(), slog.LevelInfo, "attr", slog.Any("v", v))
				}
				outs = append(outs, "slog text "+text.String(), "slog JSON "+js.String())
			}
			for _, out := range outs {
				for _, s := range h.secrets {
					if strings.Contains(out, s) || strings.Contains(out, fmt.Sprintf("%x", s)) {
						t.Errorf("%q leaked: %s", s, out)
					}
				}
			}
			// Something was printed: the marker check above is not vacuous.
			if !strings.Contains(outs[0], "[REDACTED]") && !strings.Contains(outs[0], "REDACTED") {
				t.Errorf("%%v shows no redaction marker: %s", outs[0])
			}
		})
	}
}

// ptrTo returns a pointer to a copy of v.
func ptrTo(v any) any {
	switch x := v.(type) {
	case finrota.Config:
		return &x
	case finrota.WidgetToken:
		return &x
	case finrota.PrepareToken:
		return &x
	case finrota.Card:
		return &x
	case finrota.PrepareRequest:
		return &x
	case finrota.PayRequest:
		return &x
	case finrota.CompleteRequest:
		return &x
	case finrota.Widget:
		return &x
	case flexiti.Config:
		return &x
	case flexiti.FlowState:
		return &x
	case flexiti.CustomerIdentification:
		return &x
	case flexiti.WidgetInitRequest:
		return &x
	case flexiti.AuthorizeRequest:
		return &x
	case flexiti.ReturnRequest:
		return &x
	case flexiti.RefundRequest:
		return &x
	case ktwidget.Config:
		return &x
	case iotpay.Config:
		return &x
	case iotpay.Card:
		return &x
	case odero.Config:
		return &x
	case odero.StoredCard:
		return &x
	case odero.CardList:
		return &x
	case odero.SearchCardsRequest:
		return &x
	case odero.DeleteCardRequest:
		return &x
	case odero.InitCheckoutRequest:
		return &x
	case odero.Payment:
		return &x
	case odero.Verdict:
		return &x
	case oderotest.Card:
		return &x
	case finrotatest.Card:
		return &x
	case ktwidgettest.Card:
		return &x
	case iotpaytest.Card:
		return &x
	case flexititest.Card:
		return &x
	case finrotatest.WidgetResult:
		return &x
	}
	panic(fmt.Sprintf("ptrTo: add %T", v))
}

// The session serialisation a merchant stores keeps the flow's tokens: the
// redaction is for printing and logging, not for State's JSON.
func TestFlowStateJSONKeepsTokensForTheSession(t *testing.T) {
	s := flexiti.FlowState{ReferenceID: strings.Repeat("a", 32), AccessToken: "flexiti-access-SECRET", RefreshToken: "flexiti-refresh-SECRET", WidgetSessionID: "ws-1"}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back flexiti.FlowState
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != s {
		t.Fatalf("FlowState does not round-trip through JSON: %s", b)
	}
}

// TestSecretHoldersListIsComplete reads the provider packages and their
// fakes and finds every exported struct with a field whose name says it
// holds a token, key, secret or card data; each must be in secretHolders,
// or below with the reason it holds nothing secret.
func TestSecretHoldersListIsComplete(t *testing.T) {
	notSecret := map[string]string{
		"finrota.Installment":         "Token is the installment option's id from PaymentOptions, useless without a widget token",
		"odero.Checkout":              "Token is the checkout id the shopper's browser carries in the callback",
		"odero.Callback":              "Token is the checkout id posted by the shopper's browser",
		"ktwidget.Config":             "listed (PublicKey is public)",
		"finrota.WidgetToken":         "listed",
		"flexiti.PersonalInformation": "personal data, no credential or card number",
	}
	listed := map[string]bool{}
	for _, h := range secretHolders(t) {
		listed[h.name] = true
	}
	field := regexp.MustCompile(`(?i)token|key|secret|cvv|cvc|pan$|cardnumber|^number$|vcc|password|threedscode`)
	for _, dir := range []string{"finrota", "finrota/finrotatest", "flexiti", "flexiti/flexititest", "ktwidget", "ktwidget/ktwidgettest", "iotpay", "iotpay/iotpaytest", "odero", "odero/oderotest"} {
		entries, err := os.ReadDir(filepath.Join("..", "..", dir))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join("..", "..", dir, e.Name()), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				ts, ok := n.(*ast.TypeSpec)
				if !ok || !ts.Name.IsExported() {
					return true
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					return false
				}
				name := f.Name.Name + "." + ts.Name.Name
				for _, fl := range st.Fields.List {
					for _, id := range fl.Names {
						if !id.IsExported() && !strings.EqualFold(id.Name, "value") {
							continue
						}
						if field.MatchString(id.Name) && !listed[name] && notSecret[name] == "" {
							t.Errorf("%s.%s looks like a secret: add %s to secretHolders (with Format and LogValue) or to notSecret with the reason", name, id.Name, name)
						}
					}
				}
				return false
			})
		}
	}
}
