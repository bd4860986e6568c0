package wire

import (
	"encoding/json"
	"errors"
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
