package k8s

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const telemetryWorld = `
addresses: {"127.0.0.1": 203.0.113.9}
tokens:
  - {token: citoken, user: "system:serviceaccount:ci:deployer", groups: ["system:serviceaccounts"]}
objects:
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: anonymous-admin}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
    subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:anonymous"}]
  - apiVersion: v1
    kind: Namespace
    metadata: {name: telemetry}
  - apiVersion: v1
    kind: Secret
    metadata: {name: ingest-aws, namespace: telemetry}
    stringData: {AWS_ACCESS_KEY_ID: AKIAEXAMPLEKEY000003}
  - apiVersion: apps/v1
    kind: Deployment
    ago: 40d
    metadata: {name: ingest, namespace: telemetry}
    spec:
      replicas: 2
      template:
        metadata: {labels: {app: ingest}}
        spec:
          containers:
            - name: ingest
              image: ingest:2.3
              env:
                - {name: AWS_ACCESS_KEY_ID, value: AKIAEXAMPLEKEY000003}
                - {name: REGION, value: us-east-1}
logs:
  telemetry/ingest: "ingest: 1200 records uploaded\n"
`

const minerYAML = `apiVersion: apps/v1
kind: Deployment
metadata: {name: metrics-agent, namespace: kube-system}
spec:
  replicas: 1
  selector: {matchLabels: {app: metrics-agent}}
  template:
    metadata: {labels: {app: metrics-agent}}
    spec:
      containers:
      - name: agent
        image: metrics-agent:1.4
        args: ["--pool", "stratum+tcp://10.0.9.9:45700"]
`

