package server

import (
	"net/http"
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
		"Proxy-Authorization": "Basic cHJveHktc2VjcmV0", "Forwarded": "for=203.0.113.9", "Connection": "keep-alive, X-Hop",
		"X-Hop": "hop-only", "Keep-Alive": "timeout=5", "Upgrade": "websocket", "Te": "trailers", "Proxy-Connection": "keep-alive",
	} {
		from.Header.Set(k, v)
	}
	from.SetBodyString("a=1")

	req := labRequest(&from, "fetch", "web", 80)
	raw := req.String()
	for _, leaked := range []string{"secret", "access-token", "range.example.org", "203.0.113.9", "cHJveHktc2VjcmV0",
		"hop-only", "timeout=5", "websocket", "trailers", "keep-alive"} {
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

// Of a lab's answer only the body's own headers pass, and a Location only
// if it stays on the range's origin.
func TestLabResponseHeadersPassThroughAnAllowList(t *testing.T) {
	from := http.Header{}
	for k, v := range map[string]string{
		"Content-Type": "text/html", "Etag": `"v1"`, "Last-Modified": "Wed, 02 Dec 2026 09:00:00 GMT",
		"Set-Cookie": "lab=1", "Clear-Site-Data": `"*"`, "Refresh": "0; url=https://evil.example/",
		"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "true", "Link": "</x>; rel=preload",
		"Strict-Transport-Security": "max-age=0", "Www-Authenticate": "Basic", "Content-Security-Policy": "default-src *",
		"Service-Worker-Allowed": "/", "X-Lab": "1",
	} {
		from.Set(k, v)
	}
	var to fasthttp.ResponseHeader
	copyLabHeaders(&to, from)
	got := to.String()
	for _, kept := range []string{"Content-Type: text/html", `Etag: "v1"`, "Last-Modified: "} {
		if !strings.Contains(got, kept) {
			t.Errorf("the answer lacks %q:\n%s", kept, got)
		}
	}
	for _, dropped := range []string{"Set-Cookie", "Clear-Site-Data", "Refresh", "Access-Control", "Link", "Strict-Transport", "Www-Authenticate", "Content-Security-Policy", "Service-Worker", "X-Lab"} {
		if strings.Contains(strings.ToLower(got), strings.ToLower(dropped)) {
			t.Errorf("the lab's %s reached the browser:\n%s", dropped, got)
		}
	}

	for location, kept := range map[string]bool{
		"next": true, "/lab-web/cap/next?a=1": true, "../up": true,
		"https://evil.example/": false, "//evil.example/": false, "/\\evil.example/": false, "javascript:alert(1)": false,
	} {
		var to fasthttp.ResponseHeader
		copyLabHeaders(&to, http.Header{"Location": {location}})
		if got := string(to.Peek("Location")) == location; got != kept {
			t.Errorf("Location %q passed: %v, want %v", location, got, kept)
		}
	}
}
