package k8s

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// stored is a copy of every stored object of resource in ns ("" for all).
func stored(srv *Server, resource, ns string) []map[string]any {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	var out []map[string]any
	for _, key := range sortedKeys(srv.objects[resource]) {
		if o := srv.objects[resource][key]; ns == "" || namespaceOf(o) == ns {
			out = append(out, clone(o))
		}
	}
	return out
}

// realHash is the shape of a real pod-template-hash: FNV-32a's decimal
// digits spelled in the name alphabet.
var realHash = regexp.MustCompile(`^[4-9bcdf]{1,10}$`)

// A deployment owns a replica set, which owns the pods: owner references
// with uids, the pod-template-hash in the names and labels, pods bound to
// nodes that exist, and kubectl's get and describe of each.
func TestDeploymentsOwnReplicaSetsThatOwnPodsOnNodes(t *testing.T) {
	srv := telemetryCluster(t)
	ts := httptest.NewServer(srv)
	defer ts.Close()

	deploy := stored(srv, "deployments", "telemetry")[0]
	sets := stored(srv, "replicasets", "telemetry")
	if len(sets) != 1 {
		t.Fatalf("deployment ingest has %d replica sets", len(sets))
	}
	rs := sets[0]
	hash := strings.TrimPrefix(nameOf(rs), "ingest-")
	if !realHash.MatchString(hash) || metaOf(rs)["labels"].(map[string]any)["pod-template-hash"] != hash {
		t.Fatalf("replica set %s, labels %v: not a real template hash", nameOf(rs), metaOf(rs)["labels"])
	}
	if uid, kind, name := controllerOf(rs); uid != uidOf(deploy) || kind != "Deployment" || name != "ingest" {
		t.Fatalf("the replica set's controller is %s %s %s", kind, name, uid)
	}
	if sel := rs["spec"].(map[string]any)["selector"].(map[string]any)["matchLabels"].(map[string]any); sel["pod-template-hash"] != hash || sel["app"] != "ingest" {
		t.Fatalf("replica set selector %v", sel)
	}
	nodes := map[string]bool{}
	for _, n := range stored(srv, "nodes", "") {
		nodes[nameOf(n)] = true
	}
	pods := stored(srv, "pods", "telemetry")
	if len(pods) != 2 {
		t.Fatalf("%d pods", len(pods))
	}
	for _, p := range pods {
		if uid, kind, _ := controllerOf(p); uid != uidOf(rs) || kind != "ReplicaSet" {
			t.Fatalf("pod %s is controlled by %s %s, not the replica set", nameOf(p), kind, uid)
		}
		if !regexp.MustCompile(`^ingest-`+hash+`-[bcdfghjklmnpqrstvwxz2456789]{5}$`).MatchString(nameOf(p)) ||
			metaOf(p)["labels"].(map[string]any)["pod-template-hash"] != hash {
			t.Fatalf("pod %s with labels %v does not agree with its replica set %s", nameOf(p), metaOf(p)["labels"], nameOf(rs))
		}
		node, _ := p["spec"].(map[string]any)["nodeName"].(string)
		if !nodes[node] || node == controlPlaneNode {
			t.Fatalf("pod %s is on node %q (nodes: %v)", nameOf(p), node, nodes)
		}
	}

	out, err := kubectl(t, ts.URL, "", "-n", "telemetry", "get", "rs")
	if err != nil || !regexp.MustCompile(`(?m)^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\n`+nameOf(rs)+`\s+2\s+2\s+2\s+40d$`).MatchString(out) {
		t.Fatalf("get rs: %v\n%s", err, out)
	}
	out, err = kubectl(t, ts.URL, "", "get", "nodes")
	if err != nil || !regexp.MustCompile(`(?m)^k8s-cp-1\s+Ready\s+control-plane\s+40d\s+v1\.32\.4$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^k8s-worker-1\s+Ready\s+<none>\s+40d\s+v1\.32\.4$`).MatchString(out) {
		t.Fatalf("get nodes: %v\n%s", err, out)
	}
	out, err = kubectl(t, ts.URL, "", "-n", "telemetry", "describe", "deployment", "ingest")
	if err != nil || !strings.Contains(out, "NewReplicaSet:   "+nameOf(rs)+" (2/2 replicas created)") ||
		!strings.Contains(out, "Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable") {
		t.Fatalf("describe deployment: %v\n%s", err, out)
	}
	node := pods[0]["spec"].(map[string]any)["nodeName"].(string)
	out, err = kubectl(t, ts.URL, "", "describe", "node", node)
	if err != nil || !strings.Contains(out, nameOf(pods[0])) || !strings.Contains(out, "HolderIdentity:  "+node) || !strings.Contains(out, "KubeletReady") {
		t.Fatalf("describe node: %v\n%s", err, out)
	}

	// A deleted pod of a replica set is replaced, as the controller does.
	out, err = kubectl(t, ts.URL, "", "-n", "telemetry", "delete", "pod", nameOf(pods[0]))
	if err != nil {
		t.Fatalf("delete pod: %v\n%s", err, out)
	}
	after := stored(srv, "pods", "telemetry")
	if len(after) != 2 || nameOf(after[0]) == nameOf(pods[0]) && nameOf(after[1]) == nameOf(pods[1]) {
		t.Fatalf("after deleting a pod of a replica set of 2: %d pods", len(after))
	}
	for _, p := range after {
		if nameOf(p) == nameOf(pods[0]) {
			t.Fatal("the deleted pod is still there")
		}
	}
}