// The cluster's controllers make and replace a deployment's pods, and the
// audit log shows who asked (at the Request level, with what they sent)
// and who made the pods, at the addresses the story gives.
func TestDeploymentsPodsAndTheAuditLog(t *testing.T) {
	srv := telemetryCluster(t)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	admin := httptest.NewTLSServer(srv)
	defer admin.Close()

	pods := func(ns string) []map[string]any {
		var out []map[string]any
		srv.mu.Lock()
		defer srv.mu.Unlock()
		for _, p := range srv.objects["pods"] {
			if namespaceOf(p) == ns {
				out = append(out, clone(p))
			}
		}
		return out
	}
	seeded := pods("telemetry")
	if len(seeded) != 2 {
		t.Fatalf("the seeded deployment of 2 replicas has %d pods", len(seeded))
	}
	created, _ := time.Parse(time.RFC3339, seeded[0]["metadata"].(map[string]any)["creationTimestamp"].(string))
	if age := time.Since(created); age < 39*24*time.Hour || age > 41*24*time.Hour {
		t.Fatalf("a pod of a deployment made 40 days ago is %v old", age)
	}
	name := seeded[0]["metadata"].(map[string]any)["name"].(string)
	if !strings.HasPrefix(name, "ingest-") {
		t.Fatalf("pod name %q", name)
	}
	out, err := kubectl(t, ts.URL, "", "-n", "telemetry", "logs", name)
	if err != nil || out != "ingest: 1200 records uploaded\n" {
		t.Fatalf("logs of a deployment's pod: %v\n%s", err, out)
	}
	out, err = kubectl(t, ts.URL, "", "-n", "telemetry", "get", "pods", "-l", "app=ingest,tier!=db", "-o", "name")
	if err != nil || strings.Count(out, "pod/ingest-") != 2 {
		t.Fatalf("pods by label: %v\n%s", err, out)
	}
	out, err = kubectl(t, ts.URL, "", "-n", "telemetry", "get", "pods", "-l", "app=other", "-o", "name")
	if err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("pods of another label: %v\n%s", err, out)
	}

	// The intruder's deployment, anonymous, from the story's address.
	out, err = kubectl(t, ts.URL, minerYAML, "apply", "-f", "-")
	if err != nil || !strings.Contains(out, "deployment.apps/metrics-agent created") {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if n := len(pods("kube-system")); n != 1 {
		t.Fatalf("the new deployment has %d pods", n)
	}
	srv.SetLog("kube-system", "metrics-agent", "use pool 10.0.9.9:45700\n")
	out, err = kubectl(t, ts.URL, "", "-n", "kube-system", "logs", "deploy/metrics-agent")
	if err != nil || out != "use pool 10.0.9.9:45700\n" {
		t.Fatalf("logs of a deployment: %v\n%s", err, out)
	}
	// The admin moves the key into the secret: kubectl set env sends a
	// strategic merge patch, and the rollout replaces both pods.
	out, err = kubectl(t, admin.URL, "", "--token=admintoken", "-n", "telemetry", "set", "env", "deployment/ingest", "--from=secret/ingest-aws")
	if err != nil || !strings.Contains(out, "deployment.apps/ingest env updated") {
		t.Fatalf("set env: %v\n%s", err, out)
	}
	dep, _ := srv.Object("deployments", "telemetry", "ingest")
	c := containerOf(dep["spec"].(map[string]any)["template"].(map[string]any), "ingest")
	if c["image"] != "ingest:2.3" || len(list(c["env"])) != 2 {
		t.Fatalf("set env lost the container's other fields: %v", c)
	}
	for _, e := range list(c["env"]) {
		em := e.(map[string]any)
		if em["name"] == "AWS_ACCESS_KEY_ID" && (em["value"] != nil || secretRef(em) == nil) {
			t.Fatalf("the key is not read from the secret: %v", em)
		}
	}
	for _, p := range pods("telemetry") {
		if p["metadata"].(map[string]any)["name"] == name {
			t.Fatal("the rollout kept a pod of the old template")
		}
	}
	// A variable removed: kubectl sends the element with "$patch": "delete".
	if out, err := kubectl(t, admin.URL, "", "--token=admintoken", "-n", "telemetry", "set", "env", "deployment/ingest", "REGION-"); err != nil {
		t.Fatalf("set env REGION-: %v\n%s", err, out)
	}
	dep, _ = srv.Object("deployments", "telemetry", "ingest")
	c = containerOf(dep["spec"].(map[string]any)["template"].(map[string]any), "ingest")
	if env := list(c["env"]); len(env) != 1 || env[0].(map[string]any)["name"] != "AWS_ACCESS_KEY_ID" || c["image"] != "ingest:2.3" {
		t.Fatalf("after removing REGION: %v", c)
	}
	// A JSON patch whose test fails changes nothing; one that applies
	// scales the deployment.
	out, err = kubectl(t, admin.URL, "", "--token=admintoken", "-n", "telemetry", "patch", "deployment", "ingest", "--type=json",
		"-p", `[{"op": "test", "path": "/spec/replicas", "value": 7}, {"op": "replace", "path": "/spec/replicas", "value": 5}]`)
	if err == nil || !strings.Contains(out, "testing value /spec/replicas failed") {
		t.Fatalf("a JSON patch whose test fails: %v\n%s", err, out)
	}
	if n := len(pods("telemetry")); n != 2 {
		t.Fatalf("a refused patch left %d pods", n)
	}
	out, err = kubectl(t, admin.URL, "", "--token=admintoken", "-n", "telemetry", "patch", "deployment", "ingest", "--type=json",
		"-p", `[{"op": "test", "path": "/spec/replicas", "value": 2}, {"op": "replace", "path": "/spec/replicas", "value": 3}]`)
	if err != nil || !strings.Contains(out, "deployment.apps/ingest patched") {
		t.Fatalf("a JSON patch: %v\n%s", err, out)
	}
	if n := len(pods("telemetry")); n != 3 {
		t.Fatalf("a JSON patch to 3 replicas left %d pods", n)
	}
	out, err = kubectl(t, ts.URL, "", "-n", "kube-system", "delete", "deployment", "metrics-agent")
	if err != nil {
		t.Fatalf("delete: %v\n%s", err, out)
	}
	if n := len(pods("kube-system")); n != 0 {
		t.Fatalf("the deleted deployment left %d pods", n)
	}
	// A service's token from the world; a state check's request unaudited.
	out, err = kubectl(t, admin.URL, "", "--token=citoken", "-n", "telemetry", "get", "secrets", "-o", "name")
	if err != nil || !strings.Contains(out, "secret/ingest-aws") {
		t.Fatalf("the CI's token: %v\n%s", err, out)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v1/namespaces/kube-system/pods/unaudited-probe", nil)
	srv.ServeUnaudited(httptest.NewRecorder(), req)

	var log strings.Builder
	if err := srv.WriteAudit(&log); err != nil {
		t.Fatal(err)
	}
	var events []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("a line of the audit log is not an event: %v\n%s", err, line)
		}
		events = append(events, e)
	}
	var sawCreate, sawPodMade, sawGC, sawCI bool
	for _, e := range events {
		user, _ := e["user"].(map[string]any)
		ref, _ := e["objectRef"].(map[string]any)
		if strings.Contains(e["requestURI"].(string), "unaudited-probe") {
			t.Fatal("an unaudited request is in the log")
		}
		if ips := e["sourceIPs"].([]any); ips[0] == "127.0.0.1" {
			t.Fatalf("the lab's own address is in the log: %v", e)
		}
		switch {
		case user["username"] == "system:anonymous" && e["verb"] == "create" && ref["resource"] == "deployments":
			sawCreate = e["level"] == "Request" && strings.Contains(jsonText(e["requestObject"]), "10.0.9.9:45700") && e["sourceIPs"].([]any)[0] == "203.0.113.9"
		case user["username"] == replicaSetController && e["verb"] == "create" && ref["namespace"] == "kube-system":
			sawPodMade = true
		case user["username"] == garbageCollector && e["verb"] == "delete":
			sawGC = true
		case user["username"] == "system:serviceaccount:ci:deployer":
			sawCI = true
		}
		if ref["resource"] == "secrets" && e["requestObject"] != nil {
			t.Fatalf("a secret's value is in the log: %v", e)
		}
	}
	if !sawCreate || !sawPodMade || !sawGC || !sawCI {
		t.Fatalf("create %v, pod made %v, collected %v, ci %v in:\n%s", sawCreate, sawPodMade, sawGC, sawCI, log.String())
	}
}

