package money

import (
	"errors"
	"testing"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

func TestParse(t *testing.T) {
	for s, want := range map[string]string{"27.50": "27.50", "2750": "2750", "0.1": "0.1", "1.230": "1.230"} {
		d, err := Parse("p", 2, s)
		if err != nil || d.String() != want {
			t.Errorf("Parse(%q) = %v, %v; want %s", s, d, err, want)
		}
	}
	for _, s := range []string{"1.234", "x", "", "1,5", "0.001"} {
		if _, err := Parse("p", 2, s); !errors.Is(err, httpx.ErrInvalidRequest) {
			t.Errorf("Parse(%q): %v, want ErrInvalidRequest", s, err)
		}
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse of three places did not panic")
		}
	}()
	MustParse("p", 2, "1.005")
}

func TestFromCents(t *testing.T) {
	for n, want := range map[int64]string{1999: "19.99", 5: "0.05", -150: "-1.50", 0: "0.00"} {
		if got := FromCents(n).String(); got != want {
			t.Errorf("FromCents(%d) = %s, want %s", n, got, want)
		}
	}
}
