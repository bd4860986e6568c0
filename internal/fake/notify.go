package fake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// ErrNothingToRedeliver is Redeliver's answer for an id of which nothing
// was delivered to the merchant yet: an unknown id, a payment that was
// never notified (a decline the provider does not notify, a shopper who
// left), or one with no merchant URL to deliver to.
var ErrNothingToRedeliver = errors.New("nothing to redeliver: no notification or callback was sent for this id")

// Delivery is one attempt to deliver a notification (or a browser's
// callback) to the merchant, and how the merchant answered.
type Delivery struct {
	// URL is where it was posted.
	URL string
	// At is when it was sent.
	At time.Time
	// Status is the merchant's HTTP status, 0 when no answer came.
	Status int
	// Body is the start of the merchant's answer (at most MaxAnswer bytes).
	Body []byte
	// Acknowledged reports whether the answer was the acknowledgment the
	// provider expects.
	Acknowledged bool
	// Refused says why the answer was not taken as an acknowledgment (""
	// when it was): the transport error, the status, or the header or body
	// the provider wants and did not get.
	Refused string
}

// MaxAnswer bounds what is kept of a merchant's answer.
const MaxAnswer = 4 << 10

// Check reads the merchant's answer to a delivery and returns why it is not
// the provider's acknowledgment, or "" when it is. body is at most
// MaxAnswer bytes.
type Check func(resp *http.Response, body []byte) string

// Notifier posts notifications to merchants on a provider's retry
// schedule, records every delivery and redelivers on demand. The zero value
// is not usable; use NewNotifier.
type Notifier struct {
	name  string // the fake's package, for error texts
	check Check
	hc    func(url string) *http.Client
	// OnAck, when set, runs once per id when a delivery is acknowledged.
	onAck func(id string)

	mu      sync.Mutex
	sent    map[string]note
	deliv   map[string][]Delivery
	pending map[string]bool // a scheduled delivery is still under way
	changed chan struct{}   // closed and replaced on every delivery
	closing chan struct{}
	wg      sync.WaitGroup
}

type note struct {
	url, contentType string
	body             []byte
}

// NewNotifier returns a Notifier for the fake named name (its package,
// for error texts) that sends to a URL with the client hc returns for it
// (called per delivery, so a fake mounted later uses its new transport, and
// a fake posting to its own stand-in merchant uses the client that trusts
// it) and takes an answer as an acknowledgment when check returns "".
// onAck, if not nil, runs after each acknowledged delivery.
func NewNotifier(name string, hc func(url string) *http.Client, check Check, onAck func(id string)) *Notifier {
	return &Notifier{name: name, check: check, hc: hc, onAck: onAck,
		sent: map[string]note{}, deliv: map[string][]Delivery{}, pending: map[string]bool{},
		changed: make(chan struct{}), closing: make(chan struct{})}
}

// Remember keeps what would be delivered for id without sending it (the
// browser sends it), so that Redeliver can send it again.
func (n *Notifier) Remember(id, url, contentType string, body []byte) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent[id] = note{url: url, contentType: contentType, body: body}
}

// Send delivers body to url for id now and in the background, then again
// after each of waits until the merchant acknowledges it or the waits run
// out (len(waits)+1 attempts in all).
func (n *Notifier) Send(id, url, contentType string, body []byte, waits []time.Duration) {
	n.mu.Lock()
	n.sent[id] = note{url: url, contentType: contentType, body: body}
	n.pending[id] = true
	n.mu.Unlock()
	waits = append([]time.Duration(nil), waits...)
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		defer n.settle(id)
		for i := 0; ; i++ {
			if n.deliver(context.Background(), id).Acknowledged || i == len(waits) {
				return
			}
			t := time.NewTimer(waits[i])
			select {
			case <-n.closing:
				t.Stop()
				return
			case <-t.C:
			}
		}
	}()
}

func (n *Notifier) settle(id string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.pending, id)
	n.signal()
}

