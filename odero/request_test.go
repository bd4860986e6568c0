package odero_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func readAll(t *testing.T, r *http.Request) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	return b
}
