package fake_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/paywidget/paywidget-go/internal/fake"
)

func TestProcessedMarksOnlyWhatTheProviderActedOn(t *testing.T) {
	for _, mem := range []bool{false, true} {
		var handled int
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { handled++; _, _ = w.Write([]byte("{}")) })
		var s *fake.Server
		var c *http.Client
		if mem {
			s = fake.NewMemory(h, "http://processed.test")
			c = &http.Client{Transport: s}
		} else {
			s = fake.New(h)
			defer s.Close()
			c = s.Client()
		}
		s.Fail("POST", "/pay", fake.Fault{Kind: fake.Status, Status: 502}, fake.Fault{Kind: fake.DropBefore}, fake.Fault{Kind: fake.DropAfter})
		for range 4 {
			resp, err := c.Post(s.URL+"/pay", "application/json", strings.NewReader("{}"))
			if err == nil {
				resp.Body.Close()
			}
		}
		var got []bool
		for _, r := range s.Requests() {
			got = append(got, r.Processed)
		}
		want := []bool{false, false, true, true}
		if fmt.Sprint(got) != fmt.Sprint(want) || handled != 2 {
			t.Errorf("memory=%v: processed %v (handled %d), want %v (2)", mem, got, handled, want)
		}
	}
}