// signal wakes the waiters; the caller holds n.mu.
func (n *Notifier) signal() {
	close(n.changed)
	n.changed = make(chan struct{})
}

// deliver posts id's notification once and records the delivery.
func (n *Notifier) deliver(ctx context.Context, id string) Delivery {
	n.mu.Lock()
	nt := n.sent[id]
	n.mu.Unlock()
	d := Delivery{URL: nt.url, At: time.Now()}
	d.Status, d.Body, d.Refused = n.post(ctx, nt)
	d.Acknowledged = d.Refused == ""
	n.mu.Lock()
	n.deliv[id] = append(n.deliv[id], d)
	n.signal()
	n.mu.Unlock()
	if d.Acknowledged && n.onAck != nil {
		n.onAck(id)
	}
	return d
}

func (n *Notifier) post(ctx context.Context, nt note) (int, []byte, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, nt.url, bytes.NewReader(nt.body))
	if err != nil {
		return 0, nil, err.Error()
	}
	req.Header.Set("Content-Type", nt.contentType)
	resp, err := n.hc(nt.url).Do(req)
	if err != nil {
		return 0, nil, "no answer: " + err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, MaxAnswer))
	return resp.StatusCode, b, n.check(resp, b)
}

// Deliver posts body to url once for id (a browser's post the fake plays),
// records the delivery and remembers it for Redeliver.
func (n *Notifier) Deliver(ctx context.Context, id, url, contentType string, body []byte) Delivery {
	n.Remember(id, url, contentType, body)
	return n.deliver(ctx, id)
}

// Redeliver sends id's notification once more, now, and returns the
// delivery (recorded with the others). An unreachable or refusing merchant
// is a Delivery that is not Acknowledged, not an error; an id with nothing
// sent is ErrNothingToRedeliver.
func (n *Notifier) Redeliver(ctx context.Context, id string) (Delivery, error) {
	n.mu.Lock()
	_, ok := n.sent[id]
	n.mu.Unlock()
	if !ok {
		return Delivery{}, ErrNothingToRedeliver
	}
	return n.deliver(ctx, id), nil
}

// Deliveries returns a copy of id's deliveries so far, in order.
func (n *Notifier) Deliveries(id string) []Delivery {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Delivery(nil), n.deliv[id]...)
}

// WaitNotified waits until a delivery of id is acknowledged and returns it.
// It fails when the provider's retries ran out unacknowledged, or when ctx
// ends first; either error says how many deliveries were made and why the
// last one was refused.
func (n *Notifier) WaitNotified(ctx context.Context, id string) (Delivery, error) {
	for {
		n.mu.Lock()
		ds := n.deliv[id]
		pending := n.pending[id]
		changed := n.changed
		n.mu.Unlock()
		for _, d := range ds {
			if d.Acknowledged {
				return d, nil
			}
		}
		if !pending && len(ds) > 0 {
			return Delivery{}, n.notAcked(id, ds, errGaveUp)
		}
		select {
		case <-ctx.Done():
			return Delivery{}, n.notAcked(id, ds, ctx.Err())
		case <-changed:
		}
	}
}

// errGaveUp is WaitNotified's cause when the retries ran out.
var errGaveUp = errors.New("the provider gave up")

func (n *Notifier) notAcked(id string, ds []Delivery, cause error) error {
	msg := n.name + ": notification of " + id + " not acknowledged after " + strconv.Itoa(len(ds)) + " deliveries"
	if len(ds) > 0 {
		msg += " (the last refused: " + ds[len(ds)-1].Refused + ")"
	}
	return fmt.Errorf("%s: %w", msg, cause)
}

// Close stops scheduled retries and waits for deliveries in flight.
func (n *Notifier) Close() {
	n.mu.Lock()
	select {
	case <-n.closing:
	default:
		close(n.closing)
	}
	n.mu.Unlock()
	n.wg.Wait()
}
