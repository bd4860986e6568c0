package ktwidget

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Payment is a created KTPay transaction.
type Payment struct {
	// TransactionHash identifies the transaction; keep it with the order to
	// check the notification against.
	TransactionHash string
	// ShowCloseButton is KTPay's echo of the order's setting.
	ShowCloseButton bool
	// WidgetURL is the widget page to open (in the full-screen iframe or a
	// WebView): {widget}/payment-card?hash=…&show_close_button=….
	WidgetURL string
	// CompatURL is the exact URL the official browser client builds
	// ("…&show_close_buttontrue", no "=").
	CompatURL string
	// Status is the final status KTPay notified (StatusCompleted,
	// StatusError or StatusDenied) when the Payment is the verdict the
	// NotificationHandler recorded, as a repeat of CreatePaymentOnce or
	// Settle returns it; "" on the Payment CreatePayment returns.
	Status string
	// Meta is the HTTP metadata of the reply.
	Meta Meta
}

// Paid reports Status completed: KTPay notified that the money was cleared.
func (p *Payment) Paid() bool { return p.Status == StatusCompleted }

type createData struct {
	TransactionHash string `json:"transaction_hash"`
	ShowCloseButton *bool  `json:"show_close_button"`
}

// CreatePayment seals order (and user, if not nil) and creates the
// transaction (POST /api/v1/merchant-widget/payment). KTPay has no
// idempotency key, so it is retried only when the request never left; after
// that a failure matches ErrOutcomeUnknown — and since KTPay offers no status
// query, wait for the notification and never reuse the order_id.
func (c *Client) CreatePayment(ctx context.Context, order *Order, user *User) (_ *Payment, err error) {
	var ref string
	if order != nil {
		ref = order.OrderID
	}
	ctx, sp := c.http.Trace(ctx, "ktwidget.CreatePayment", ref)
	defer sp.End(&err)
	body, err := c.sealBody(order, user)
	if err != nil {
		return nil, err
	}
	req := &httpx.Request{
		Method:      http.MethodPost,
		Path:        "/api/v1/merchant-widget/payment",
		Body:        body,
		ContentType: "text/plain",
		Header:      c.headers(),
		Retry:       httpx.RetryIfNotSent,
		Unknown:     "KTPay has no status query: wait for the notification to this order's callback URL (or ask KTPay support); never create the same order_id again",
	}
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		var api *APIError
		if errors.As(err, &api) && api.serverSide() {
			err = req.OutcomeUnknown(provider, err)
		}
		return nil, err
	}
	var d createData
	if err := decodeData(resp.Body, &d); err != nil || d.TransactionHash == "" {
		if err == nil {
			err = &httpx.DecodeError{Provider: provider, Into: "Payment", Err: errors.New("reply lacks transaction_hash")}
		}
		return nil, req.OutcomeUnknown(provider, err)
	}
	show := true
	if d.ShowCloseButton != nil {
		show = *d.ShowCloseButton
	} else if order.ShowCloseButton != nil {
		show = *order.ShowCloseButton
	}
	p := c.payment(d.TransactionHash, show)
	p.Meta = resp.Meta()
	return p, nil
}

// payment is the Payment of a transaction hash, with its widget URLs.
func (c *Client) payment(hash string, show bool) *Payment {
	flag := strconv.FormatBool(show)
	return &Payment{
		TransactionHash: hash,
		ShowCloseButton: show,
		WidgetURL:       c.widget + "/payment-card?hash=" + url.QueryEscape(hash) + "&show_close_button=" + flag,
		CompatURL:       c.widget + "/payment-card?hash=" + hash + "&show_close_button" + flag,
	}
}

