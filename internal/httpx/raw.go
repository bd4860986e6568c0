package httpx

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
)

// RawBody is a copy of reply bytes kept as they came: a provider's reply
// whose members the SDK does not decode, or a bounded copy of an error body.
// Read it with string(b) or json.Unmarshal(b, &v).
//
// It never prints its content: fmt (every verb, %#v included) and slog show
// only its size, "RawBody(57 bytes)", since a reply may carry tokens or card
// data and fmt would otherwise print the bytes as numbers. MarshalJSON writes
// it as the JSON it holds (or as a JSON string when it is not JSON).
type RawBody []byte

// String is "RawBody(N bytes)".
func (b RawBody) String() string { return "RawBody(" + strconv.Itoa(len(b)) + " bytes)" }

// GoString is String: %#v shows the size, not the bytes.
func (b RawBody) GoString() string { return b.String() }

// Format writes String for every verb.
func (b RawBody) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(b.String())) }

// LogValue is String: slog's handlers, JSON included, log the size only.
func (b RawBody) LogValue() slog.Value { return slog.StringValue(b.String()) }

// MarshalJSON writes b as the JSON it holds, a JSON string when it is not
// valid JSON, or null when it is empty.
func (b RawBody) MarshalJSON() ([]byte, error) {
	switch {
	case len(b) == 0:
		return []byte("null"), nil
	case json.Valid(b):
		return b, nil
	}
	return json.Marshal(string(b))
}

// UnmarshalJSON keeps a copy of the JSON value as it came.
func (b *RawBody) UnmarshalJSON(data []byte) error {
	*b = append((*b)[:0], data...)
	return nil
}
