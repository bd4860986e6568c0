package fakeserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/paywidget/paywidget-go/internal/fake"
)

// triggerRequest is the body of POST /{provider}/trigger.
type triggerRequest struct {
	Order      string `json:"order"`
	Outcome    string `json:"outcome"`
	To         string `json:"to"`
	Times      int    `json:"times"`
	Concurrent bool   `json:"concurrent"`
}

// triggerReply is its answer: what was sent, and each delivery's answer.
type triggerReply struct {
	Provider   string     `json:"provider"`
	Order      string     `json:"order"`
	Sent       sentJSON   `json:"sent"`
	Deliveries []answered `json:"deliveries"`
	// Acknowledged is whether every delivery got the answer the provider
	// expects.
	Acknowledged bool `json:"acknowledged"`
}

// sentJSON is the notification as the merchant received it.
type sentJSON struct {
	Method      string `json:"method"`
	URL         string `json:"url"`
	ContentType string `json:"contentType"`
	Body        string `json:"body"`
}

// answered is one delivery and the merchant's answer.
type answered struct {
	Status       int    `json:"status,omitempty"` // 0: no answer
	Reply        string `json:"reply,omitempty"`
	Acknowledged bool   `json:"acknowledged"`
	// Refused says why the answer is not the provider's acknowledgment.
	Refused string `json:"refused,omitempty"`
}

func (a *admin) trigger(w http.ResponseWriter, r *http.Request, f *running) {
	var in triggerRequest
	if err := decode(r, &in); err != nil {
		fail(w, http.StatusBadRequest, "body: %v", err)
		return
	}
	if f.trigger == nil {
		fail(w, http.StatusUnprocessableEntity, "%s", f.spec.NoNotification)
		return
	}
	if in.Order == "" || in.Times < 0 || in.Times > 20 {
		fail(w, http.StatusBadRequest, "order is required; times between 1 and 20")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	sent, ds, err := f.trigger(ctx, fake.Trigger{Ref: in.Order, Outcome: in.Outcome, To: in.To, Times: in.Times, Concurrent: in.Concurrent})
	if err != nil {
		fail(w, http.StatusUnprocessableEntity, "%v", err)
		return
	}
	out := triggerReply{Provider: f.spec.Name, Order: in.Order, Acknowledged: true,
		Sent: sentJSON{Method: sent.Method, URL: sent.URL, ContentType: sent.ContentType, Body: string(sent.Body)}}
	for _, d := range ds {
		out.Deliveries = append(out.Deliveries, answered{Status: d.Status, Reply: string(d.Body), Acknowledged: d.Acknowledged, Refused: d.Refused})
		out.Acknowledged = out.Acknowledged && d.Acknowledged
	}
	reply(w, http.StatusOK, out)
}

// trigger is the subcommand: it asks the running command's admin API to
// send a notification and prints what was sent and answered.
func trigger(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakes trigger", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: fakes trigger -admin URL -provider NAME -order REF [flags]

Sends one provider notification for an order the running fakes know, exactly as the
provider would, to the order's own notify/callback URL (or -to), and prints what was
sent and what the merchant answered. It exits 1 when an answer is not the
acknowledgment the provider expects, and says why.

  iotpay    IOTPay's signed notify (mchOrderNo); only paid payments are notified
  ktwidget  KTPay's notification to the order's callback_post_url (order_id)
  odero     OderoPay's callback form post (conversationId)
  finrota, flexiti send no server-to-server notification (the command says what they do instead)

Flags:
`)
		fs.PrintDefaults()
	}
	adminURL := fs.String("admin", "", "the admin API URL the fakes command printed (required)")
	provider := fs.String("provider", "", "finrota, flexiti, ktwidget, iotpay or odero (required)")
	order := fs.String("order", "", "the merchant's reference of the order (required)")
	outcome := fs.String("outcome", "", "settle a payment still waiting for the shopper first: paid, declined (ktwidget also error)")
	to := fs.String("to", "", "send to this URL instead of the order's own")
	times := fs.Int("times", 1, "send it this many times (a redelivery)")
	concurrent := fs.Bool("concurrent", false, "send the repeats all at once")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *adminURL == "" || *provider == "" || *order == "" {
		fmt.Fprintln(stderr, "fakes trigger: -admin, -provider and -order are required (see fakes trigger -h)")
		return 2
	}
	if _, ok := specByName(*provider); !ok {
		fmt.Fprintf(stderr, "fakes trigger: unknown provider %q\n", *provider)
		return 2
	}
	body, _ := json.Marshal(triggerRequest{Order: *order, Outcome: *outcome, To: *to, Times: *times, Concurrent: *concurrent})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(*adminURL, "/")+"/"+*provider+"/trigger", bytes.NewReader(body))
	if err != nil {
		fmt.Fprintf(stderr, "fakes trigger: %v\n", err)
		return 2
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "fakes trigger: the fakes command is not reachable at %s: %v\n", *adminURL, err)
		return 1
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		fmt.Fprintf(stderr, "fakes trigger: nothing sent: %s\n", e.Error)
		return 1
	}
	var out triggerReply
	if err := json.Unmarshal(raw, &out); err != nil {
		fmt.Fprintf(stderr, "fakes trigger: unreadable answer from the admin API: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "sent     %s %s\n", out.Sent.Method, out.Sent.URL)
	fmt.Fprintf(stdout, "type     %s\n", out.Sent.ContentType)
	fmt.Fprintf(stdout, "body     %s\n", out.Sent.Body)
	for i, d := range out.Deliveries {
		if d.Status != 0 {
			fmt.Fprintf(stdout, "#%d answered %d %q\n", i+1, d.Status, strings.TrimSpace(d.Reply))
		} else {
			fmt.Fprintf(stdout, "#%d no answer\n", i+1)
		}
		if d.Acknowledged {
			fmt.Fprintf(stdout, "   verdict  acknowledged as %s expects\n", out.Provider)
		} else {
			fmt.Fprintf(stdout, "   verdict  NOT acknowledged: %s\n", d.Refused)
		}
	}
	if !out.Acknowledged {
		return 1
	}
	return 0
}
