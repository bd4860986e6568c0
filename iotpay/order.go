package iotpay

import (
	"encoding/json"
	"time"
)

// Status is an order's status as IOTPay reports it; the raw value is kept
// because new values may appear.
type Status int

// Documented statuses of v3 card orders.
const (
	StatusPending Status = 0
	StatusUnknown Status = 1
	StatusSuccess Status = 2
	// StatusComplete is success after the merchant acknowledged the notify.
	StatusComplete Status = 3
	StatusFailed   Status = 9
)

// Paid reports status 2 or 3: the money was taken (or refunded, for a
// refund record).
func (s Status) Paid() bool { return s == StatusSuccess || s == StatusComplete }

// Failed reports status 9.
func (s Status) Failed() bool { return s == StatusFailed }

// Pending reports every other status (0, 1 and any unknown value): query
// again later; never treat it as a failure.
func (s Status) Pending() bool { return !s.Paid() && !s.Failed() }

// Outcome names the status for people: "paid", "failed" or "pending".
func (s Status) Outcome() string {
	switch {
	case s.Paid():
		return "paid"
	case s.Failed():
		return "failed"
	}
	return "pending"
}

// Card types IOTPay reports in cardType.
const (
	CardVisa       = "V"
	CardMastercard = "M"
	CardInterac    = "D"
)

// Order is IOTPay's order object: the retData of purchases with a token,
// voids, refunds and queries, and the body of a notification. Refund and
// void records have PayType "refund" and OriginalOrderID set.
type Order struct {
	PayOrderID      string `json:"payOrderId"`
	MerchantID      string `json:"mchId"`
	MchOrderNo      string `json:"mchOrderNo"`
	OriginalOrderID string `json:"originalOrderId,omitempty"`
	// Amount is the order's amount (cents on the wire).
	Amount   Amount `json:"amount"`
	Currency string `json:"currency"`
	PayType  string `json:"payType"`
	// Refundable is what is left to refund (cents on the wire).
	Refundable Amount `json:"refundable"`
	Status     Status `json:"status"`
	// PaySuccTime is "yyyy-MM-dd HH:mm:ss" in a zone IOTPay does not state.
	PaySuccTime string `json:"paySuccTime,omitempty"`
	// CardNum is masked by IOTPay (432567******2266).
	CardNum     string `json:"cardNum,omitempty"`
	ExpiryDate  string `json:"expiryDate,omitempty"`
	CardType    string `json:"cardType,omitempty"`
	InvoiceNum  string `json:"invoiceNum,omitempty"`
	AuthNum     string `json:"authNum,omitempty"`
	TransNum    string `json:"transNum,omitempty"`
	Channel     string `json:"channel,omitempty"`
	RedirectURL string `json:"redirectUrl,omitempty"`
	Capture     string `json:"capture,omitempty"`

	// Meta is the HTTP metadata of the reply (zero for notifications).
	Meta Meta `json:"-"`
}

// Paid reports that the money was taken: Status is 2 or 3 (Status.Paid).
func (o *Order) Paid() bool { return o.Status.Paid() }

// PaidAt parses PaySuccTime in loc (IOTPay does not say which zone it uses).
func (o *Order) PaidAt(loc *time.Location) (time.Time, bool) {
	if o.PaySuccTime == "" || loc == nil {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05", o.PaySuccTime, loc)
	return t, err == nil
}

// UnmarshalJSON accepts numbers sent as strings ("1500") as well as numbers;
// numbers never pass through float64.
func (o *Order) UnmarshalJSON(b []byte) error {
	type plain Order
	var raw struct {
		plain
		Amount     flexInt `json:"amount"`
		Refundable flexInt `json:"refundable"`
		Status     flexInt `json:"status"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*o = Order(raw.plain)
	o.Amount, o.Refundable, o.Status = AmountFromMinor(int64(raw.Amount)), AmountFromMinor(int64(raw.Refundable)), Status(raw.Status)
	return nil
}

// MarshalJSON writes the order as IOTPay does: amount and refundable in
// integer cents.
func (o Order) MarshalJSON() ([]byte, error) {
	type plain Order
	return json.Marshal(struct {
		plain
		Amount     int64 `json:"amount"`
		Refundable int64 `json:"refundable"`
	}{plain(o), cents(o.Amount), cents(o.Refundable)})
}

// flexInt decodes an integer JSON number or a string holding one.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			return nil
		}
		b = []byte(s)
	}
	var n json.Number = json.Number(b)
	v, err := n.Int64()
	if err != nil {
		return err
	}
	*f = flexInt(v)
	return nil
}
