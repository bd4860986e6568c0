package httpx

import "net/http"

// EscapeHatch checks and prepares the arguments of a provider client's Do,
// the call for an endpoint the SDK does not wrap: path must be absolute and
// free of "..", in (may be nil) is encoded as JSON. A GET or HEAD is
// RetrySafe; every other method is RetryIfNotSent, so it is sent again only
// when it provably never left.
func EscapeHatch(provider, method, path string, in any) (body []byte, class RetryClass, err error) {
	if method == "" || !validMethod(method) {
		return nil, 0, Invalid(provider, "method", "must be an HTTP method such as GET or POST")
	}
	if len(path) == 0 || path[0] != '/' || containsDotDot(path) {
		return nil, 0, Invalid(provider, "path", "must be an absolute path without ..")
	}
	if in != nil {
		b, err := MarshalJSON(in)
		if err != nil {
			return nil, 0, Invalid(provider, "in", "cannot be encoded as JSON")
		}
		body = b
	}
	class = RetryIfNotSent
	if method == http.MethodGet || method == http.MethodHead {
		class = RetrySafe
	}
	return body, class, nil
}

func validMethod(m string) bool {
	for i := 0; i < len(m); i++ {
		if c := m[i]; c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func containsDotDot(p string) bool {
	for i := 0; i+1 < len(p); i++ {
		if p[i] == '.' && p[i+1] == '.' {
			return true
		}
	}
	return false
}
