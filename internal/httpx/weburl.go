package httpx

import "net/url"

// WebURL reports whether s is a URL a browser may be handed as a page, a
// frame or a form target: absolute, http or https, with a host and no user
// info. javascript:, data:, vbscript:, blob:, file: and relative URLs are not.
func WebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil && u.Opaque == ""
}
