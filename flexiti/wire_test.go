package flexiti_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/flexiti"
	"github.com/paywidget/paywidget-go/flexiti/flexititest"
	"github.com/paywidget/paywidget-go/internal/fake"
)

// lastBody is the body of the last request whose path ends with suffix.
func lastBody(t *testing.T, srv *flexititest.Server, suffix string) fake.Request {
	t.Helper()
	reqs := srv.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if strings.HasSuffix(reqs[i].Path, suffix) {
			return reqs[i]
		}
	}
	t.Fatalf("no request to …%s", suffix)
	return fake.Request{}
}

func applyInit() *flexiti.WidgetInitRequest {
	return &flexiti.WidgetInitRequest{Flow: flexiti.FlowApply,
		CustomerIdentification: flexiti.CustomerIdentification{PersonalInformation: &flexiti.PersonalInformation{
			FirstName: "Jane", LastName: "Doe", DOB: "1980-01-01", PostalCode: "M1M1M1"}},
		TOSAgreement: true, Email: "jane@example.com", PhoneNumber: "5145550123",
		Address1: "1 Main St", City: "Toronto", Province: "ON", AccountType: "consumer"}
}

// The bodies the SDK sends, byte for byte, against the specification's
// types and examples (flexiti.md §5, §7.2, §7.3, §7.7): numbers where it
// writes number(N) or number(18,2), strings where it writes ASCII(N), the
// purchase example's "account_number":20009100 unquoted, and phone_number
// (number(10)) unquoted as in Flexiti's apply example.
func TestRequestBodiesMatchTheSpecification(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := newClient(t, srv)
	ctx := context.Background()

	// §5 purchase example: {"customer_identification":{"account_number":20009100,…},"flow":"purchase"}
	f, err := c.NewFlow(ctx)
	require.NoError(t, err)
	ws, err := f.WidgetInit(ctx, purchaseInit())
	require.NoError(t, err)
	assert.Equal(t, `{"flow":"purchase","customer_identification":{"account_number":20009100}}`,
		string(lastBody(t, srv, "/widget/init").Body))

	// §5 apply fields: phone_number number(10), tos_agreement boolean.
	af, err := c.NewFlow(ctx)
	require.NoError(t, err)
	_, err = af.WidgetInit(ctx, applyInit())
	require.NoError(t, err)
	const applyFields = `"flow":"apply","customer_identification":{"personal_information":{"first_name":"Jane","last_name":"Doe","dob":"1980-01-01","postal_code":"M1M1M1"}},` +
		`"tos_agreement":true,"email":"jane@example.com","phone_number":5145550123,"address_1":"1 Main St","city":"Toronto","province":"ON","account_type":"consumer"`
	assert.Equal(t, `{`+applyFields+`}`, string(lastBody(t, srv, "/widget/init").Body))

	// §7.1 apply repeats widget/init's fields with widget_session_id.
	_, err = af.Apply(ctx, applyInit())
	require.NoError(t, err)
	applyBody := lastBody(t, srv, "/apply").Body
	assert.True(t, strings.HasPrefix(string(applyBody), `{`+applyFields+`,"widget_session_id":"`), string(applyBody))
	assert.Contains(t, string(applyBody), `"phone_number":5145550123,`)

	// §7.2 authorization: account_number number(14), amount number(18,2), auto_capture boolean.
	_, ok := srv.PassWidget(ws.WidgetSessionID, flexititest.PIN)
	require.True(t, ok)
	a, err := f.Authorize(ctx, authorizeReq("order-1"))
	require.NoError(t, err)
	assert.Equal(t, `{"account_number":20009100,"reference":"order-1","financing_option":{"transaction_type":"regular_purchase"},"amount":1499.99,"auto_capture":false}`,
		string(lastBody(t, srv, "/authorization").Body))

	// §7.3 capture, return, release.
	cp, err := c.Capture(ctx, a.AuthorizationID, &flexiti.CaptureRequest{Amount: flexiti.MustParseAmount("1000"), Reference: "order-1"})
	require.NoError(t, err)
	assert.Equal(t, `{"amount":1000.00,"reference":"order-1"}`, string(lastBody(t, srv, "/capture").Body))
	part := flexiti.MustParseAmount("10.5")
	_, err = c.Return(ctx, a.AuthorizationID, cp.CaptureID, &flexiti.ReturnRequest{Reference: "order-1-r", Amount: &part})
	require.NoError(t, err)
	assert.Equal(t, `{"reference":"order-1-r","full_return":false,"amount":10.50}`, string(lastBody(t, srv, "/return").Body))
	_, err = c.Release(ctx, a.AuthorizationID, nil)
	require.NoError(t, err)
	assert.Equal(t, `{}`, string(lastBody(t, srv, "/release").Body))

	// §7.7 example: {"amount": 234.45}
	_, err = c.CalculateInterest(ctx, flexititest.AccountNumber, flexiti.MustParseAmount("234.45"))
	require.NoError(t, err)
	assert.Equal(t, `{"amount":234.45}`, string(lastBody(t, srv, "/calculate-interest").Body))
}

