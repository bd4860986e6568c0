package flexititest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/internal/fake"
	"github.com/paywidget/paywidget-go/internal/wire"
)

// resend sends a request the SDK made again after m has broken one thing.
func resend(t *testing.T, srv *flexititest.Server, orig fake.Request, m wire.Mutation) (int, []byte) {
	t.Helper()
	q, h, body, err := m.Apply(orig.RawQuery, orig.Header, orig.Body)
	require.NoError(t, err)
	u := strings.TrimSuffix(srv.URL, flexititest.Base) + orig.Path // recorded paths start with Base
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	status, b, err := wire.Send(srv.Client(), orig.Method, u, h, body)
	require.NoError(t, err)
	return status, b
}

// route names a recorded request by its path with the ids taken out.
func route(r fake.Request) string {
	p := r.Path
	if i := strings.Index(p, "/client-id/"); i >= 0 {
		rest := strings.SplitN(p[i+len("/client-id/"):], "/", 2)
		p = p[:i] + "/c/" + rest[1]
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if s != "" && strings.Trim(s, "0123456789") == "" {
			parts[i] = "{}"
		}
	}
	return r.Method + " " + strings.TrimPrefix(strings.Join(parts, "/"), flexititest.Base)
}

// Every request the fake serves refuses a wrongly typed field and a missing
// required field (or header) with Flexiti's error shape; the requests the
// SDK really sent pass (they were made through the client below).
func TestFakeRefusesWhatTheSpecificationForbids(t *testing.T) {
	srv := flexititest.NewServer(t)
	c, err := srv.NewClient()
	require.NoError(t, err)
	ctx := context.Background()

	apply := &flexiti.WidgetInitRequest{Flow: flexiti.FlowApply, CustomerIdentification: flexiti.CustomerIdentification{PersonalInformation: &flexiti.PersonalInformation{
		FirstName: "Jane", LastName: "Doe", DOB: "1980-01-01", PostalCode: "M1M1M1"}}, TOSAgreement: true, Email: "jane@example.com",
		PhoneNumber: "4165550100", Address1: "1 Main St", City: "Toronto", Province: "ON", AccountType: "consumer"}
	af, err := c.NewFlow(ctx)
	require.NoError(t, err)
	_, err = af.WidgetInit(ctx, apply)
	require.NoError(t, err)
	_, err = af.Apply(ctx, apply)
	require.NoError(t, err)
	srv.DeclineApplications(true) // a resent apply that passed would not open a second account

	f, err := c.NewFlow(ctx)
	require.NoError(t, err)
	ws, err := f.WidgetInit(ctx, &flexiti.WidgetInitRequest{Flow: flexiti.FlowPurchase,
		CustomerIdentification: flexiti.CustomerIdentification{AccountNumber: flexititest.AccountNumber}})
	require.NoError(t, err)
	_, ok := srv.PassWidget(ws.WidgetSessionID, flexititest.PIN)
	require.True(t, ok)
	a, err := f.Authorize(ctx, &flexiti.AuthorizeRequest{AccountNumber: flexititest.AccountNumber, Reference: "o-1", Amount: flexiti.MustParseAmount("100.00"),
		FinancingOption: flexiti.FinancingOption{TransactionType: flexiti.RegularPurchase}, SKUData: &flexiti.SKUData{
			Products: []flexiti.Product{{SKUID: "tea", Quantity: 2}}}})
	require.NoError(t, err)
	cp, err := c.Capture(ctx, a.AuthorizationID, &flexiti.CaptureRequest{Amount: flexiti.MustParseAmount("50.00"), Reference: "o-1"})
	require.NoError(t, err)
	_, err = c.Return(ctx, a.AuthorizationID, cp.CaptureID, &flexiti.ReturnRequest{FullReturn: true, Reference: "o-1-r"})
	require.NoError(t, err)
	amt := flexiti.MustParseAmount("10.00")
	_, err = c.Release(ctx, a.AuthorizationID, &flexiti.ReleaseRequest{Amount: &amt})
	require.NoError(t, err)
	_, err = c.Refund(ctx, flexititest.AccountNumber, &flexiti.RefundRequest{Amount: amt, Reference: "o-2"})
	require.NoError(t, err)
	_, err = c.CalculateInterest(ctx, flexititest.AccountNumber, amt)
	require.NoError(t, err)
	_, err = c.GetAuthorization(ctx, a.AuthorizationID)
	require.NoError(t, err)
	_, err = c.ListAuthorizations(ctx, flexiti.AuthorizationFilter{AccountNumber: flexititest.AccountNumber})
	require.NoError(t, err)
	_, err = c.Captures(ctx, nil)
	require.NoError(t, err)
	_, err = c.CustomersSearch(ctx, flexiti.PersonalInformation{FirstName: "Jane", LastName: "Doe", DOB: "1980-01-01"})
	require.NoError(t, err)
	_, err = c.CustomersLookup(ctx, "account_number", "20009100")
	require.NoError(t, err)

	sent := map[string]fake.Request{}
	for _, r := range srv.Requests() {
		key := route(r)
		if key == "POST /v2.5/c/widget/init" {
			var b struct{ Flow string }
			_ = json.Unmarshal(r.Body, &b)
			key += " " + b.Flow
		}
		if _, seen := sent[key]; !seen {
			sent[key] = r
		}
	}
	const (
		init    = "POST /v2.5/c/widget/init purchase"
		initAp  = "POST /v2.5/c/widget/init apply"
		applyR  = "POST /v2.5/c/apply"
		auth    = "POST /v2.5.1/c/authorization"
		capture = "POST /v2.5.1/c/authorization/{}/capture"
		ret     = "POST /v2.5.1/c/authorization/{}/capture/{}/return"
		release = "POST /v2.5.1/c/authorization/{}/release"
		refund  = "POST /v2.5.1/c/accounts/{}/refund"
		calc    = "POST /v2.5.1/c/accounts/{}/calculate-interest"
		getAuth = "GET /v2.5.1/c/authorization/{}"
		list    = "GET /v2.5.1/c/authorizations"
		caps    = "GET /v2.5.1/c/captures"
		search  = "GET /v2.5/c/customers/search"
		lookup  = "GET /v2.5/c/customers/lookup"
		token   = "POST /v2.5/oauth/token"
	)
	cases := []struct {
		name, request string
		m             wire.Mutation
		status        int
		code, param   string
	}{
		{"token client_id missing", token, wire.SetBody("client_secret=" + flexititest.ClientSecret + "&grant_type=client_credentials"), 400, "invalid_client", ""},
		{"token as JSON", token, wire.SetHeader("Content-Type", "application/json"), 400, "invalid_request", ""},
		{"token without x-reference-id", token, wire.DropHeader("x-reference-id"), 400, "wrong_inputs", ""},
		{"init account_number as a string", init, wire.SetField("customer_identification.account_number", `"20009100"`), 409, "wrong_inputs", "customer_identification.account_number"},
		{"init without flow", init, wire.DropField("flow"), 409, "wrong_inputs", "flow"},
		{"init reference not hex", init, wire.SetHeader("x-reference-id", strings.Repeat("g", 32)), 400, "wrong_inputs", ""},
		{"apply init phone_number as a string", initAp, wire.SetField("phone_number", `"4165550100"`), 409, "wrong_inputs", "phone_number"},
		{"apply init phone_number of 11 digits", initAp, wire.SetField("phone_number", `14165550100`), 409, "wrong_inputs", "phone_number"},
		{"apply init tos_agreement as a string", initAp, wire.SetField("tos_agreement", `"true"`), 409, "wrong_inputs", "tos_agreement"},
		{"apply init without phone_number", initAp, wire.DropField("phone_number"), 409, "wrong_inputs", "phone_number"},
		{"apply init without dob", initAp, wire.DropField("customer_identification.personal_information.dob"), 409, "wrong_inputs", "customer_identification.personal_information.dob"},
		{"apply phone_number as a string", applyR, wire.SetField("phone_number", `"4165550100"`), 409, "wrong_inputs", "phone_number"},
		{"apply without widget_session_id", applyR, wire.DropField("widget_session_id"), 409, "wrong_inputs", "widget_session_id"},
		{"authorize amount as a string", auth, wire.SetField("amount", `"100.00"`), 409, "wrong_inputs", "amount"},
		{"authorize amount with 3 places", auth, wire.SetField("amount", `100.001`), 409, "wrong_inputs", "amount"},
		{"authorize quantity as a string", auth, wire.SetField("sku_data.products.0.quantity", `"2"`), 409, "wrong_inputs", "sku_data.products[0].quantity"},
		{"authorize without auto_capture", auth, wire.DropField("auto_capture"), 409, "wrong_inputs", "auto_capture"},
		{"authorize without financing_option", auth, wire.DropField("financing_option"), 409, "wrong_inputs", "financing_option"},
		{"authorize as text/plain", auth, wire.SetHeader("Content-Type", "text/plain"), 409, "wrong_inputs", "Content-Type"},
		{"capture amount as a string", capture, wire.SetField("amount", `"50.00"`), 409, "wrong_inputs", "amount"},
		{"capture without amount", capture, wire.DropField("amount"), 409, "wrong_inputs", "amount"},
		{"return full_return as a string", ret, wire.SetField("full_return", `"true"`), 409, "wrong_inputs", "full_return"},
		{"return reference of 41", ret, wire.SetField("reference", `"`+strings.Repeat("r", 41)+`"`), 409, "wrong_inputs", "reference"},
		{"release amount as a string", release, wire.SetField("amount", `"10.00"`), 409, "wrong_inputs", "amount"},
		{"release reference as a number", release, wire.SetField("reference", `7`), 409, "wrong_inputs", "reference"},
		{"refund amount as a string", refund, wire.SetField("amount", `"10.00"`), 409, "wrong_inputs", "amount"},
		{"refund without amount", refund, wire.DropField("amount"), 409, "wrong_inputs", "amount"},
		{"interest amount as a string", calc, wire.SetField("amount", `"10.00"`), 409, "wrong_inputs", "amount"},
		{"interest without amount", calc, wire.DropField("amount"), 409, "wrong_inputs", "amount"},
		{"get authorization without x-reference-id", getAuth, wire.DropHeader("x-reference-id"), 400, "wrong_inputs", ""},
		{"get authorization lang too long", getAuth, wire.SetQuery("lang", "english"), 409, "wrong_inputs", "lang"},
		{"list page_size not a number", list, wire.SetQuery("page_size", "ten"), 409, "wrong_inputs", "page_size"},
		{"list without x-reference-id", list, wire.DropHeader("x-reference-id"), 400, "wrong_inputs", ""},
		{"captures lang too long", caps, wire.SetQuery("lang", "english"), 409, "wrong_inputs", "lang"},
		{"captures without Authorization", caps, wire.DropHeader("Authorization"), 401, "invalid_token", ""},
		{"search first_name too long", search, wire.SetQuery("first_name", strings.Repeat("J", 81)), 409, "wrong_inputs", "first_name"},
		{"search without dob", search, wire.DropQuery("dob"), 409, "wrong_inputs", "dob"},
		{"lookup account_number not a number", lookup, wire.SetQuery("account_number", "A2000"), 409, "wrong_inputs", "account_number"},
		{"lookup without x-reference-id", lookup, wire.DropHeader("x-reference-id"), 400, "wrong_inputs", ""},
	}
	before := srv.Authorizations()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			orig, ok := sent[tc.request]
			require.True(t, ok, "the SDK sent no %s", tc.request)
			status, body := resend(t, srv, orig, tc.m)
			assert.Equal(t, tc.status, status, string(body))
			var e struct {
				Error       string `json:"error"`
				FieldErrors []struct {
					Param string `json:"param"`
				} `json:"field_errors"`
			}
			require.NoError(t, json.Unmarshal(body, &e), string(body))
			assert.Equal(t, tc.code, e.Error)
			if tc.param != "" {
				require.Len(t, e.FieldErrors, 1)
				assert.Equal(t, tc.param, e.FieldErrors[0].Param)
			}
		})
	}
	assert.Equal(t, before, srv.Authorizations(), "no refused authorization was made")
}