// A deployment's status counts the pods it has: replicas, updated, ready
// and available, and its conditions, as `kubectl get deploy` shows them.
func TestDeploymentStatusAgreesWithItsPods(t *testing.T) {
	srv := telemetryCluster(t)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	status := func() map[string]any {
		return stored(srv, "deployments", "telemetry")[0]["status"].(map[string]any)
	}
	st := status()
	for _, f := range []string{"replicas", "readyReplicas", "availableReplicas", "updatedReplicas"} {
		if intOf(st[f], -1) != 2 {
			t.Fatalf("status.%s of a deployment with 2 running pods: %v (%v)", f, st[f], st)
		}
	}
	conds := map[string]string{}
	for _, c := range list(st["conditions"]) {
		cm := c.(map[string]any)
		conds[cm["type"].(string)] = cm["status"].(string) + " " + cm["reason"].(string)
	}
	if conds["Available"] != "True MinimumReplicasAvailable" || conds["Progressing"] != "True NewReplicaSetAvailable" {
		t.Fatalf("conditions %v", conds)
	}
	out, err := kubectl(t, ts.URL, "", "-n", "telemetry", "get", "deployments")
	if err != nil || !regexp.MustCompile(`(?m)^ingest\s+2/2\s+2\s+2\s+40d$`).MatchString(out) {
		t.Fatalf("get deployments: %v\n%s", err, out)
	}
	// Scaled (kubectl scale uses the scale subresource), and with a new
	// template, the counts follow.
	if out, err := kubectl(t, ts.URL, "", "-n", "telemetry", "scale", "deployment", "ingest", "--replicas=3"); err != nil || !strings.Contains(out, "deployment.apps/ingest scaled") {
		t.Fatalf("scale: %v\n%s", err, out)
	}
	if st = status(); intOf(st["replicas"], -1) != 3 || intOf(st["readyReplicas"], -1) != 3 || len(stored(srv, "pods", "telemetry")) != 3 {
		t.Fatalf("after scaling to 3: %v", st)
	}
	if out, err := kubectl(t, ts.URL, "", "-n", "telemetry", "set", "image", "deployment/ingest", "ingest=ingest:2.4"); err != nil {
		t.Fatalf("set image: %v\n%s", err, out)
	}
	st = status()
	if intOf(st["replicas"], -1) != 3 || intOf(st["updatedReplicas"], -1) != 3 || intOf(st["readyReplicas"], -1) != 3 ||
		intOf(st["observedGeneration"], -1) != 3 || len(stored(srv, "pods", "telemetry")) != 3 {
		t.Fatalf("after a new image: %v", st)
	}
	out, err = kubectl(t, ts.URL, "", "-n", "telemetry", "rollout", "status", "deployment/ingest", "--watch=false")
	if err != nil || !strings.Contains(out, `deployment "ingest" successfully rolled out`) {
		t.Fatalf("rollout status: %v\n%s", err, out)
	}
	sets := stored(srv, "replicasets", "telemetry")
	if len(sets) != 2 {
		t.Fatalf("%d replica sets after a new template", len(sets))
	}
	for _, rs := range sets {
		want := 0
		if rs["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["image"] == "ingest:2.4" {
			want = 3
		}
		if intOf(rs["spec"].(map[string]any)["replicas"], -1) != want || intOf(rs["status"].(map[string]any)["replicas"], -1) != want {
			t.Fatalf("replica set %s: %v %v, want %d", nameOf(rs), rs["spec"].(map[string]any)["replicas"], rs["status"], want)
		}
	}
}

