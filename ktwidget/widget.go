package ktwidget

import (
	"bytes"
	"html/template"
	"net/url"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

var snippetTemplate = template.Must(template.New("snippet").Parse(`<div id="ktpay_widget_wrapper"><iframe id="iframe_widget" title="KTPay" src="{{.URL}}" style="position:fixed;z-index:1000;top:0;left:0;width:100%;height:100%;display:block;border:none"></iframe></div>
<script{{if .Nonce}} nonce="{{.Nonce}}"{{end}}>
(function () {
  "use strict";
  var widgetOrigin = {{.Origin}};
  window.addEventListener("message", function (event) {
    if (event.origin !== widgetOrigin) { return; }
    var data = event.data;
    if (data === "close") {
      var frame = document.getElementById("iframe_widget");
      if (frame) { frame.remove(); }
      document.dispatchEvent(new CustomEvent("ktwidget:close"));
      return;
    }
    if (typeof data !== "string") { return; }
    var target;
    try { target = new URL(data); } catch (e) { return; }
    if (target.protocol !== "https:" && target.protocol !== "http:") { return; }
    if (target.origin !== window.location.origin) { return; }
    window.location.href = target.href;
  });
})();
</script>`))

// Snippet renders the front end of the widget hand-off: the documented
// full-screen iframe on the widget URL and a message listener that, unlike
// the official client, accepts messages only from the widget's origin.
// "close" removes the iframe (and fires a "ktwidget:close" event on
// document); a URL on the merchant's own origin (a callback_*_url) sends
// the page there. nonce is the page's CSP nonce, if it uses one.
func (c *Client) Snippet(widgetURL, nonce string) (template.HTML, error) {
	u, err := url.Parse(widgetURL)
	if err != nil || !httpx.WebURL(widgetURL) {
		return "", httpx.Invalid(provider, "widgetURL", "must be an absolute http(s) URL")
	}
	var b bytes.Buffer
	if err := snippetTemplate.Execute(&b, map[string]string{"URL": u.String(), "Origin": u.Scheme + "://" + u.Host, "Nonce": nonce}); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}
