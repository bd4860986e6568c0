package fake

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// The shopper helpers of the five fakes play a browser over HTTP on the
// fakes' own pages; these are the steps they share.

var (
	formRe   = regexp.MustCompile(`<form id="([a-z0-9-]+)" method="post" action="([^"]*)">`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// MaxPage bounds what a shopper helper reads of one page.
const MaxPage = 1 << 20

// Page is a page as a browser received it.
type Page struct {
	URL    *url.URL // after redirects
	Status int
	Header http.Header
	Body   string
}

// Fetch requests u with hc as a browser would (a form POST when form is not
// nil) and reads the page. A non-2xx answer is an error naming who answered.
// Redirects follow hc's policy.
func Fetch(ctx context.Context, hc *http.Client, method, u string, form url.Values) (*Page, error) {
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxPage))
	if err != nil {
		return nil, err
	}
	p := &Page{URL: resp.Request.URL, Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
	if resp.StatusCode/100 != 2 && resp.StatusCode/100 != 3 {
		return p, errors.New(method + " " + req.URL.Redacted() + " answered " + resp.Status + ": " + strings.TrimSpace(truncate(p.Body, 200)))
	}
	return p, nil
}

// NoRedirects is hc with redirects left to the caller (the Location header
// of the 3xx is the answer), as a helper needs to stop where a provider sends
// the browser back to the merchant. hc itself is not changed.
func NoRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// FindForm returns the absolute action and the hidden fields of the form
// with id on the page.
func FindForm(p *Page, id string) (*url.URL, url.Values, error) {
	body := p.Body
	for _, m := range formRe.FindAllStringSubmatchIndex(body, -1) {
		if body[m[2]:m[3]] != id {
			continue
		}
		action, err := p.URL.Parse(html.UnescapeString(body[m[4]:m[5]]))
		if err != nil {
			return nil, nil, err
		}
		rest := body[m[1]:]
		if end := strings.Index(rest, "</form>"); end >= 0 {
			rest = rest[:end]
		}
		fields := url.Values{}
		for _, h := range hiddenRe.FindAllStringSubmatch(rest, -1) {
			fields.Add(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
		}
		return action, fields, nil
	}
	return nil, nil, errors.New("page " + p.URL.Redacted() + " has no form " + id)
}

// Has reports whether the page contains an element with id.
func (p *Page) Has(id string) bool { return strings.Contains(p.Body, `id="`+id+`"`) }

// Attr returns the value of attribute name on the element with id, if any.
func (p *Page) Attr(id, name string) (string, bool) {
	i := strings.Index(p.Body, `id="`+id+`"`)
	if i < 0 {
		return "", false
	}
	tag := p.Body[i:]
	if end := strings.IndexByte(tag, '>'); end >= 0 {
		tag = tag[:end]
	}
	j := strings.Index(tag, " "+name+`="`)
	if j < 0 {
		return "", false
	}
	v := tag[j+len(name)+3:]
	if end := strings.IndexByte(v, '"'); end >= 0 {
		return html.UnescapeString(v[:end]), true
	}
	return "", false
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

var (
	scriptRe = regexp.MustCompile(`<script src="([^"]+)"`)
	// jsStringRe is a double-quoted JavaScript string literal, as
	// html/template writes one.
	jsStringRe = `"(?:[^"\\]|\\.)*"`
)

// ScriptOrigin returns scheme://host of the first script on the page whose
// src ends in path: where the browser loaded a provider's widget script
// from, and so where that script sends the shopper's card.
func ScriptOrigin(p *Page, path string) (string, error) {
	for _, m := range scriptRe.FindAllStringSubmatch(p.Body, -1) {
		u, err := p.URL.Parse(html.UnescapeString(m[1]))
		if err == nil && strings.HasSuffix(u.Path, path) {
			return u.Scheme + "://" + u.Host, nil
		}
	}
	return "", errors.New("page " + p.URL.Redacted() + " loads no script " + path)
}

// JSStrings finds the first match of pattern on the page, where each %s in
// pattern stands for a double-quoted JavaScript string literal, and returns
// the pattern's groups: the literals' values, and any group of pattern's
// own as it matched.
func JSStrings(p *Page, pattern string) ([]string, error) {
	rx, err := regexp.Compile(strings.ReplaceAll(pattern, "%s", "("+jsStringRe+")"))
	if err != nil {
		return nil, err
	}
	m := rx.FindStringSubmatch(p.Body)
	if m == nil {
		return nil, errors.New("page " + p.URL.Redacted() + " has no " + pattern)
	}
	out := make([]string, 0, len(m)-1)
	for _, lit := range m[1:] {
		if !strings.HasPrefix(lit, `"`) {
			out = append(out, lit)
			continue
		}
		var v string
		if err := json.Unmarshal([]byte(lit), &v); err != nil {
			return nil, errors.New("page " + p.URL.Redacted() + ": unreadable string " + lit)
		}
		out = append(out, v)
	}
	return out, nil
}
