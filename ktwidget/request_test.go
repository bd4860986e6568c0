package ktwidget_test

import (
	"io"
	"net/http"
)

func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
}
