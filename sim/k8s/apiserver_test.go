package k8s

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// A secret made without a type, as kubectl create secret generic makes
// it (an empty type in protobuf) or as a manifest that leaves it out, is
// Opaque, the API server's default.
func TestSecretTypeDefaultsToOpaque(t *testing.T) {
	srv := misconfigured(t, New("admintoken"))
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if out, err := kubectl(t, ts.URL, "", "create", "secret", "generic", "made", "--from-literal=k=v"); err != nil {
		t.Fatalf("create secret: %v\n%s", err, out)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/namespaces/default/secrets", strings.NewReader(`{"metadata":{"name":"sent"},"type":"","data":{"k":"dg=="}}`))
	req.Header.Set("Content-Type", "application/json")
	srv.ServeHTTP(httptest.NewRecorder(), req)
	for _, name := range []string{"made", "sent"} {
		out, err := kubectl(t, ts.URL, "", "get", "secret", name, "-o", "jsonpath={.type}")
		if err != nil || out != "Opaque" {
			t.Fatalf("secret %s has type %q: %v", name, out, err)
		}
	}
	out, err := kubectl(t, ts.URL, "", "get", "secrets")
	if err != nil || !regexp.MustCompile(`(?m)^made\s+Opaque\s+1\s+\d+s$`).MatchString(out) {
		t.Fatalf("get secrets: %v\n%s", err, out)
	}
}

// The health endpoints answer ok to anyone, the anonymous user included
// once it may read nothing else, as system:public-info-viewer allows.
func TestHealthEndpoints(t *testing.T) {
	srv := New("admintoken") // no binding for the anonymous user
	ts := httptest.NewServer(srv)
	defer ts.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, path := range []string{"/healthz", "/livez", "/readyz"} {
		if code, body := get(path); code != 200 || body != "ok" {
			t.Fatalf("anonymous %s: %d %q", path, code, body)
		}
	}
	if code, _ := get("/api/v1/pods"); code != 403 {
		t.Fatalf("anonymous list of pods with no binding: %d", code)
	}
	// A check by name is not public; the admin may ask it.
	if code, _ := get("/livez/ping"); code != 403 {
		t.Fatalf("anonymous /livez/ping: %d", code)
	}
	admin := httptest.NewTLSServer(srv)
	defer admin.Close()
	out, err := kubectl(t, admin.URL, "", "--token=admintoken", "get", "--raw", "/readyz?verbose")
	if err != nil || !strings.HasPrefix(out, "[+]ping ok\n") || !strings.Contains(out, "[+]etcd ok\n") || !strings.HasSuffix(out, "readyz check passed\n") {
		t.Fatalf("readyz?verbose: %v\n%s", err, out)
	}
	out, err = kubectl(t, admin.URL, "", "--token=admintoken", "get", "--raw", "/livez/etcd")
	if err != nil || out != "ok" {
		t.Fatalf("/livez/etcd: %v\n%s", err, out)
	}
	srv.SetAnonymous(false)
	if code, _ := get("/healthz"); code != 401 {
		t.Fatalf("/healthz with anonymous authentication off: %d", code)
	}
}

// kubectl auth whoami names the caller: the anonymous user, or the
// token's user.
func TestWhoAmI(t *testing.T) {
	srv := telemetryCluster(t)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	admin := httptest.NewTLSServer(srv)
	defer admin.Close()
	out, err := kubectl(t, ts.URL, "", "auth", "whoami")
	if err != nil || !regexp.MustCompile(`(?m)^Username\s+system:anonymous\nGroups\s+\[system:unauthenticated\]$`).MatchString(out) {
		t.Fatalf("anonymous whoami: %v\n%s", err, out)
	}
	out, err = kubectl(t, admin.URL, "", "--token=citoken", "auth", "whoami", "-o", "json")
	var review struct {
		Kind   string
		Status struct{ UserInfo user }
	}
	if err != nil || json.Unmarshal([]byte(out), &review) != nil || review.Kind != "SelfSubjectReview" ||
		review.Status.UserInfo.Username != "system:serviceaccount:ci:deployer" || !review.Status.UserInfo.in("system:authenticated") {
		t.Fatalf("the CI's whoami: %v\n%s", err, out)
	}
}

// Audit ids and object uids are random UUIDs, as a real server's are.
func TestAuditIDsAndUIDsAreRandomUUIDs(t *testing.T) {
	srv := telemetryCluster(t)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	for range 3 {
		if out, err := kubectl(t, ts.URL, "", "get", "pods", "-A"); err != nil {
			t.Fatalf("get pods: %v\n%s", err, out)
		}
	}
	var log strings.Builder
	_ = srv.WriteAudit(&log)
	// Random: no two share even their first 32 bits, which sequential
	// ids (and a counter in the last digits) would.
	seen, prefixes := map[string]bool{}, map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var e Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		id, err := uuid.Parse(e.AuditID)
		if err != nil || id.Version() != 4 || id.Variant() != uuid.RFC4122 || seen[e.AuditID] || prefixes[e.AuditID[:8]] {
			t.Fatalf("auditID %q is not a fresh random UUID (seen: %v)", e.AuditID, seen)
		}
		seen[e.AuditID], prefixes[e.AuditID[:8]] = true, true
	}
	if len(seen) < 3 {
		t.Fatalf("%d audit events", len(seen))
	}
	for _, p := range append(stored(srv, "pods", ""), stored(srv, "namespaces", "")...) {
		if id, err := uuid.Parse(uidOf(p)); err != nil || id.Version() != 4 || prefixes[uidOf(p)[:8]] {
			t.Fatalf("uid %q", uidOf(p))
		}
		prefixes[uidOf(p)[:8]] = true
	}
}
