package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// CORS: a dashboard served from another origin may call /graphql when its
// origin is one of the configured ones. Callers authenticate with bearer
// tokens, never cookies, so the hub allows no credentials mode and a
// browser sends no ambient authority to it from any page.
const (
	corsAllowMethods = "GET, POST"
	corsAllowHeaders = "Authorization, Content-Type, X-Query-Purpose"
	// corsExposeHeaders are the response headers a page may read besides
	// the safelisted ones: the rate limit's budget and the request id to
	// quote in a report.
	corsExposeHeaders = "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, X-Request-Id"
	// corsMaxAge is how long a browser may reuse a preflight's answer: an
	// origin taken off the list is refused within ten minutes.
	corsMaxAge = 10 * 60
)

// ParseOrigins reads a comma-separated list of exact origins, each as a
// browser sends it in the Origin header: scheme://host[:port], lower case,
// http or https, no path, no default port. Anything else is refused with
// what is wrong, wildcards and "null" included: an origin either matches
// byte for byte or is not allowed.
func ParseOrigins(list string) ([]string, error) {
	var origins []string
	for _, o := range strings.Split(list, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if err := checkOrigin(o); err != nil {
			return nil, fmt.Errorf("%q is not an origin: %s (an origin is scheme://host[:port] as a browser sends it, such as https://dash.example.gov.cn)", o, err)
		}
		origins = append(origins, o)
	}
	return origins, nil
}

func checkOrigin(o string) error {
	if o == "null" || strings.Contains(o, "*") {
		return fmt.Errorf("only exact origins are allowed, no wildcard and not null")
	}
	u, err := url.Parse(o)
	if err != nil {
		return fmt.Errorf("it does not parse")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("the scheme must be http or https")
	case u.Opaque != "" || u.Host == "":
		return fmt.Errorf("there is no host")
	case u.User != nil:
		return fmt.Errorf("it may not hold a user or password")
	case u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return fmt.Errorf("it may not have a path, not even a trailing /, a query or a fragment")
	case o != u.Scheme+"://"+u.Host:
		return fmt.Errorf("write it as a browser sends it: the scheme in lower case and nothing after the host and port")
	}
	if !strings.HasPrefix(u.Host, "[") && strings.ContainsFunc(u.Hostname(), notHostChar) {
		return fmt.Errorf("the host may hold only a-z, 0-9, '-' and '.' (lower case; an internationalised name in its xn-- form)")
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != p {
			return fmt.Errorf("the port must be a number from 1 to 65535")
		}
		if (u.Scheme == "https" && n == 443) || (u.Scheme == "http" && n == 80) {
			return fmt.Errorf("leave out the default port: browsers do")
		}
	}
	return nil
}

// notHostChar reports whether c cannot be part of a host name as browsers
// serialise it (lower case ASCII, internationalised names as xn--).
func notHostChar(c rune) bool {
	return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.')
}

// withCORS answers preflights and marks the responses of the allowed
// origins. An origin that is not allowed gets no CORS header at all and its
// preflight a 403, so the browser blocks the page from reading anything.
// The request itself is still served: CORS binds browsers only, and a
// client outside one needs a token like any other.
func withCORS(origins []string, next http.Handler) http.Handler {
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		allowed[o] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		sent := r.Header.Values("Origin")
		ok := len(sent) == 1 && allowed[sent[0]]
		if r.Method == http.MethodOptions && len(sent) > 0 && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if !ok {
				http.Error(w, "this origin may not call the hub from a browser (CREDITHUB_CORS_ORIGINS)", http.StatusForbidden)
				return
			}
			h.Set("Access-Control-Allow-Origin", sent[0])
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", strconv.Itoa(corsMaxAge))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if ok {
			h.Set("Access-Control-Allow-Origin", sent[0])
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		next.ServeHTTP(w, r)
	})
}

// originPatterns are the CORS origins as the WebSocket handshake's
// patterns: with the scheme, so that each matches its one origin, and with
// glob characters (an IPv6 literal's brackets) escaped.
func originPatterns(origins []string) []string {
	escape := strings.NewReplacer(`[`, `\[`, `]`, `\]`)
	patterns := make([]string, len(origins))
	for i, o := range origins {
		patterns[i] = escape.Replace(o)
	}
	return patterns
}
