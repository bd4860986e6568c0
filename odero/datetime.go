package odero

import (
	"encoding/json"
	"errors"
	"time"
)

// DateTime is a gateway date-time. OderoPay sends local times without an
// offset ("2026-11-22T14:05:09", sometimes with fractional seconds); Time
// holds them as UTC wall-clock values (the zone is the region's: Istanbul or
// Baku) and Raw keeps the text as it came.
type DateTime struct {
	Time time.Time
	Raw  string
}

var dateTimeLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02",
}

// ParseDateTime accepts the layouts the gateway is known to send.
func ParseDateTime(s string) (DateTime, error) {
	for _, l := range dateTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return DateTime{Time: t, Raw: s}, nil
		}
	}
	return DateTime{Raw: s}, errors.New("odero: unrecognised date-time")
}

// IsZero reports whether no date-time was sent.
func (d DateTime) IsZero() bool { return d.Raw == "" && d.Time.IsZero() }

// MarshalJSON writes the raw text back, or null.
func (d DateTime) MarshalJSON() ([]byte, error) {
	if d.Raw != "" {
		return json.Marshal(d.Raw)
	}
	if d.Time.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.Time.Format("2006-01-02T15:04:05"))
}

// UnmarshalJSON accepts a string in any known layout, or null. An
// unrecognised layout keeps Raw and leaves Time zero rather than failing the
// whole reply.
func (d *DateTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = DateTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("odero: date-time is not a string")
	}
	dt, _ := ParseDateTime(s)
	*d = dt
	return nil
}
