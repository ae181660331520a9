package k8s

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// kubectl's create commands send protobuf; the simple kinds are read from
// it as a real server does, and the rest are refused with 415 and the way
// that works.
func TestKubectlCreateSendsProtobuf(t *testing.T) {
	srv := New("admintoken")
	admin := httptest.NewTLSServer(srv)
	defer admin.Close()
	run := func(args ...string) (string, error) {
		t.Helper()
		return kubectl(t, admin.URL, "", append([]string{"--token=admintoken"}, args...)...)
	}
	if out, err := run("create", "namespace", "telemetry"); err != nil {
		t.Fatalf("create namespace: %v\n%s", err, out)
	}
	if out, err := run("-n", "telemetry", "create", "secret", "generic", "aws", "--from-literal=AWS_ACCESS_KEY_ID=AKIAEXAMPLEKEY000009", "--from-literal=REGION=us-east-1"); err != nil {
		t.Fatalf("create secret: %v\n%s", err, out)
	}
	if got := srv.secretValue("telemetry", "aws", "AWS_ACCESS_KEY_ID"); got != "AKIAEXAMPLEKEY000009" {
		t.Fatalf("the secret holds %q", got)
	}
	if out, err := run("-n", "telemetry", "create", "configmap", "settings", "--from-literal=window=24h"); err != nil {
		t.Fatalf("create configmap: %v\n%s", err, out)
	}
	cm, _ := srv.Object("configmaps", "telemetry", "settings")
	if data, _ := cm["data"].(map[string]any); data["window"] != "24h" {
		t.Fatalf("the config map: %v", cm)
	}
	if out, err := run("-n", "telemetry", "create", "serviceaccount", "ingest"); err != nil {
		t.Fatalf("create serviceaccount: %v\n%s", err, out)
	}
	if _, ok := srv.Object("serviceaccounts", "telemetry", "ingest"); !ok {
		t.Fatal("no service account")
	}
	out, err := run("-n", "telemetry", "create", "deployment", "web", "--image=nginx")
	if err == nil || !strings.Contains(out, "kubectl apply") {
		t.Fatalf("create deployment in protobuf: %v\n%s", err, out)
	}
	if _, ok := srv.Object("deployments", "telemetry", "web"); ok {
		t.Fatal("a refused deployment was stored")
	}
	// A body that only claims to be protobuf is a bad request.
	if _, err := decodeProtobuf([]byte("not protobuf")); err == nil {
		t.Fatal("a body without the magic was read")
	}
	if _, err := decodeProtobuf(append([]byte("k8s\x00"), 0x0a, 0xff)); err == nil {
		t.Fatal("a truncated message was read")
	}
}
