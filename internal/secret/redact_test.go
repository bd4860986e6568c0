package secret_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paywidget/paywidget-go/internal/secret"
)

type inner struct{ Token string }

var innerRedact = secret.Struct{Name: "inner", Hide: []string{"Token"}}

func (i inner) Format(f fmt.State, _ rune) { innerRedact.Print(f, i) }
func (i inner) LogValue() slog.Value       { return innerRedact.Log(i) }

type outer struct {
	Name   string
	Key    secret.Secret
	hidden secret.Secret
	plain  string
	Items  []inner
	Ptr    *inner
	Nil    *inner
}

var outerRedact = secret.Struct{Name: "outer"}

func (o outer) Format(f fmt.State, _ rune) { outerRedact.Print(f, o) }
func (o outer) LogValue() slog.Value       { return outerRedact.Log(o) }

func TestStructRedactsThroughFmtAndSlog(t *testing.T) {
	o := outer{Name: "shop", Key: "key-1", hidden: "unexported-1", plain: "private-1", Items: []inner{{"tok-1"}, {"tok-2"}}, Ptr: &inner{"tok-3"}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		assert.Equal(t, "outer{Name:shop Key:[REDACTED] hidden:[REDACTED] Items:[inner{Token:[REDACTED]} inner{Token:[REDACTED]}] Ptr:inner{Token:[REDACTED]} Nil:<nil>}", fmt.Sprintf(verb, o), verb)
	}
	var js, text bytes.Buffer
	slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "o", o)
	slog.New(slog.NewTextHandler(&text, nil)).Info("m", "o", &o)
	assert.Contains(t, js.String(), `"o":{"Name":"shop","Key":"[REDACTED]","hidden":"[REDACTED]","Items":{"0":{"Token":"[REDACTED]"},"1":{"Token":"[REDACTED]"}},"Ptr":{"Token":"[REDACTED]"},"Nil":null}`)
	assert.Contains(t, text.String(), `o.Name=shop o.Key=[REDACTED] o.hidden=[REDACTED] o.Items.0.Token=[REDACTED] o.Items.1.Token=[REDACTED] o.Ptr.Token=[REDACTED] o.Nil=<nil>`)
	for _, out := range []string{js.String(), text.String()} {
		for _, s := range []string{"key-1", "unexported-1", "private-1", "tok-1", "tok-2", "tok-3"} {
			assert.NotContains(t, out, s)
		}
	}
	var nilOuter *outer
	assert.Equal(t, "<nil>", fmt.Sprint(nilOuter))
	assert.Equal(t, "outer(nil)", outerRedact.Log(nilOuter).String())
}
