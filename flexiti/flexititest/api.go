package flexititest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/internal/decimal"
)

func (s *Server) widgetInit(w http.ResponseWriter, r *http.Request, c *call) {
	flow := str(c.body["flow"])
	if flow != flexiti.FlowPurchase && flow != flexiti.FlowApply {
		writeError(w, r, 409, "wrong_inputs", "flow must be purchase or apply")
		return
	}
	var id struct {
		AccountNumber flexiti.ID `json:"account_number"`
	}
	_ = json.Unmarshal(c.body["customer_identification"], &id)
	sid := newSecret()
	s.mu.Lock()
	s.sessions[sid] = &session{token: c.token, flow: flow, account: int64(id.AccountNumber)}
	s.mu.Unlock()
	q := url.Values{"lang": {"en"}, "x-reference-id": {r.Header.Get("x-reference-id")}, "widget_session_id": {sid}}
	writeJSON(w, 200, map[string]string{"redirection_url": s.URL + "/#/widget/" + ClientID + "/" + c.token + "?" + q.Encode()})
}

// verify is the stand-in widget's own call: the shopper entered the PIN.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	var in struct {
		WidgetSessionID string `json:"widget_session_id"`
		PIN             string `json:"pin"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil {
		writeJSON(w, 400, map[string]any{"eventType": flexiti.EventFailure, "eventData": map[string]any{"error": 400, "message": "bad request"}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ses, ok := s.sessions[in.WidgetSessionID]
	if !ok {
		writeJSON(w, 404, map[string]any{"eventType": flexiti.EventFailure, "eventData": map[string]any{"error": 404, "message": "unknown widget session"}})
		return
	}
	account := ses.account
	if account == 0 {
		account = AccountNumber
	}
	verified := in.PIN == PIN
	if verified {
		if t := s.tokens[ses.token]; t != nil {
			t.passed = account
		}
	}
	data := map[string]any{"accountNumber": account, "verified": verified, "action": ses.flow, "mfaOptionSelected": "sms",
		"widget_session_id": in.WidgetSessionID, "customerId": "1234567-12345", "accountType": "consumer"}
	if ses.flow == flexiti.FlowApply {
		data["accountNumber"] = nil
	}
	writeJSON(w, 200, map[string]any{"eventType": flexiti.EventSuccess, "eventData": data})
}

// PassWidget plays the shopper in the widget: the PIN is entered for the
// widget session, as the stand-in page would. It returns the event the
// widget would post.
func (s *Server) PassWidget(widgetSessionID, pin string) (json.RawMessage, bool) {
	rec := &recorder{header: http.Header{}}
	body, _ := json.Marshal(map[string]string{"widget_session_id": widgetSessionID, "pin": pin})
	req, _ := http.NewRequest(http.MethodPost, Base+"/widget/verify", bytesReader(body))
	s.verify(rec, req)
	return rec.body, rec.status == 200
}

func (s *Server) apply(w http.ResponseWriter, r *http.Request, c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ses, ok := s.sessions[str(c.body["widget_session_id"])]
	switch {
	case !ok || ses.token != c.token || ses.flow != flexiti.FlowApply:
		writeError(w, r, 409, "not_verified", "widget session does not match this token")
	case string(c.body["tos_agreement"]) != "true":
		writeError(w, r, 409, "tos_agreement_required", "tos_agreement required")
	case s.declineAp:
		writeError(w, r, 409, "application_declined", "application declined")
	default:
		acct := s.nextID() + 30000000
		writeJSON(w, 200, map[string]any{"account_number": acct, "credit_limit": "2500.00"})
	}
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request, c *call) {
	if _, ok := c.body["verification_code"]; ok {
		writeError(w, r, 409, "wrong_inputs", "verification_code is for in-store only")
		return
	}
	amt, ok := amount(c.body["amount"])
	if !ok {
		writeError(w, r, 409, "wrong_inputs", "amount is required")
		return
	}
	var fo struct {
		TransactionType string     `json:"transaction_type"`
		PlanID          flexiti.ID `json:"plan_id"`
		Term            int        `json:"term"`
	}
	_ = json.Unmarshal(c.body["financing_option"], &fo)
	switch {
	case fo.TransactionType != flexiti.PromotionalPurchase && fo.TransactionType != flexiti.RegularPurchase:
		writeError(w, r, 409, "wrong_inputs", "financing_option.transaction_type must be promotional_purchase or regular_purchase")
		return
	case fo.TransactionType == flexiti.PromotionalPurchase && (fo.PlanID == 0 || fo.Term == 0):
		writeError(w, r, 409, "plan_term_not_set", "plan and term required")
		return
	case fo.TransactionType == flexiti.PromotionalPurchase && (fo.PlanID != promoPlan || fo.Term != promoTerm):
		// The plans offered are calculate-interest's.
		writeError(w, r, 409, "plan_term_not_available", "plan or term not available")
		return
	}
	if len(str(c.body["reference"])) > 40 {
		writeError(w, r, 409, "wrong_inputs", "reference is at most 40 characters")
		return
	}
	acct := num(c.body["account_number"])
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.tok.scope == flexiti.ScopeCustomer && c.tok.passed != acct {
		writeError(w, r, 404, "customer_identity_not_found", "the customer did not pass through the widget")
		return
	}
	if !isTestAccount(acct) {
		writeError(w, r, 404, "not_found", "account not found")
		return
	}
	total, _ := s.used.Add(amt)
	if total.Cmp(s.limit) > 0 {
		writeError(w, r, 409, "credit_exceeded", "amount exceeds the available credit")
		return
	}
	a := &auth{captures: map[int64]decimal.Decimal{}}
	a.AuthorizationID = flexiti.ID(s.nextID())
	a.AccountNumber = flexiti.ID(acct)
	var err error
	if a.Amount, err = flexiti.ParseAmount(amt.String()); err != nil {
		writeError(w, r, 409, "wrong_inputs", "amount is not number(18,2)")
		return
	}
	a.Reference = str(c.body["reference"])
	a.financing = fo.TransactionType
	a.Status = flexiti.AuthorizationStatusOpened
	if string(c.body["auto_capture"]) == "true" {
		cid := s.nextID()
		a.captures[cid] = amt
		a.captured = amt
		id := flexiti.ID(cid)
		a.CaptureID = &id
	}
	s.auths[int64(a.AuthorizationID)] = a
	s.used = total
	writeJSON(w, 200, a.Authorization)
}

// The one promotional plan the fake offers (calculate-interest): plan 77
// over 12 months.
const (
	promoPlan = 77
	promoTerm = 12
)

func decimalOf(a flexiti.Amount) decimal.Decimal { return decimal.MustParse(a.String()) }

// dollars is d as Flexiti writes an amount back: two decimals. Every
// amount the fake holds came through amount, so it has at most two places
// and rescaling keeps it exact.
func dollars(d decimal.Decimal) decimal.Decimal {
	if r, err := d.Rescale(2); err == nil {
		return r
	}
	return d
}

func (s *Server) findAuth(w http.ResponseWriter, r *http.Request) *auth {
	a := s.auths[num(json.RawMessage(r.PathValue("id")))]
	if a == nil {
		writeError(w, r, 404, "not_found", "authorization not found")
	}
	return a
}

func (s *Server) getAuth(w http.ResponseWriter, r *http.Request, _ *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.findAuth(w, r); a != nil {
		writeJSON(w, 200, a.Authorization)
	}
}

// listAuths lists authorizations filtered as Flexiti documents:
// account_number, transaction_type (the financing) and
// authorization_status; oldest first, all on one page.
func (s *Server) listAuths(w http.ResponseWriter, r *http.Request, _ *call) {
	q := r.URL.Query()
	acct := num(json.RawMessage(q.Get("account_number")))
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, len(s.auths))
	for id := range s.auths {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := []flexiti.Authorization{}
	for _, id := range ids {
		a := s.auths[id]
		if (acct == 0 || int64(a.AccountNumber) == acct) &&
			(q.Get("transaction_type") == "" || a.financing == q.Get("transaction_type")) &&
			(q.Get("authorization_status") == "" || a.Status == q.Get("authorization_status")) {
			out = append(out, a.Authorization)
		}
	}
	writeJSON(w, 200, out)
}

func (s *Server) capture(w http.ResponseWriter, r *http.Request, c *call) {
	amt, ok := amount(c.body["amount"])
	if !ok {
		writeError(w, r, 409, "wrong_inputs", "amount is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.findAuth(w, r)
	if a == nil {
		return
	}
	total, _ := a.captured.Add(amt)
	if a.released || total.Cmp(decimalOf(a.Amount)) > 0 {
		writeError(w, r, 409, "capture_amount_exceeded", "capture exceeds the authorization")
		return
	}
	a.captured = total
	cid := s.nextID()
	a.captures[cid] = amt
	if ref := str(c.body["reference"]); ref != "" {
		if a.refs == nil {
			a.refs = map[int64]string{}
		}
		a.refs[cid] = ref
	}
	writeJSON(w, 200, map[string]any{"capture_id": cid, "authorization_id": a.AuthorizationID, "amount": dollars(amt), "reference": str(c.body["reference"]), "date": "2026-11-22T10:00:00Z"})
}

func (s *Server) release(w http.ResponseWriter, r *http.Request, _ *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.findAuth(w, r)
	if a == nil {
		return
	}
	if !a.released {
		s.used, _ = s.used.Add(negate(decimalOf(a.Amount)))
	}
	a.released = true
	a.Status = "released"
	writeJSON(w, 200, map[string]any{"authorization_id": a.AuthorizationID, "authorization_status": a.Status})
}

func (s *Server) ret(w http.ResponseWriter, r *http.Request, c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.findAuth(w, r)
	if a == nil {
		return
	}
	cid := num(json.RawMessage(r.PathValue("cap")))
	captured, ok := a.captures[cid]
	if !ok {
		writeError(w, r, 404, "not_found", "capture not found")
		return
	}
	amt := captured
	if string(c.body["full_return"]) != "true" {
		var ok bool
		if amt, ok = amount(c.body["amount"]); !ok || amt.Cmp(captured) > 0 {
			writeError(w, r, 409, "capture_amount_exceeded", "return exceeds the capture")
			return
		}
	}
	left, _ := captured.Add(negate(amt))
	a.captures[cid] = left
	s.returns++
	writeJSON(w, 200, map[string]any{"return_id": s.nextID(), "reference": str(c.body["reference"]), "capture_id": cid, "date": "2026-11-22T10:05:00Z",
		"amount": dollars(amt), "remaining_capture_amount": dollars(left)})
}

func negate(d decimal.Decimal) decimal.Decimal {
	n, _ := decimal.New(-d.Coef(), d.Scale())
	return n
}

func (s *Server) refund(w http.ResponseWriter, r *http.Request, c *call) {
	if _, ok := amount(c.body["amount"]); !ok {
		writeError(w, r, 409, "wrong_inputs", "amount is required")
		return
	}
	writeJSON(w, 200, map[string]any{"refund_id": s.nextIDLocked(), "account_number": r.PathValue("acct")})
}

func (s *Server) nextIDLocked() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextID()
}

func (s *Server) captures(w http.ResponseWriter, _ *http.Request, _ *call) {
	type capture struct {
		CaptureID       int64           `json:"capture_id"`
		AuthorizationID flexiti.ID      `json:"authorization_id"`
		Amount          decimal.Decimal `json:"amount"`
		Reference       string          `json:"reference,omitempty"`
	}
	// Copied under the lock, written without it: the listing grows with
	// every capture, and the other calls should not wait for its encoding.
	s.mu.Lock()
	out := []capture{}
	for _, a := range s.auths {
		for id, amt := range a.captures {
			out = append(out, capture{CaptureID: id, AuthorizationID: a.AuthorizationID, Amount: dollars(amt), Reference: a.refs[id]})
		}
	}
	s.mu.Unlock()
	writeJSON(w, 200, out)
}

func (s *Server) interest(w http.ResponseWriter, r *http.Request, c *call) {
	amt, ok := amount(c.body["amount"])
	if !ok || !isTestAccount(num(json.RawMessage(r.PathValue("acct")))) {
		writeError(w, r, 404, "not_found", "account not found")
		return
	}
	cents, err := amt.MinorUnits(2)
	if err != nil {
		writeError(w, r, 409, "wrong_inputs", "amount is not number(18,2)")
		return
	}
	per12, _ := decimal.New(cents/12, 2) // |cents/12| fits: no error
	writeJSON(w, 200, map[string]any{
		"account_number": AccountNumber, "account_type": "consumer", "amount": dollars(amt),
		"regular_purchase":     map[string]any{"term_amount": dollars(amt), "air": "29.99"},
		"promotional_purchase": map[string]any{"plan_id": promoPlan, "terms": []map[string]any{{"term": promoTerm, "term_amount": dollars(per12), "apr": "0.00"}}},
	})
}

func (s *Server) search(w http.ResponseWriter, _ *http.Request, _ *call) {
	s.mu.Lock()
	limit := dollars(s.limit)
	s.mu.Unlock()
	writeJSON(w, 200, []map[string]any{{"customer_id": "1234567-12345", "account_number": AccountNumber, "account_status": "N",
		"account_status_reason_code": "NNOR", "customer_account_type": "consumer", "first_name": "Jane", "last_name": "Doe",
		"card_ending_in": "4242", "credit_limit": limit.String(), "available_credit": limit.String(), "preferred_language": "en-CA"}})
}

// isTestAccount reports whether acct is one of the fake's test accounts:
// AccountNumber and the TestAccounts-1 numbers after it.
func isTestAccount(acct int64) bool {
	return acct >= AccountNumber && acct < AccountNumber+TestAccounts
}
