package flexititest

import (
	"bytes"
	"io"
	"net/http"
)

type recorder struct {
	header http.Header
	status int
	body   []byte
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(code int)        { r.status = code }
func (r *recorder) Write(b []byte) (int, error) { r.body = append(r.body, b...); return len(b), nil }

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// widgetPage is the stand-in widget: it reads the session from the URL's
// fragment, asks for the PIN, and posts flx-success / flx-failure /
// flx-cancel to its parent window as Flexiti's widget does.
func (s *Server) widgetPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, widgetHTML)
}

const widgetHTML = `<!doctype html><html><head><meta charset="utf-8"><title>Flexiti (fake)</title></head><body>
<h1>Flexiti test widget</h1>
<form id="flexiti-pin-form"><label>PIN <input id="flexiti-pin" name="pin" inputmode="numeric" required></label>
<button id="flexiti-verify" type="submit">Verify</button>
<button id="flexiti-cancel" type="button">Cancel</button></form>
<script>
(function () {
  var hash = window.location.hash, q = new URLSearchParams(hash.slice(hash.indexOf("?") + 1));
  var session = q.get("widget_session_id");
  function post(msg) { window.parent.postMessage(msg, "*"); }
  document.getElementById("flexiti-cancel").addEventListener("click", function () { post({eventType: "flx-cancel"}); });
  document.getElementById("flexiti-pin-form").addEventListener("submit", function (e) {
    e.preventDefault();
    fetch("widget/verify", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({widget_session_id: session, pin: document.getElementById("flexiti-pin").value})})
      .then(function (r) { return r.json(); })
      .then(post)
      .catch(function (err) { post({eventType: "flx-failure", eventData: {error: 500, message: String(err)}}); });
  });
})();
</script></body></html>`
