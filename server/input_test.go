package server_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestMalformedInput covers docs/security.md case 9 for the API as it stands:
// every refusal is a 4xx with a code, never a panic or a 500.
func TestMalformedInput(t *testing.T) {
	rg := newRange(t, withLoginLimit(1000)) // 4 KiB body limit
	cases := []struct {
		name        string
		body        any
		headers     []string
		status      int
		code, field string
	}{
		{name: "not JSON", body: "{email:", status: 400, code: "body_invalid"},
		{name: "empty body", body: "", status: 400, code: "body_required"},
		{name: "array, not object", body: `[1,2]`, status: 400, code: "body_invalid"},
		{name: "two objects", body: `{"email":"a@b.c"}{"x":1}`, status: 400, code: "body_invalid"},
		{name: "unknown field", body: `{"email":"a@b.c","password":"x","is_admin":true}`, status: 400, code: "field_unknown", field: "is_admin"},
		{name: "odd key", body: `{"__proto__":{"role":"admin"}}`, status: 400, code: "field_unknown", field: "__proto__"},
		{name: "wrong type", body: `{"email":42,"password":"x"}`, status: 400, code: "field_type_invalid", field: "email"},
		{name: "a type that only starts like JSON", body: `{}`, headers: []string{"Content-Type", "application/jsonxyz"}, status: 400, code: "content_type_invalid"},
		{name: "form post", body: nil, headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 400, code: "content_type_invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rg.call("POST", "/api/v1/auth/login", tc.body, tc.headers...)
			expect(t, r, tc.status, tc.code)
			if r.errorField() != tc.field {
				t.Fatalf("field %q, want %q", r.errorField(), tc.field)
			}
			e := r.body["error"].(map[string]any)
			if e["message"] == "" || e["request_id"] == "" {
				t.Fatalf("error without message or request id: %s", r.raw)
			}
		})
	}
}

func TestValidationNamesTheField(t *testing.T) {
	rg := newRange(t, withOpenRegistration, withLoginLimit(1000))
	cases := []struct {
		body        map[string]string
		code, field string
	}{
		{map[string]string{"email": "not-an-email", "password": "long enough password"}, "email_invalid", "email"},
		{map[string]string{"email": "", "password": "long enough password"}, "email_required", "email"},
		{map[string]string{"email": "Name <a@b.org>", "password": "long enough password"}, "email_invalid", "email"},
		{map[string]string{"email": "a@b.org", "password": "short"}, "password_too_short", "password"},
		{map[string]string{"email": "a@b.org", "password": strings.Repeat("p", 300)}, "password_too_long", "password"},
		{map[string]string{"email": "a@b.org", "password": "long enough password", "display_name": "bad\x1bname"}, "display_name_invalid", "display_name"},
	}
	for _, tc := range cases {
		r := rg.call("POST", "/api/v1/auth/register", tc.body)
		expect(t, r, 400, tc.code)
		if r.errorField() != tc.field {
			t.Errorf("%s: field %q, want %q", tc.code, r.errorField(), tc.field)
		}
	}
}

// Oversized requests are refused by fasthttp before routing; they must
// still get our JSON error, so they are sent over a real socket.
func TestOversizedRequestsAreRefused(t *testing.T) {
	rg := newRange(t)
	base := rg.listen()

	body := `{"email":"` + strings.Repeat("a", 8192) + `","password":"x"}`
	req, _ := http.NewRequest("POST", base+"/api/v1/auth/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	r := send(t, req)
	expect(t, r, 413, "body_too_large")
	// Refused before any middleware ran, it still has an id to quote.
	if e, _ := r.body["error"].(map[string]any); e["request_id"] == nil || e["request_id"] == "" || r.header.Get("X-Request-ID") != e["request_id"] {
		t.Fatalf("the 413 has no request id: %s %v", r.raw, r.header)
	}

	// Headers past the read buffer: the server answers 431 and hangs up
	// without reading the rest, so this is sent over a bare socket.
	status := rawStatus(t, base, "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+strings.Repeat("A", 20<<10)+"\r\n\r\n")
	if status != "HTTP/1.1 431 Request Header Fields Too Large" {
		t.Fatalf("oversized header: %q", status)
	}

	// Under the header limit but over the token limit: refused by auth.
	req, _ = http.NewRequest("GET", base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+strings.Repeat("A", 8<<10))
	expect(t, send(t, req), 401, "token_invalid")

	// The server still answers afterwards.
	req, _ = http.NewRequest("GET", base+"/healthz", nil)
	expect(t, send(t, req), 200, "")
}

// rawStatus writes a request on a bare TCP connection and returns the status
// line of the reply.
func rawStatus(t *testing.T, base, request string) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the reply: %v (got %q)", err, line)
	}
	return strings.TrimSpace(line)
}