// kubectl get events lists what the scheduler, the controllers and the
// kubelet reported of the intruder's deployment, and nothing of objects
// older than the events' hour.
func TestEventsTellWhatHappened(t *testing.T) {
	srv := telemetryCluster(t)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	out, err := kubectl(t, ts.URL, "", "get", "events", "-A")
	if err != nil || !strings.Contains(out, "No resources found") {
		t.Fatalf("events of a world made 40 days ago: %v\n%s", err, out)
	}
	if out, err := kubectl(t, ts.URL, minerYAML, "apply", "-f", "-"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	pod := nameOf(stored(srv, "pods", "kube-system")[0])
	rs := nameOf(stored(srv, "replicasets", "kube-system")[0])
	node := stored(srv, "pods", "kube-system")[0]["spec"].(map[string]any)["nodeName"].(string)
	out, err = kubectl(t, ts.URL, "", "get", "events", "-A")
	for _, want := range []string{
		`(?m)^kube-system\s+metrics-agent\.[0-9a-f]+\s+\d+s\s+Normal\s+ScalingReplicaSet\s+deployment/metrics-agent\s+Scaled up replica set ` + rs + ` from 0 to 1$`,
		`(?m)^kube-system\s+` + rs + `\.[0-9a-f]+\s+\d+s\s+Normal\s+SuccessfulCreate\s+replicaset/` + rs + `\s+Created pod: ` + pod + `$`,
		`(?m)\s+Normal\s+Scheduled\s+pod/` + pod + `\s+Successfully assigned kube-system/` + pod + ` to ` + node + `$`,
		`(?m)\s+Normal\s+Pulling\s+pod/` + pod + `\s+Pulling image "metrics-agent:1.4"$`,
		`(?m)\s+Normal\s+Pulled\s+pod/` + pod + `\s+Successfully pulled image "metrics-agent:1.4" in [0-9.]+m?s \([0-9.]+m?s including waiting\)\. Image size: \d+ bytes\.$`,
		`(?m)\s+Normal\s+Created\s+pod/` + pod + `\s+Created container: agent$`,
		`(?m)\s+Normal\s+Started\s+pod/` + pod + `\s+Started container agent$`,
	} {
		if err != nil || !regexp.MustCompile(want).MatchString(out) {
			t.Fatalf("get events lacks %s: %v\n%s", want, err, out)
		}
	}
	if strings.Contains(out, "telemetry") {
		t.Fatalf("events of pods made 40 days ago:\n%s", out)
	}
	out, err = kubectl(t, ts.URL, "", "-n", "kube-system", "get", "events", "-o", "wide", "--field-selector", "involvedObject.name="+pod+",reason=Started")
	if err != nil || !regexp.MustCompile(`spec\.containers\{agent\}\s+kubelet, `+node+`\s+Started container agent`).MatchString(out) || strings.Contains(out, "Pulled") {
		t.Fatalf("the pod's Started event, wide: %v\n%s", err, out)
	}
	out, err = kubectl(t, ts.URL, "", "-n", "kube-system", "describe", "deployment", "metrics-agent")
	if err != nil || !regexp.MustCompile(`Normal\s+ScalingReplicaSet\s+\d+s\s+deployment-controller\s+Scaled up replica set `+rs+` from 0 to 1`).MatchString(out) {
		t.Fatalf("describe deployment's events: %v\n%s", err, out)
	}

	// Deleted, the deployment's pod is stopped by its kubelet.
	if out, err := kubectl(t, ts.URL, "", "-n", "kube-system", "delete", "deployment", "metrics-agent"); err != nil {
		t.Fatalf("delete: %v\n%s", err, out)
	}
	if n := len(stored(srv, "replicasets", "kube-system")); n != 0 {
		t.Fatalf("the deleted deployment left %d replica sets", n)
	}
	out, err = kubectl(t, ts.URL, "", "-n", "kube-system", "get", "events")
	if err != nil || !regexp.MustCompile(`Normal\s+Killing\s+pod/`+pod+`\s+Stopping container agent`).MatchString(out) {
		t.Fatalf("events after the delete: %v\n%s", err, out)
	}
}

// Discovery lists the kinds kubectl needs for these: replica sets, nodes,
// events, and the review behind kubectl auth whoami.
func TestDiscoveryListsTheNewKinds(t *testing.T) {
	srv := telemetryCluster(t)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	out, err := kubectl(t, ts.URL, "", "api-resources")
	for _, want := range []string{
		`(?m)^replicasets\s+rs\s+apps/v1\s+true\s+ReplicaSet$`,
		`(?m)^nodes\s+no\s+v1\s+false\s+Node$`,
		`(?m)^events\s+ev\s+v1\s+true\s+Event$`,
		`(?m)^selfsubjectreviews\s+authentication\.k8s\.io/v1\s+false\s+SelfSubjectReview$`,
		`(?m)^leases\s+coordination\.k8s\.io/v1\s+true\s+Lease$`,
	} {
		if err != nil || !regexp.MustCompile(want).MatchString(out) {
			t.Fatalf("api-resources lacks %s: %v\n%s", want, err, out)
		}
	}
}

// The server's tables carry the wide columns at priority 1, as the real
// printers do: kubectl shows them with -o wide only.
func TestWideColumns(t *testing.T) {
	srv := telemetryCluster(t)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	pod := stored(srv, "pods", "telemetry")[0]
	ip := pod["status"].(map[string]any)["podIP"].(string)
	node := pod["spec"].(map[string]any)["nodeName"].(string)
	for _, c := range []struct {
		args        []string
		header, row string
		narrow      string
	}{
		{[]string{"-n", "telemetry", "get", "pods"}, `NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES`,
			nameOf(pod) + `\s+1/1\s+Running\s+0\s+40d\s+` + regexp.QuoteMeta(ip) + `\s+` + node + `\s+<none>\s+<none>`, "NODE"},
		{[]string{"-n", "telemetry", "get", "deployments"}, `NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR`,
			`ingest\s+2/2\s+2\s+2\s+40d\s+ingest\s+ingest:2\.3\s+app=ingest`, "IMAGES"},
		{[]string{"-n", "telemetry", "get", "replicasets"}, `NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR`,
			`ingest-\w+\s+2\s+2\s+2\s+40d\s+ingest\s+ingest:2\.3\s+app=ingest,pod-template-hash=\w+`, "IMAGES"},
		{[]string{"get", "nodes"}, `NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME`,
			`k8s-worker-1\s+Ready\s+<none>\s+40d\s+v1\.32\.4\s+10\.0\.0\.21\s+<none>\s+Ubuntu 22\.04\.5 LTS\s+\S+\s+containerd://\S+`, "INTERNAL-IP"},
	} {
		out, err := kubectl(t, ts.URL, "", append(c.args, "-o", "wide")...)
		if err != nil || !regexp.MustCompile(`(?m)^`+c.header+`$`).MatchString(out) || !regexp.MustCompile(`(?m)^`+c.row+`$`).MatchString(out) {
			t.Fatalf("%v -o wide: %v\n%s", c.args, err, out)
		}
		out, err = kubectl(t, ts.URL, "", c.args...)
		if err != nil || strings.Contains(out, c.narrow) {
			t.Fatalf("%v without -o wide shows %s: %v\n%s", c.args, c.narrow, err, out)
		}
	}
	// The Table itself: the wide columns at priority 1.
	req := httptest.NewRequest(http.MethodGet, "/api/v1/namespaces/telemetry/pods", nil)
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	var table struct {
		ColumnDefinitions []struct {
			Name     string
			Priority int
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &table); err != nil {
		t.Fatal(err)
	}
	priority := map[string]int{}
	for _, c := range table.ColumnDefinitions {
		priority[c.Name] = c.Priority
	}
	if priority["IP"] != 1 || priority["Node"] != 1 || priority["Nominated Node"] != 1 || priority["Readiness Gates"] != 1 || priority["Status"] != 0 {
		t.Fatalf("column priorities %v", priority)
	}
}

// The replica set controller's create of a pod is audited as the real
// one's: the pod as its client sends it (a generateName, no status, no
// server-owned metadata), no name in the object reference, and its own
// service account in the user agent; after the request that caused it.
func TestControllerRequestsInTheAuditLog(t *testing.T) {
	srv := telemetryCluster(t)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if out, err := kubectl(t, ts.URL, minerYAML, "apply", "-f", "-"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	var log strings.Builder
	_ = srv.WriteAudit(&log)
	var deployCreate, rsCreate, podCreate, binding = -1, -1, -1, -1
	for i, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		user := e["user"].(map[string]any)["username"]
		ref := e["objectRef"].(map[string]any)
		switch {
		case user == anonymousUser && e["verb"] == "create" && ref["resource"] == "deployments":
			deployCreate = i
		case user == deploymentController && e["verb"] == "create" && ref["resource"] == "replicasets":
			rsCreate = i
			sent := e["requestObject"].(map[string]any)
			if _, ok := metaOf(sent)["uid"]; ok || metaOf(sent)["creationTimestamp"] != nil || intOf(sent["status"].(map[string]any)["replicas"], -1) != 0 {
				t.Fatalf("the replica set as the controller sent it: %v", sent)
			}
		case user == replicaSetController && e["verb"] == "create" && ref["resource"] == "pods":
			podCreate = i
			sent := e["requestObject"].(map[string]any)
			meta := metaOf(sent)
			if st, ok := sent["status"].(map[string]any); !ok || len(st) != 0 {
				t.Fatalf("the controller's pod carries a status: %v", sent["status"])
			}
			for _, key := range []string{"name", "uid", "resourceVersion", "namespace"} {
				if _, ok := meta[key]; ok {
					t.Fatalf("the controller's pod has metadata.%s: %v", key, meta)
				}
			}
			if !strings.HasPrefix(meta["generateName"].(string), "metrics-agent-") || meta["creationTimestamp"] != nil ||
				sent["spec"].(map[string]any)["nodeName"] != nil {
				t.Fatalf("the controller's pod: %v", sent)
			}
			if _, named := ref["name"]; named {
				t.Fatalf("a generated pod's create names it: %v", ref)
			}
			if e["userAgent"] != "kube-controller-manager/v1.32.4 (linux/amd64) kubernetes/59526cd/"+replicaSetController {
				t.Fatalf("user agent %v", e["userAgent"])
			}
		case user == scheduler && ref["subresource"] == "binding":
			binding = i
		}
	}
	if !(deployCreate >= 0 && deployCreate < rsCreate && rsCreate < podCreate && podCreate < binding) {
		t.Fatalf("deployment created at %d, replica set at %d, pod at %d, bound at %d:\n%s", deployCreate, rsCreate, podCreate, binding, log.String())
	}
}

// A lab host that plays a client in the cluster (a dashboard), and a
// token a pod uses, show in the audit log at that pod's address, the one
// kubectl get pods -o wide gives it, and keep it once the pod is gone.
func TestClientsInTheClusterShowTheirPodsAddress(t *testing.T) {
	w, err := ParseWorld(`
addresses: {"127.0.0.1": "pod:kube-system/dashboard"}
tokens: [{token: promtoken, user: "system:serviceaccount:monitoring:prometheus", pod: monitoring/prometheus}]
objects:
  - {apiVersion: v1, kind: Namespace, metadata: {name: monitoring}}
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: anonymous-admin}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
    subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:anonymous"}]
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: dashboard, namespace: kube-system}
    spec: {template: {metadata: {labels: {app: dashboard}}, spec: {containers: [{name: dashboard, image: "kubernetesui/dashboard:v2.7.0"}]}}}
  - {apiVersion: v1, kind: Pod, metadata: {name: prometheus, namespace: monitoring}, spec: {containers: [{name: prometheus, image: "prom/prometheus:v2.2.1"}]}}
`)
	if err != nil {
		t.Fatal(err)
	}
	srv := New("admintoken")
	if err := srv.Load(w); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	tls := httptest.NewTLSServer(srv)
	defer tls.Close()
	dashboardIP := stored(srv, "pods", "kube-system")[0]["status"].(map[string]any)["podIP"].(string)
	promIP := stored(srv, "pods", "monitoring")[0]["status"].(map[string]any)["podIP"].(string)
	if !strings.HasPrefix(dashboardIP, "10.244.") || !strings.HasPrefix(promIP, "10.244.") || dashboardIP == promIP {
		t.Fatalf("pod addresses %s, %s", dashboardIP, promIP)
	}
	sources := func() []string {
		var log strings.Builder
		_ = srv.WriteAudit(&log)
		var out []string
		for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
			var e Event
			_ = json.Unmarshal([]byte(line), &e)
			if e.User.Username != deploymentController && e.User.Username != replicaSetController && e.User.Username != garbageCollector && e.User.Username != scheduler {
				out = append(out, e.User.Username+"@"+e.SourceIPs[0])
			}
		}
		return out
	}
	if out, err := kubectl(t, ts.URL, "", "get", "pods", "-A"); err != nil {
		t.Fatalf("get pods: %v\n%s", err, out)
	}
	if out, err := kubectl(t, tls.URL, "", "--token=promtoken", "get", "pods", "-A"); err != nil {
		t.Fatalf("get pods as prometheus: %v\n%s", err, out)
	}
	if out, err := kubectl(t, tls.URL, "", "--token=admintoken", "-n", "kube-system", "delete", "deployment", "dashboard"); err != nil {
		t.Fatalf("delete: %v\n%s", err, out)
	}
	if out, err := kubectl(t, ts.URL, "", "get", "ns"); err != nil {
		t.Fatalf("get ns: %v\n%s", err, out)
	}
	got := sources()
	distinct := map[string]bool{}
	for _, s := range got {
		distinct[s] = true
	}
	want := map[string]bool{anonymousUser + "@" + dashboardIP: true, "system:serviceaccount:monitoring:prometheus@" + promIP: true,
		"kubernetes-admin@" + dashboardIP: true}
	if len(distinct) != len(want) || got[len(got)-1] != anonymousUser+"@"+dashboardIP {
		t.Fatalf("sources %v, want %v, the last after the dashboard's pod went", got, want)
	}
	for s := range want {
		if !distinct[s] {
			t.Fatalf("sources %v, want %v", got, want)
		}
	}
	for _, bad := range []string{`addresses: {"10.0.0.1": "pod:nowhere"}`, `tokens: [{token: t, user: u, pod: nowhere}]`} {
		if _, err := ParseWorld(bad); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}
