package k8s

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const world = `
objects:
  - apiVersion: v1
    kind: Namespace
    metadata: {name: telemetry}
  - apiVersion: v1
    kind: Pod
    metadata: {name: ingest-0, namespace: telemetry}
    spec:
      containers:
        - name: ingest
          image: ingest:2.3
          env:
            - {name: AWS_ACCESS_KEY_ID, value: AKIAEXAMPLEKEY000002}
logs:
  telemetry/ingest-0: "ingest: listening\n"
`

func TestWorldSeedsTheCluster(t *testing.T) {
	w, err := ParseWorld(world)
	if err != nil {
		t.Fatal(err)
	}
	srv := misconfigured(t, New(""))
	if err := srv.Load(w); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	out, err := kubectl(t, ts.URL, "", "-n", "telemetry", "exec", "ingest-0", "--", "printenv", "AWS_ACCESS_KEY_ID")
	if err != nil || out != "AKIAEXAMPLEKEY000002\n" {
		t.Fatalf("exec printenv: %v\n%s", err, out)
	}
	out, err = kubectl(t, ts.URL, "", "-n", "telemetry", "logs", "ingest-0")
	if err != nil || out != "ingest: listening\n" {
		t.Fatalf("logs: %v\n%s", err, out)
	}
	if err := srv.Load(World{Logs: map[string]string{"no-slash": "x"}}); err == nil {
		t.Fatal("a log key without a namespace was accepted")
	}
	if err := srv.Load(World{Objects: []map[string]any{{"apiVersion": "v9", "kind": "Widget"}}}); err == nil {
		t.Fatal("an unknown kind was accepted")
	}
}

func TestAuthenticationConfigTurnsAnonymousOff(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "auth.yaml")
	write := func(text string, at time.Time) {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	srv := misconfigured(t, New(""))
	watch := &authWatch{path: path, srv: srv}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { watch.refresh(); srv.ServeHTTP(w, r) }))
	defer ts.Close()

	write("apiVersion: apiserver.config.k8s.io/v1beta1\nkind: AuthenticationConfiguration\nanonymous: {enabled: false}\n", time.Unix(1000, 0))
	out, err := kubectl(t, ts.URL, "", "get", "namespaces")
	if err == nil || !strings.Contains(out, "You must be logged in") {
		t.Fatalf("anonymous get with anonymous disabled: %v\n%s", err, out)
	}
	// A bad file keeps the last good setting, as kube-apiserver does.
	write("kind: Something\n", time.Unix(2000, 0))
	if _, err := kubectl(t, ts.URL, "", "get", "namespaces"); err == nil {
		t.Fatal("a bad configuration turned anonymous access back on")
	}
	write("apiVersion: apiserver.config.k8s.io/v1beta1\nkind: AuthenticationConfiguration\n", time.Unix(3000, 0))
	if out, err := kubectl(t, ts.URL, "", "get", "namespaces"); err != nil || !strings.Contains(out, "default") {
		t.Fatalf("anonymous get with the default configuration: %v\n%s", err, out)
	}
}

func TestBadRequestsChangeNothing(t *testing.T) {
	srv := misconfigured(t, New("admintoken"))
	ts := httptest.NewServer(srv)
	defer ts.Close()
	do := func(method, path, token, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var st map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&st)
		return resp.StatusCode, st
	}
	cases := []struct {
		method, path, token, body string
		code                      int
		reason                    string
	}{
		{"GET", "/api/v1/pods", "wrong", "", 401, "Unauthorized"},
		{"POST", "/api/v1/namespaces/default/pods", "", `{"metadata":{}}`, 422, "Invalid"},
		{"POST", "/api/v1/namespaces/default/pods", "", `not json`, 400, "BadRequest"},
		{"POST", "/api/v1/namespaces/nowhere/pods", "", `{"metadata":{"name":"p"}}`, 404, "NotFound"},
		{"POST", "/api/v1/namespaces", "admintoken", `{"metadata":{"name":"default"}}`, 409, "AlreadyExists"},
		{"DELETE", "/apis/apps/v1/namespaces/default/deployments/none", "", "", 404, "NotFound"},
		{"GET", "/apis/batch/v1/jobs", "", "", 404, "NotFound"},
	}
	for _, c := range cases {
		code, st := do(c.method, c.path, c.token, c.body)
		if code != c.code || st["reason"] != c.reason || st["kind"] != "Status" || st["message"] == "" {
			t.Errorf("%s %s: %d %v, want %d %s", c.method, c.path, code, st, c.code, c.reason)
		}
	}
	var pods strings.Builder
	_ = srv.WriteAudit(&pods)
	if _, ok := srv.Object("pods", "default", "p"); ok {
		t.Fatal("a refused request stored a pod")
	}
	if strings.Contains(pods.String(), `"code":201`) {
		t.Fatalf("a refused request was audited as created:\n%s", pods.String())
	}
}

// misconfigured gives the anonymous user cluster-admin, the lab's hole.
func misconfigured(t *testing.T, srv *Server) *Server {
	t.Helper()
	err := srv.Seed(map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
		"metadata": map[string]any{"name": "anonymous-admin"},
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
		"subjects": []any{map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "system:anonymous"}}})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}
