package server

import (
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// What reaches a lab carries none of the range's credentials.
func TestLabRequestLeavesTheRangesCredentialsBehind(t *testing.T) {
	var from fasthttp.Request
	from.SetRequestURI("/lab-web/cap123/fetch?url=http%3A%2F%2F169.254.169.254%2F")
	from.Header.SetMethod("POST")
	from.Header.SetHost("range.example.org")
	for k, v := range map[string]string{
		"Cookie": "sakimori_refresh=secret", "Authorization": "Bearer access-token", "Origin": "https://range.example.org",
		"Referer": "https://range.example.org/labs/l1", "X-Forwarded-For": "203.0.113.9", "X-Real-Ip": "203.0.113.9",
		"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Chrome",
	} {
		from.Header.Set(k, v)
	}
	from.SetBodyString("a=1")

	req := labRequest(&from, "fetch", "web", 80)
	raw := req.String()
	for _, leaked := range []string{"secret", "access-token", "range.example.org", "203.0.113.9"} {
		if strings.Contains(raw, leaked) {
			t.Errorf("the lab would see %q:\n%s", leaked, raw)
		}
	}
	for _, kept := range []string{"POST /fetch?url=http%3A%2F%2F169.254.169.254%2F HTTP/1.1", "Host: web:80", "Connection: close", "User-Agent: Chrome", "a=1"} {
		if !strings.Contains(raw, kept) {
			t.Errorf("the lab's request lacks %q:\n%s", kept, raw)
		}
	}
}