// Do calls a KTPay endpoint the SDK does not wrap with the app's
// Auth-Identifier and the typed errors of every call. path is below the API
// root ("/api/v1/merchant-widget/…"); in (may be nil) is sent as JSON as it
// is (seal it with Seal where KTPay expects a sealed body); out (may be nil)
// receives the reply's data (under response or at the top level). GET is
// retried on failures; every other method only when the request never left.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, in, out any) (_ Meta, err error) {
	ctx, sp := c.http.Trace(ctx, "ktwidget.Do", "")
	defer sp.End(&err)
	body, class, err := httpx.EscapeHatch(provider, method, path, in)
	if err != nil {
		return Meta{}, err
	}
	resp, err := c.http.Do(ctx, &httpx.Request{Method: method, Path: path, Query: query, Body: body, Header: c.headers(), Retry: class})
	if resp == nil {
		return Meta{}, err
	}
	if err != nil || out == nil {
		return resp.Meta(), err
	}
	if err := decodeData(resp.Body, out); err != nil {
		if class == httpx.RetryIfNotSent {
			err = httpx.OutcomeUnknown(provider, err)
		}
		return resp.Meta(), err
	}
	return resp.Meta(), nil
}

// headers are the same on every call: built once in New and only read
// (httpx copies them into each request's own header map).
func (c *Client) headers() http.Header { return c.auth }

// decodeData decodes the success data, under response or at the top level.
func decodeData(body []byte, out any) error {
	var rep reply
	if err := httpx.DecodeJSON(provider, body, &rep); err != nil {
		return err
	}
	data := rep.Data
	if rep.Response != nil && len(rep.Response.Data) > 0 {
		data = rep.Response.Data
	}
	if len(data) == 0 || string(data) == "null" || string(data) == "[]" {
		return &httpx.DecodeError{Provider: provider, Into: "data", Err: errors.New("reply has no data")}
	}
	return httpx.DecodeJSON(provider, data, out)
}

// AcquirerOptions returns the acquirer's payment page for a transaction, to
// open top-level or in a WebView where the iframe cannot be used
// (GET …/payment/{hash}/acquirer-options). Safe to retry.
func (c *Client) AcquirerOptions(ctx context.Context, hash string) (_ string, err error) {
	ctx, sp := c.http.Trace(ctx, "ktwidget.AcquirerOptions", "")
	defer sp.End(&err)
	if err := checkHash(hash); err != nil {
		return "", err
	}
	resp, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: "/api/v1/merchant-widget/payment/" + url.PathEscape(hash) + "/acquirer-options",
		Header: c.headers(), Retry: httpx.RetrySafe})
	if err != nil {
		return "", err
	}
	var d struct {
		PaymentPage string `json:"payment_page"`
	}
	if err := decodeData(resp.Body, &d); err != nil {
		return "", err
	}
	if u, perr := url.Parse(d.PaymentPage); perr != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return "", &httpx.DecodeError{Provider: provider, Into: "payment_page", Err: errors.New("not an absolute URL")}
	}
	return d.PaymentPage, nil
}

// Receipt returns the transaction's PDF receipt (GET …/payment/{hash}/pdf),
// at most the configured response bound. Safe to retry.
func (c *Client) Receipt(ctx context.Context, hash string) (_ []byte, err error) {
	ctx, sp := c.http.Trace(ctx, "ktwidget.Receipt", "")
	defer sp.End(&err)
	if err := checkHash(hash); err != nil {
		return nil, err
	}
	resp, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodGet, Path: "/api/v1/merchant-widget/payment/" + url.PathEscape(hash) + "/pdf",
		Header: http.Header{"Auth-Identifier": {c.appID.Reveal()}, "Accept": {"application/pdf"}}, Retry: httpx.RetrySafe})
	if err != nil {
		return nil, err
	}
	if len(resp.Body) < 5 || string(resp.Body[:5]) != "%PDF-" {
		return nil, &httpx.DecodeError{Provider: provider, Into: "receipt", Err: errors.New("not a PDF")}
	}
	return resp.Body, nil
}

func checkHash(hash string) error {
	if hash == "" || len(hash) > 128 {
		return httpx.Invalid(provider, "transaction_hash", "required, at most 128 characters")
	}
	return nil
}
