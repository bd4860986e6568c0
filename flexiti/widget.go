package flexiti

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Widget flows.
const (
	FlowPurchase = "purchase"
	FlowApply    = "apply"
)

// Provinces are the Canadian province and territory codes.
var Provinces = []string{"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"}

// PersonalInformation identifies a shopper by name, birth date and postal code.
type PersonalInformation struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	// DOB is YYYY-MM-DD.
	DOB        string `json:"dob"`
	PostalCode string `json:"postal_code"`
}

// CustomerIdentification names the shopper: for purchase exactly one of
// the three; for apply the personal information.
type CustomerIdentification struct {
	AccountNumber       ID                   `json:"account_number,omitempty"`
	VCCNumber           string               `json:"vcc_number,omitempty"`
	PersonalInformation *PersonalInformation `json:"personal_information,omitempty"`
}

// WidgetInitRequest opens the widget (POST /v2.5/client-id/{id}/widget/init).
type WidgetInitRequest struct {
	Flow                   string                 `json:"flow"`
	CustomerIdentification CustomerIdentification `json:"customer_identification"`
	Lang                   string                 `json:"lang,omitempty"`
	// The apply flow's fields.
	TOSAgreement bool        `json:"tos_agreement,omitempty"`
	Email        string      `json:"email,omitempty"`
	PhoneNumber  PhoneNumber `json:"phone_number,omitempty"`
	Address1     string      `json:"address_1,omitempty"`
	Address2     string      `json:"address_2,omitempty"`
	City         string      `json:"city,omitempty"`
	Province     string      `json:"province,omitempty"`
	AccountType  string      `json:"account_type,omitempty"`
}

// PhoneNumber is the shopper's mobile number for SMS verification: ten
// digits, as "5145550123". Flexiti types it number(10), so it travels as a
// JSON number (5145550123), never a string; the first digit cannot be 0,
// which a number would lose (North American numbers start with 2–9 anyway).
type PhoneNumber string

func (p PhoneNumber) valid() bool {
	return len(p) == 10 && p[0] != '0' && strings.Trim(string(p), "0123456789") == ""
}

// MarshalJSON writes the ten digits as a JSON number.
func (p PhoneNumber) MarshalJSON() ([]byte, error) {
	if !p.valid() {
		return nil, httpx.InvalidField(provider, "PhoneNumber", "phone_number", "must be 10 digits, the first not 0")
	}
	return []byte(p), nil
}

// UnmarshalJSON reads a JSON number or a string of digits.
func (p *PhoneNumber) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if strings.Trim(s, "0123456789") != "" {
		return errors.New("flexiti: phone_number is not a number of digits")
	}
	*p = PhoneNumber(s)
	return nil
}

