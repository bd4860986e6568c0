package finrota

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// MaxReturnBytes bounds the body of a return read by ParseReturn.
const MaxReturnBytes = 64 << 10

// ErrInvalidReturn is matched when a return request cannot be read.
var ErrInvalidReturn = errors.New("finrota: invalid return")

// Return is what the bank sends back to returnUrl after 3-D Secure.
// Finrota documents neither its fields nor any signature: it is NOT
// verified, and an order must never be fulfilled on it alone — confirm with
// ListPayments (or Finrota's panel) first.
type Return struct {
	// Values holds every field received, as sent.
	Values map[string][]string
	// Known fields, matched case-insensitively, filled when present.
	OrderID             string
	ClientReferenceCode string
	Success             *bool
	Error               string
	// Verified is always false: nothing in the return can be checked.
	Verified bool
}

// ParseReturn reads returnUrl's request: a GET query or a form POST (at most
// MaxReturnBytes). It keeps every raw value and fills the known fields.
func ParseReturn(r *http.Request) (*Return, error) {
	switch r.Method {
	case http.MethodGet, http.MethodPost:
	default:
		return nil, ErrInvalidReturn
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(nil, r.Body, MaxReturnBytes)
	}
	if err := r.ParseForm(); err != nil {
		return nil, errors.Join(ErrInvalidReturn, errors.New("unreadable or larger than 64 KiB"))
	}
	out := &Return{Values: map[string][]string{}}
	for k, vs := range r.Form {
		out.Values[k] = append([]string(nil), vs...)
		if len(vs) == 0 {
			continue
		}
		v := vs[0]
		switch strings.ToLower(k) {
		case "orderid":
			out.OrderID = v
		case "clientreferencecode":
			out.ClientReferenceCode = v
		case "success", "issuccess":
			if b, err := strconv.ParseBool(strings.TrimSpace(v)); err == nil {
				out.Success = &b
			}
		case "error", "errormessage", "message":
			if out.Error == "" {
				out.Error = v
			}
		}
	}
	return out, nil
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func errMissing(what string) error { return errors.New("reply lacks " + what) }
