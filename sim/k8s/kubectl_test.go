package k8s

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// kubectl runs the real kubectl against url with no credentials (as the
// intruder does) unless args give a token: the workstation image's kubectl when
// SAKIMORI_TEST_WORKSTATION=1 (the container shares the host's loopback),
// else this machine's. Skipped only where neither is there.
func kubectl(t *testing.T, url string, stdin string, args ...string) (string, error) {
	t.Helper()
	home := t.TempDir()
	args = append([]string{"--server=" + url, "--kubeconfig=/dev/null", "--insecure-skip-tls-verify"}, args...)
	var cmd *exec.Cmd
	if os.Getenv("SAKIMORI_TEST_WORKSTATION") == "1" {
		cmd = exec.Command("docker", append([]string{"run", "--rm", "-i", "--network", "host", "sakimori-lab/workstation:latest", "kubectl"}, args...)...)
	} else {
		bin, err := exec.LookPath("kubectl")
		if err != nil {
			t.Skip("kubectl is not installed")
		}
		cmd = exec.Command(bin, append([]string{"--cache-dir=" + filepath.Join(home, "cache")}, args...)...)
		cmd.Env = []string{"HOME=" + home}
	}
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

const podYAML = `apiVersion: v1
kind: Pod
metadata:
  name: billing
  namespace: default
spec:
  containers:
  - name: app
    image: billing:1
    env:
    - name: AWS_ACCESS_KEY_ID
      value: AKIAEXAMPLEKEY000001
`

const bindingYAML = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: anonymous-admin
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: system:anonymous}
`

func TestKubectlAgainstTheEmulator(t *testing.T) {
	srv := New("admintoken")
	ts := httptest.NewServer(srv)
	defer ts.Close()
	admin := httptest.NewTLSServer(srv) // kubectl sends a token over TLS only
	defer admin.Close()

	// With no binding for it, the anonymous user may read the version and
	// nothing else, as on a real cluster.
	out, err := kubectl(t, ts.URL, "", "get", "pods")
	if err == nil || !strings.Contains(out, "Error from server (Forbidden)") {
		t.Fatalf("anonymous get with no binding: %v\n%s", err, out)
	}
	// The misconfiguration: anonymous bound to cluster-admin.
	out, err = kubectl(t, admin.URL, bindingYAML, "--token=admintoken", "apply", "-f", "-")
	if err != nil || !strings.Contains(out, "clusterrolebinding.rbac.authorization.k8s.io/anonymous-admin created") {
		t.Fatalf("apply binding: %v\n%s", err, out)
	}

	out, err = kubectl(t, ts.URL, podYAML, "apply", "-f", "-")
	if err != nil || !strings.Contains(out, "pod/billing created") {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	out, err = kubectl(t, ts.URL, "", "get", "pods", "-n", "default")
	if err != nil || !strings.Contains(out, "billing") || !strings.Contains(out, "Running") {
		t.Fatalf("get: %v\n%s", err, out)
	}
	out, err = kubectl(t, ts.URL, "", "auth", "can-i", "create", "pods")
	if err != nil || strings.TrimSpace(out) != "yes" {
		t.Fatalf("can-i: %v\n%s", err, out)
	}
	out, err = kubectl(t, ts.URL, "", "exec", "billing", "--", "env")
	if err != nil || !strings.Contains(out, "AWS_ACCESS_KEY_ID=AKIAEXAMPLEKEY000001") {
		t.Fatalf("exec: %v\n%s", err, out)
	}
	out, err = kubectl(t, ts.URL, "", "auth", "can-i", "--list")
	if err != nil || !strings.Contains(out, "*.*") {
		t.Fatalf("can-i --list: %v\n%s", err, out)
	}
	srv.SetLog("default", "billing", "billing started on :8080\n")
	out, err = kubectl(t, ts.URL, "", "logs", "billing")
	if err != nil || out != "billing started on :8080\n" {
		t.Fatalf("logs: %v\n%s", err, out)
	}
	out, err = kubectl(t, ts.URL, "", "describe", "pod", "billing")
	if err != nil || !strings.Contains(out, "AWS_ACCESS_KEY_ID:") || !strings.Contains(out, "AKIAEXAMPLEKEY000001") {
		t.Fatalf("describe: %v\n%s", err, out)
	}
	out, err = kubectl(t, ts.URL, "", "get", "clusterrolebindings", "-o", "name")
	if err != nil || !strings.Contains(out, "anonymous-admin") {
		t.Fatalf("get bindings: %v\n%s", err, out)
	}
	out, err = kubectl(t, ts.URL, "", "delete", "pod", "billing")
	if err != nil || !strings.Contains(out, `pod "billing" deleted`) {
		t.Fatalf("delete: %v\n%s", err, out)
	}
	if _, ok := srv.Object("pods", "default", "billing"); ok {
		t.Fatal("the pod is still stored after delete")
	}

	// One fix: the binding deleted, anonymous requests are forbidden.
	out, err = kubectl(t, admin.URL, "", "--token=admintoken", "delete", "clusterrolebinding", "anonymous-admin")
	if err != nil {
		t.Fatalf("delete binding: %v\n%s", err, out)
	}
	out, err = kubectl(t, ts.URL, "", "get", "pods", "-n", "default")
	if err == nil || !strings.Contains(out, "Forbidden") && !strings.Contains(out, "forbidden") {
		t.Fatalf("anonymous get after the binding went: %v\n%s", err, out)
	}
	// The other: anonymous authentication off, they are not even known.
	srv.SetAnonymous(false)
	out, err = kubectl(t, ts.URL, "", "get", "pods")
	if err == nil || !strings.Contains(out, "You must be logged in to the server") {
		t.Fatalf("anonymous get after hardening: %v\n%s", err, out)
	}

	var audit strings.Builder
	if err := srv.WriteAudit(&audit); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(audit.String(), `"verb":"create","user":{"username":"system:anonymous"`) ||
		!strings.Contains(audit.String(), `"subresource":"exec"`) {
		t.Fatalf("audit log lacks the anonymous create and exec:\n%s", audit.String())
	}
}
