package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Set returns body with the field at path (dotted; a number indexes an
// array: "items.0.price") replaced by the raw JSON value. The fakes' tests
// use it to break one field of a request the SDK really sent.
func Set(body []byte, path string, value string) ([]byte, error) {
	return edit(body, strings.Split(path, "."), json.RawMessage(value), false)
}

// Delete returns body without the field at path.
func Delete(body []byte, path string) ([]byte, error) {
	return edit(body, strings.Split(path, "."), nil, true)
}

func edit(raw []byte, path []string, value json.RawMessage, del bool) ([]byte, error) {
	key, rest := path[0], path[1:]
	if i, err := strconv.Atoi(key); err == nil {
		var arr []json.RawMessage
		if err := json.Unmarshal(raw, &arr); err != nil || i < 0 || i >= len(arr) {
			return nil, errors.New("wire: no element " + key)
		}
		if len(rest) == 0 {
			if del {
				arr = append(arr[:i], arr[i+1:]...)
			} else {
				arr[i] = value
			}
		} else if arr[i], err = edit(arr[i], rest, value, del); err != nil {
			return nil, err
		}
		return json.Marshal(arr)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, errors.New("wire: no object at " + key)
	}
	if len(rest) == 0 {
		if del {
			if _, ok := obj[key]; !ok {
				return nil, errors.New("wire: no field " + key)
			}
			delete(obj, key)
		} else {
			obj[key] = value
		}
		return json.Marshal(obj)
	}
	inner, ok := obj[key]
	if !ok {
		return nil, errors.New("wire: no field " + key)
	}
	var err error
	if obj[key], err = edit(inner, rest, value, del); err != nil {
		return nil, err
	}
	return json.Marshal(obj)
}

// Mutation breaks one thing in a request: its query, headers or body.
type Mutation func(q url.Values, h http.Header, body []byte) ([]byte, error)

// SetField replaces the body field at path with raw JSON.
func SetField(path, raw string) Mutation {
	return func(_ url.Values, _ http.Header, b []byte) ([]byte, error) { return Set(b, path, raw) }
}

// DropField removes the body field at path.
func DropField(path string) Mutation {
	return func(_ url.Values, _ http.Header, b []byte) ([]byte, error) { return Delete(b, path) }
}

// SetQuery sets a query parameter.
func SetQuery(k, v string) Mutation {
	return func(q url.Values, _ http.Header, b []byte) ([]byte, error) { q.Set(k, v); return b, nil }
}

// DropQuery removes a query parameter.
func DropQuery(k string) Mutation {
	return func(q url.Values, _ http.Header, b []byte) ([]byte, error) {
		if !q.Has(k) {
			return nil, errors.New("wire: no query parameter " + k)
		}
		q.Del(k)
		return b, nil
	}
}

// SetHeader sets a header.
func SetHeader(k, v string) Mutation {
	return func(_ url.Values, h http.Header, b []byte) ([]byte, error) { h.Set(k, v); return b, nil }
}

// DropHeader removes a header.
func DropHeader(k string) Mutation {
	return func(_ url.Values, h http.Header, b []byte) ([]byte, error) {
		if h.Get(k) == "" {
			return nil, errors.New("wire: no header " + k)
		}
		h.Del(k)
		return b, nil
	}
}

// SetBody replaces the whole body.
func SetBody(body string) Mutation {
	return func(_ url.Values, _ http.Header, _ []byte) ([]byte, error) { return []byte(body), nil }
}

// Apply runs m on copies of a recorded request's parts and returns the new
// query, headers and body.
func (m Mutation) Apply(rawQuery string, h http.Header, body []byte) (url.Values, http.Header, []byte, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, nil, nil, err
	}
	h = h.Clone()
	b, err := m(q, h, append([]byte(nil), body...))
	return q, h, b, err
}

// Send sends one request made of method, rawURL, h and body with hc and
// returns the status and the whole reply. The fakes' tests use it to send
// again a request the SDK made, once a Mutation broke one thing in it.
func Send(hc *http.Client, method, rawURL string, h http.Header, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(method, rawURL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header = h
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
