package fake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Trigger asks a fake to send one of its provider's notifications now, for
// an order it knows (examples/fakes' trigger).
type Trigger struct {
	// Ref is the merchant's reference of the order (IOTPay mchOrderNo, KTPay
	// order_id, OderoPay conversationId).
	Ref string
	// Outcome settles a payment still waiting for the shopper: "paid" or
	// "declined" (and what else the provider has); empty leaves a settled
	// order's outcome as it is.
	Outcome string
	// To overrides the URL the provider would notify (the order's own).
	To string
	// Times sends the notification this many times (default 1), as a
	// provider's redelivery would; Concurrent sends them all at once.
	Times      int
	Concurrent bool
}

// ErrNotNotified is matched by a Trigger the provider would not send: an
// order it does not notify (IOTPay notifies successful payments only), one
// still waiting for the shopper with no outcome given, or one that has no
// URL to notify.
var ErrNotNotified = errors.New("fake: the provider sends no notification for this order")

// ErrUnknownOrder is matched by a Trigger for a reference the fake does not
// know.
var ErrUnknownOrder = errors.New("fake: no order with this reference")

// Ack is the acknowledgment a provider expects of a notification.
type Ack struct {
	// Status is the HTTP status wanted; zero accepts any 2xx (and, with
	// Redirects, 3xx).
	Status int
	// Redirects accepts a 3xx (a browser-borne callback may redirect).
	Redirects bool
	// ContentType, when set, is the media type the reply must have.
	ContentType string
	// Body, when set, is the reply the provider wants (trimmed; compared
	// case-insensitively when Fold).
	Body string
	Fold bool
	// Expect describes the acknowledgment in prose, for Why.
	Expect string
}

// Delivery is one notification as sent and as answered.
type Delivery struct {
	Method      string `json:"method"`
	URL         string `json:"url"`
	ContentType string `json:"contentType"`
	// Body is what was sent.
	Body string `json:"body"`
	// Status, ReplyType and Reply are the merchant's answer (Reply at most
	// 4 KiB); Status is zero when no answer came (Err says why).
	Status    int    `json:"status,omitempty"`
	ReplyType string `json:"replyType,omitempty"`
	Reply     string `json:"reply,omitempty"`
	// Acknowledged is whether the answer is the one the provider expects;
	// when it is not, Why says plainly what was wrong.
	Acknowledged bool   `json:"acknowledged"`
	Why          string `json:"why,omitempty"`
	Err          string `json:"error,omitempty"`
}

// Deliver sends body to url with hc as a provider's notification and judges
// the answer against ack.
func Deliver(ctx context.Context, hc *http.Client, method, url, contentType string, body []byte, ack Ack) Delivery {
	d := Delivery{Method: method, URL: url, ContentType: contentType, Body: string(body)}
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		d.Err, d.Why = err.Error(), "the URL could not be used: "+err.Error()
		return d
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := hc.Do(req)
	if err != nil {
		d.Err, d.Why = err.Error(), "the merchant could not be reached; the provider would retry"
		return d
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	d.Status, d.ReplyType, d.Reply = resp.StatusCode, resp.Header.Get("Content-Type"), string(reply)
	d.Acknowledged, d.Why = ack.Judge(resp.StatusCode, resp.Header.Get("Content-Type"), reply)
	return d
}

// Judge reports whether an answer acknowledges the notification and, when it
// does not, why.
func (a Ack) Judge(status int, contentType string, reply []byte) (bool, string) {
	want := a.Expect
	if want == "" {
		want = "a 2xx answer"
	}
	switch {
	case a.Status != 0 && status != a.Status:
		return false, fmt.Sprintf("status %d, but the provider wants %s", status, want)
	case a.Status == 0 && !(status >= 200 && status < 300 || a.Redirects && status >= 300 && status < 400):
		return false, fmt.Sprintf("status %d, but the provider wants %s", status, want)
	}
	if a.ContentType != "" {
		mt, _, _ := strings.Cut(contentType, ";")
		if !strings.EqualFold(strings.TrimSpace(mt), a.ContentType) {
			if contentType == "" {
				contentType = "none"
			}
			return false, fmt.Sprintf("Content-Type %s, but the provider wants %s (%s)", contentType, a.ContentType, want)
		}
	}
	if a.Body != "" {
		got := strings.TrimSpace(string(reply))
		if got != a.Body && !(a.Fold && strings.EqualFold(got, a.Body)) {
			return false, fmt.Sprintf("reply %q, but the provider wants %s", clip(got), want)
		}
	}
	return true, ""
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// Repeat sends one notification t.Times times (at least once), all at once
// when t.Concurrent, and returns the deliveries in order.
func Repeat(t Trigger, send func() Delivery) []Delivery {
	n := max(t.Times, 1)
	out := make([]Delivery, n)
	if !t.Concurrent {
		for i := range out {
			out[i] = send()
		}
		return out
	}
	var wg sync.WaitGroup
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = send()
		}()
	}
	wg.Wait()
	return out
}
