package ktwidget_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/nacl/box"

	"github.com/paywidget/paywidget-go/ktwidget"
)

// sodium runs testdata/interop/sodium.cjs: JavaScript libsodium
// (libsodium-wrappers from npm, the library KTPay's official client uses).
// Without node or the npm packages the test skips loudly, except in CI (CI
// set), where .ci/run installs them and a missing piece is a failure.
func sodium(t *testing.T, req map[string]string) map[string]string {
	t.Helper()
	dir := filepath.Join("testdata", "interop")
	node, err := exec.LookPath("node")
	_, statErr := os.Stat(filepath.Join(dir, "node_modules", "libsodium-wrappers"))
	if err != nil || statErr != nil {
		msg := "JavaScript libsodium is not installed: run npm ci --prefix ktwidget/testdata/interop"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip("!!! " + msg + " !!!")
	}
	in, _ := json.Marshal(req)
	cmd := exec.Command(node, "sodium.cjs")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var res map[string]string
	require.NoError(t, json.Unmarshal(out, &res))
	return res
}

func TestInteropJavaScriptOpensGoSeal(t *testing.T) {
	pub, priv := keyPair(t)
	c := clientFor(t, pub)
	for _, desc := range []string{"kettle", "Оплата заказа №42 — чайник ✓"} {
		sealed, err := c.Seal(&ktwidget.Order{OrderID: "o-1", Amount: ktwidget.MustParseAmount("2750"), Type: ktwidget.TypeEcom, Description: desc}, nil)
		require.NoError(t, err)
		res := sodium(t, map[string]string{"op": "open", "pk": b64(pub[:]), "sk": b64(priv[:]), "sealed": sealed})
		assert.Equal(t, `{"order":{"order_id":"o-1","amount":2750,"type":"ecom","description":"`+desc+`"}}`, res["plaintext"])
	}
}

func TestInteropGoOpensJavaScriptSeal(t *testing.T) {
	pub, priv := keyPair(t)
	msg := `{"order":{"order_id":"js-1","amount":100.5,"type":"ecom","description":"Чай"}}`
	res := sodium(t, map[string]string{"op": "seal", "pk": b64(pub[:]), "message": msg})
	raw, err := base64.StdEncoding.DecodeString(res["sealed"])
	require.NoError(t, err, "libsodium's ORIGINAL variant is Go's StdEncoding")
	plain, ok := box.OpenAnonymous(nil, raw, pub, priv)
	require.True(t, ok)
	assert.Equal(t, msg, string(plain))
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