var (
	postalRe = regexp.MustCompile(`^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$`)
	emailRe  = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// validate adds the rules of personal information at path to v.
func (p *PersonalInformation) validate(v *httpx.Violations, path string) {
	if path != "" {
		path += "."
	}
	lengthRule(v, path+"first_name", p.FirstName, 80)
	lengthRule(v, path+"last_name", p.LastName, 80)
	switch {
	case p.PostalCode == "":
		v.Add(path+"postal_code", "required")
	case !postalRe.MatchString(p.PostalCode):
		v.Add(path+"postal_code", "must be a Canadian postal code")
	}
	if p.DOB == "" {
		v.Add(path+"dob", "required")
	} else if _, err := time.Parse("2006-01-02", p.DOB); err != nil {
		v.Add(path+"dob", "must be a date YYYY-MM-DD")
	}
}

// lengthRule adds "required" for a blank s and "at most max characters" for
// a longer one.
func lengthRule(v *httpx.Violations, wire, s string, max int) {
	switch {
	case strings.TrimSpace(s) == "":
		v.Add(wire, "required")
	case len(s) > max:
		v.Add(wire, "at most "+strconv.Itoa(max)+" characters")
	}
}

// Validate checks the documented rules. It reports every rule broken at
// once: one *ValidationError per rule, joined (errors.As finds the first).
func (r *WidgetInitRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	v := httpx.NewViolations(provider, r)
	if r.Lang != "" && r.Lang != "en" && r.Lang != "fr" {
		v.Add("lang", "must be en or fr")
	}
	if r.PhoneNumber != "" && !r.PhoneNumber.valid() {
		v.Add("phone_number", "must be 10 digits, the first not 0")
	}
	id := r.CustomerIdentification
	const ci = "customer_identification"
	switch r.Flow {
	case FlowPurchase:
		n := 0
		if id.AccountNumber != 0 {
			n++
		}
		if id.VCCNumber != "" {
			n++
			if len(id.VCCNumber) != 16 || strings.Trim(id.VCCNumber, "0123456789") != "" {
				v.Add(ci+".vcc_number", "must be 16 digits")
			}
		}
		if id.PersonalInformation != nil {
			n++
			id.PersonalInformation.validate(v, ci+".personal_information")
		}
		if n != 1 {
			v.Add(ci, "exactly one of account_number, vcc_number and personal_information for purchase")
		}
		if id.AccountNumber < 0 || id.AccountNumber > 99999999999999 {
			v.Add(ci+".account_number", "at most 14 digits")
		}
	case FlowApply:
		if id.PersonalInformation == nil {
			v.Add(ci+".personal_information", "required for apply")
		} else {
			id.PersonalInformation.validate(v, ci+".personal_information")
		}
		if !r.TOSAgreement {
			v.Add("tos_agreement", "must be true")
		}
		switch {
		case r.Email == "":
			v.Add("email", "required")
		case !emailRe.MatchString(r.Email) || len(r.Email) > 100:
			v.Add("email", "must be a valid address of at most 100 characters")
		}
		if r.PhoneNumber == "" {
			v.Add("phone_number", "required")
		}
		lengthRule(v, "address_1", r.Address1, 250)
		if len(r.Address2) > 100 {
			v.Add("address_2", "at most 100 characters")
		}
		lengthRule(v, "city", r.City, 100)
		if !slices.Contains(Provinces, r.Province) {
			v.Add("province", "must be a province code such as ON")
		}
		if r.AccountType != "consumer" && r.AccountType != "business" {
			v.Add("account_type", "must be consumer or business")
		}
	case "":
		v.Add("flow", "required")
	default:
		v.Add("flow", "must be purchase or apply")
	}
	return v.Err()
}

// WidgetSession is an opened widget.
type WidgetSession struct {
	// RedirectionURL is the widget page for the front end.
	RedirectionURL string
	// WidgetSessionID is parsed from the URL's fragment; Apply needs it.
	WidgetSessionID string
	Meta            Meta
}

// WidgetInit opens the widget for this flow's shopper. Safe to retry (it
// only opens a session).
func (f *Flow) WidgetInit(ctx context.Context, r *WidgetInitRequest) (_ *WidgetSession, err error) {
	ctx, sp := f.c.http.Trace(ctx, "flexiti.Flow.WidgetInit", "")
	defer sp.End(&err)
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var out struct {
		RedirectionURL string `json:"redirection_url"`
	}
	meta, err := f.call(ctx, epWidgetInit, nil, r, &out, httpx.RetrySafe)
	if err != nil {
		return nil, err
	}
	sid, err := widgetSessionID(out.RedirectionURL)
	if err != nil {
		return nil, err
	}
	f.session = sid
	return &WidgetSession{RedirectionURL: out.RedirectionURL, WidgetSessionID: sid, Meta: meta}, nil
}

// widgetSessionID reads widget_session_id from the query inside the URL's
// fragment ("…/#/widget/{client}/{token}?…&widget_session_id=…").
func widgetSessionID(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || !httpx.WebURL(raw) {
		return "", &httpx.DecodeError{Provider: provider, Into: "redirection_url", Err: errors.New("not an absolute http(s) URL")}
	}
	frag := u.Fragment
	i := strings.IndexByte(frag, '?')
	if i < 0 {
		return "", &httpx.DecodeError{Provider: provider, Into: "redirection_url", Err: errors.New("no widget_session_id")}
	}
	q, err := url.ParseQuery(frag[i+1:])
	if err != nil || q.Get("widget_session_id") == "" {
		return "", &httpx.DecodeError{Provider: provider, Into: "redirection_url", Err: errors.New("no widget_session_id")}
	}
	return q.Get("widget_session_id"), nil
}

// Widget event types the widget posts to its parent window.
const (
	EventSuccess = "flx-success"
	EventFailure = "flx-failure"
	EventCancel  = "flx-cancel"
)

// WidgetEvent is a message the widget posted (forwarded by the page). It is
// unsigned and posted to any origin: a hint, never proof. Only Authorize or
// Apply settles anything.
type WidgetEvent struct {
	Type    string
	Success *WidgetSuccess
	Failure *WidgetFailure
}

// WidgetSuccess is flx-success's eventData.
type WidgetSuccess struct {
	AccountNumber     *ID    `json:"accountNumber"`
	Verified          bool   `json:"verified"`
	Action            string `json:"action"`
	MFAOptionSelected string `json:"mfaOptionSelected"`
	WidgetSessionID   string `json:"widget_session_id"`
	CustomerID        string `json:"customerId"`
	AccountType       string `json:"accountType"`
}

// WidgetFailure is flx-failure's eventData.
type WidgetFailure struct {
	Error   int    `json:"error"`
	Message string `json:"message"`
}

// MaxEventBytes bounds a forwarded widget event.
const MaxEventBytes = 16 << 10

// ParseWidgetEvent decodes {eventType, eventData} as the page forwards it.
func ParseWidgetEvent(b []byte) (*WidgetEvent, error) {
	if len(b) > MaxEventBytes {
		return nil, &httpx.DecodeError{Provider: provider, Into: "WidgetEvent", Err: errors.New("larger than 16 KiB")}
	}
	var raw struct {
		EventType string          `json:"eventType"`
		EventData json.RawMessage `json:"eventData"`
	}
	if err := httpx.DecodeJSON(provider, b, &raw); err != nil {
		return nil, err
	}
	ev := &WidgetEvent{Type: raw.EventType}
	switch raw.EventType {
	case EventSuccess:
		ev.Success = &WidgetSuccess{}
		if err := httpx.DecodeJSON(provider, raw.EventData, ev.Success); err != nil {
			return nil, err
		}
	case EventFailure:
		ev.Failure = &WidgetFailure{}
		if len(raw.EventData) > 0 && string(raw.EventData) != "null" {
			if err := httpx.DecodeJSON(provider, raw.EventData, ev.Failure); err != nil {
				return nil, err
			}
		}
	case EventCancel:
	default:
		return nil, &httpx.DecodeError{Provider: provider, Into: "WidgetEvent", Err: errors.New("unknown eventType")}
	}
	return ev, nil
}

// Step is what the merchant does next after a widget event.
type Step string

// Steps of Flexiti's decision table.
const (
	// StepAuthorize: call Authorize with the account number.
	StepAuthorize Step = "authorize"
	// StepApply: call Apply (mandatory after the apply flow).
	StepApply Step = "apply"
	// StepStartApply: the shopper chose to apply; start an apply flow.
	StepStartApply Step = "start-apply"
	// StepActivate: send the shopper to ActivationURL.
	StepActivate Step = "activate"
	// StepOtherTender: the purchase failed; offer another way to pay.
	StepOtherTender Step = "other-tender"
	// StepCannotProceed: the account cannot be used; tell the shopper.
	StepCannotProceed Step = "cannot-proceed"
	// StepRetry: start the widget again.
	StepRetry Step = "retry"
	// StepCancelled: the shopper closed the widget.
	StepCancelled Step = "cancelled"
	// StepFailed: the widget reported an error.
	StepFailed Step = "failed"
)

// ActivationURL is where Flexiti's customers activate their account.
const ActivationURL = "https://my.flexiti.com/index"

// NextStep encodes Flexiti's table of what to do after an event, for the
// flow the widget was opened with. It is advice on an untrusted message.
func NextStep(flow string, ev *WidgetEvent) Step {
	switch ev.Type {
	case EventCancel:
		return StepCancelled
	case EventFailure:
		return StepFailed
	}
	s := ev.Success
	if s == nil {
		return StepFailed
	}
	switch {
	case s.Action == "activation":
		return StepActivate
	case s.Action == "retry":
		return StepRetry
	case s.Action == "":
		return StepCannotProceed
	case flow == FlowApply && s.Action == "apply":
		return StepApply
	case flow == FlowPurchase && s.Action == "apply":
		return StepStartApply
	case s.Action == "purchase" && s.AccountNumber != nil && s.Verified:
		return StepAuthorize
	case s.Action == "purchase":
		return StepOtherTender
	}
	return StepCannotProceed
}
