package httpx

import "testing"

func TestWebURL(t *testing.T) {
	for s, want := range map[string]bool{
		"https://pay.example/page?x=1":      true,
		"http://127.0.0.1:8080/p":           true,
		"HTTPS://pay.example/":              true,
		"javascript:alert(document.domain)": false,
		"JavaScript:alert(1)":               false,
		"data:text/html,<script>x</script>": false,
		"vbscript:msgbox":                   false,
		"blob:https://pay.example/uuid":     false,
		"file:///etc/passwd":                false,
		"//pay.example/page":                false,
		"/page":                             false,
		"https:///page":                     false,
		"https://user:pw@pay.example/":      false,
		"https:pay.example":                 false,
		"":                                  false,
		" https://pay.example/":             false,
	} {
		if got := WebURL(s); got != want {
			t.Errorf("WebURL(%q) = %v, want %v", s, got, want)
		}
	}
}
