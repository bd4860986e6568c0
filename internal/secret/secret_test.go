package secret_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paywidget/paywidget-go/internal/secret"
)

type config struct {
	APIKey secret.Secret
	Name   string
}

func TestSecretNeverPrints(t *testing.T) {
	c := config{APIKey: "sk_live_abc123", Name: "shop"}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("cfg", "key", c.APIKey, "cfg", c)
	js, err := json.Marshal(c)
	assert.NoError(t, err)
	for _, s := range []string{
		fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s %q %x %X %d", c, c, c, c.APIKey, c.APIKey, c.APIKey, c.APIKey, c.APIKey),
		fmt.Sprintf("%v", &c), logs.String(), string(js),
	} {
		assert.NotContains(t, s, "sk_live_abc123")
		assert.NotContains(t, s, "736b5f6c697665") // hex of the key
	}
	assert.Contains(t, fmt.Sprint(c), secret.Redacted)
	assert.Equal(t, "sk_live_abc123", c.APIKey.Reveal())
}

func TestEqual(t *testing.T) {
	assert.True(t, secret.Equal("abc", "abc"))
	assert.False(t, secret.Equal("abc", "abd"))
	assert.False(t, secret.Equal("abc", "ab"))
	assert.True(t, secret.Secret("k").Equal("k"))
	assert.True(t, secret.Secret("").IsZero())
}
