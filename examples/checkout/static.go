package main

import (
	"embed"
	"net/http"
	"strings"
)

// static holds the shop's stylesheet and product pictures. They are served
// from the shop's own origin, so every page's Content-Security-Policy allows
// them with 'self' and the shop loads nothing from anywhere else.
//
//go:embed static
var static embed.FS

// staticFiles serves /static/…: the embedded files only (no directory
// listings), cacheable for an hour, never sniffed, and with a policy that
// lets an SVG opened on its own run nothing.
func staticFiles() http.Handler {
	files := http.FileServerFS(static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		h.Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}
