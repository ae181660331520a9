package k8s

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// Each probe fails while the hole is open and passes once it is closed,
// and none of its requests reaches the audit log.
func TestProbesFailUntilTheFixAndStayOutOfTheLog(t *testing.T) {
	srv := telemetryCluster(t)
	ts := httptest.NewServer(labHandler(srv, "simkey", func() {}))
	defer ts.Close()
	admin := httptest.NewTLSServer(srv)
	defer admin.Close()
	t.Setenv("KUBESIM_KEY", "simkey")
	t.Setenv("KUBESIM_ADMIN_TOKEN", "admintoken")
	probe := func(args ...string) int {
		t.Helper()
		return runProbe(append([]string{"-server", ts.URL}, args...))
	}
	auditLength := func() int {
		var b strings.Builder
		_ = srv.WriteAudit(&b)
		return strings.Count(b.String(), "\n")
	}

	before := auditLength()
	if code := probe("anonymous"); code != 1 {
		t.Fatalf("anonymous with the binding in place: %d", code)
	}
	if code := probe("removed", "kube-system/metrics-agent"); code != 1 {
		t.Fatalf("removed before the deployment was ever made: %d", code)
	}
	if code := probe("from-secret", "telemetry/ingest", "AWS_ACCESS_KEY_ID"); code != 1 {
		t.Fatalf("from-secret with the key a plain value: %d", code)
	}
	if n := auditLength(); n != before {
		t.Fatalf("the probes wrote %d audit events", n-before)
	}

	if out, err := kubectl(t, ts.URL, minerYAML, "apply", "-f", "-"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if code := probe("removed", "kube-system/metrics-agent"); code != 1 {
		t.Fatalf("removed while the deployment runs: %d", code)
	}
	if out, err := kubectl(t, admin.URL, "", "--token=admintoken", "-n", "kube-system", "delete", "deployment", "metrics-agent"); err != nil {
		t.Fatalf("delete: %v\n%s", err, out)
	}
	if code := probe("removed", "kube-system/metrics-agent"); code != 0 {
		t.Fatalf("removed after the delete: %d", code)
	}
	if out, err := kubectl(t, admin.URL, "", "--token=admintoken", "-n", "telemetry", "set", "env", "deployment/ingest", "--from=secret/ingest-aws"); err != nil {
		t.Fatalf("set env: %v\n%s", err, out)
	}
	if code := probe("from-secret", "telemetry/ingest", "AWS_ACCESS_KEY_ID"); code != 0 {
		t.Fatalf("from-secret after set env: %d", code)
	}
	if code := probe("from-secret", "telemetry/ingest", "AWS_SECRET_ACCESS_KEY"); code != 1 {
		t.Fatalf("from-secret of a variable the secret does not hold: %d", code)
	}
	if out, err := kubectl(t, admin.URL, "", "--token=admintoken", "delete", "clusterrolebinding", "anonymous-admin"); err != nil {
		t.Fatalf("delete binding: %v\n%s", err, out)
	}
	if code := probe("anonymous"); code != 0 {
		t.Fatalf("anonymous after the binding went: %d", code)
	}
	srv.SetAnonymous(false)
	if code := probe("anonymous"); code != 0 {
		t.Fatalf("anonymous with anonymous authentication off: %d", code)
	}
	if code := probe("removed", "no-slash"); code != 2 {
		t.Fatalf("a malformed reference: %d", code)
	}
	if code := probe("teleport"); code != 2 {
		t.Fatalf("an unknown probe: %d", code)
	}
}