// A phone number decodes from a number or a string and encodes as a number.
func TestPhoneNumberJSON(t *testing.T) {
	var r flexiti.WidgetInitRequest
	require.NoError(t, json.Unmarshal([]byte(`{"phone_number":5145550123}`), &r))
	assert.Equal(t, flexiti.PhoneNumber("5145550123"), r.PhoneNumber)
	require.NoError(t, json.Unmarshal([]byte(`{"phone_number":"4165550100"}`), &r))
	assert.Equal(t, flexiti.PhoneNumber("4165550100"), r.PhoneNumber)
	assert.Error(t, json.Unmarshal([]byte(`{"phone_number":"+1 416"}`), &r))
	b, err := json.Marshal(flexiti.PhoneNumber("4165550100"))
	require.NoError(t, err)
	assert.Equal(t, `4165550100`, string(b))
	_, err = json.Marshal(flexiti.PhoneNumber("416555010"))
	assert.Error(t, err, "nine digits cannot be sent as number(10)")
	b, err = json.Marshal(purchaseInit())
	require.NoError(t, err)
	assert.NotContains(t, string(b), "phone_number", "left out when not set")
}

// isV4 reports 32 lower-case hex digits with version nibble 4 and variant
// bits 10 (RFC 9562).
func isV4(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(s) == 32 && strings.ToLower(s) == s && b[6]>>4 == 4 && b[8]>>6 == 2
}

// Every x-reference-id is a version-4 GUID in 32 hex digits: the flows',
// the token requests' and each back-office call's own (flexiti.md §2).
func TestReferenceIDsAreVersion4GUIDs(t *testing.T) {
	srv := flexititest.NewServer(t)
	c := newClient(t, srv)
	ctx := context.Background()
	f := passedFlow(t, srv, c)
	a, err := f.Authorize(ctx, authorizeReq("order-ref"))
	require.NoError(t, err)
	for range 5 {
		_, err := c.GetAuthorization(ctx, a.AuthorizationID)
		require.NoError(t, err)
	}
	seen := map[string]string{}
	backOffice := 0
	for _, r := range srv.Requests() {
		ref := r.Header.Get("x-reference-id")
		require.True(t, isV4(ref), "%s %s: x-reference-id %q", r.Method, r.Path, ref)
		if strings.Contains(r.Path, "/authorization/") && r.Method == "GET" {
			backOffice++
			assert.NotContains(t, seen, ref, "each back-office call has its own GUID")
		}
		seen[ref] = r.Path
	}
	assert.Equal(t, 5, backOffice)
	assert.True(t, isV4(f.ReferenceID()))
	for range 1000 {
		id := flexiti.NewReferenceID()
		require.True(t, isV4(id), id)
		require.NotContains(t, seen, id)
		seen[id] = ""
	}
}

// BenchmarkNewReferenceID is the cost of one back-office x-reference-id (a
// version-4 GUID from the buffered crypto/rand reader).
func BenchmarkNewReferenceID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if len(flexiti.NewReferenceID()) != 32 {
			b.Fatal("length")
		}
	}
}
