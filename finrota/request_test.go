package finrota_test

import (
	"fmt"
	"testing"

	"github.com/paywidget/paywidget-go/finrota/finrotatest"
	"io"
	"net/http"
	"strconv"
)

func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
}

func itoa(i int) string { return strconv.Itoa(i) }

func fmtV(v any) string { return fmt.Sprintf("%v %+v %s", v, v, v) }

func newFake(t *testing.T) *finrotatest.Server { return finrotatest.NewServer(t) }