func TestWorldRefusesWhatItCannotUse(t *testing.T) {
	for _, text := range []string{
		"addresses: {nowhere: 10.0.0.1}",
		"addresses: {10.0.0.1: somewhere}",
		"tokens: [{token: t}]",
	} {
		if _, err := ParseWorld(text); err == nil {
			t.Errorf("%s was accepted", text)
		}
	}
	w, err := ParseWorld("objects: [{apiVersion: v1, kind: Namespace, ago: soon, metadata: {name: x}}]")
	if err != nil {
		t.Fatal(err)
	}
	if err := New("").Load(w); err == nil || !strings.Contains(err.Error(), "soon") {
		t.Fatalf("an ago that is no duration: %v", err)
	}
}

// The audit log is at /logs/audit.log for cluster admins (and for the
// anonymous user while it is bound to cluster-admin), not for services.
func TestAuditLogForAdminsOnly(t *testing.T) {
	srv := telemetryCluster(t)
	admin := httptest.NewTLSServer(srv)
	defer admin.Close()
	if out, err := kubectl(t, admin.URL, "", "--token=admintoken", "get", "pods", "-A"); err != nil {
		t.Fatalf("get pods: %v\n%s", err, out)
	}
	out, err := kubectl(t, admin.URL, "", "--token=admintoken", "get", "--raw", "/logs/audit.log")
	if err != nil || !strings.Contains(out, `"username":"kubernetes-admin"`) || !strings.Contains(out, `"verb":"list"`) {
		t.Fatalf("admin reads the audit log: %v\n%s", err, out)
	}
	out, err = kubectl(t, admin.URL, "", "--token=citoken", "get", "--raw", "/logs/audit.log")
	if err == nil || !strings.Contains(out, "Forbidden") {
		t.Fatalf("the CI's token reads the audit log: %v\n%s", err, out)
	}
}

// telemetryCluster is a server with the telemetry world loaded and an
// admin token.
func telemetryCluster(t *testing.T) *Server {
	t.Helper()
	w, err := ParseWorld(telemetryWorld)
	if err != nil {
		t.Fatal(err)
	}
	srv := New("admintoken")
	if err := srv.Load(w); err != nil {
		t.Fatal(err)
	}
	return srv
}
