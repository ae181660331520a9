package k8s

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const playedWorld = `
objects:
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: anonymous-admin}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
    subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: system:anonymous}]
  - apiVersion: v1
    kind: Namespace
    metadata: {name: telemetry}
  - apiVersion: v1
    kind: Pod
    metadata: {name: ingest-0, namespace: telemetry}
    spec:
      containers:
        - name: ingest
          image: ingest:2
          env: [{name: AWS_ACCESS_KEY_ID, value: AKIAEXAMPLEKEY000002}]
  - apiVersion: v1
    kind: Pod
    metadata: {name: modelled, namespace: telemetry}
    spec:
      containers: [{name: app, image: app:1}]
kubelets:
  telemetry/ingest-0: KUBELET
`

// playedCluster is an API server whose pod ingest-0 a kubelet on this
// machine plays, and the kubelet's URL.
func playedCluster(t *testing.T) (api, kubelet string) {
	t.Helper()
	kl := httptest.NewServer(&Kubelet{Allowed: func(ip net.IP) bool { return ip.IsLoopback() }})
	t.Cleanup(kl.Close)
	return playedClusterAt(t, kl.URL), kl.URL
}

// playedClusterAt is an API server whose pod ingest-0 the kubelet at
// kubelet plays.
func playedClusterAt(t *testing.T, kubelet string) (api string) {
	t.Helper()
	w, err := ParseWorld(strings.Replace(playedWorld, "KUBELET", kubelet, 1))
	if err != nil {
		t.Fatal(err)
	}
	srv := New("admintoken")
	if err := srv.Load(w); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

// kubectl exec into a pod a lab host plays runs there for real, with the
// pod's environment and not the host's, its streams, stdin and exit code
// carried through the API server as kube-apiserver carries them.
func TestKubectlExecRunsWhereThePodIsPlayed(t *testing.T) {
	api, _ := playedCluster(t)
	t.Setenv("SAKIMORI_HOST_ONLY", "a lab secret")

	out, err := kubectl(t, api, "", "-n", "telemetry", "exec", "ingest-0", "--", "sh", "-c",
		`echo "key=$AWS_ACCESS_KEY_ID host=$HOSTNAME"; echo to-stderr >&2; env | grep -c SAKIMORI_HOST_ONLY; exit 3`)
	if err == nil || !strings.Contains(out, "key=AKIAEXAMPLEKEY000002 host=ingest-0") || !strings.Contains(out, "to-stderr") ||
		!strings.Contains(out, "\n0\n") || !strings.Contains(out, "command terminated with exit code 3") {
		t.Fatalf("exec: %v\n%s", err, out)
	}
	out, err = kubectl(t, api, "echo from-stdin\nexit\n", "-n", "telemetry", "exec", "-i", "ingest-0", "--", "sh")
	if err != nil || strings.TrimSpace(out) != "from-stdin" {
		t.Fatalf("exec -i: %v\n%s", err, out)
	}
	// A binary the container lacks: the runtime cannot start it, and says
	// so as containerd and runc do; kubectl exits 1. A shell that cannot
	// find one exits 127.
	out, err = kubectl(t, api, "", "-n", "telemetry", "exec", "ingest-0", "--", "no-such-tool", "--flag")
	if exitCode(err) != 1 || !strings.HasPrefix(out, "error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec ") ||
		!strings.Contains(out, `OCI runtime exec failed: exec failed: unable to start container process: exec: "no-such-tool": executable file not found in $PATH: unknown`) ||
		strings.Contains(out, "--flag") || strings.Contains(out, "exit code") {
		t.Fatalf("exec of a missing binary: %v\n%s", err, out)
	}
	out, err = kubectl(t, api, "", "-n", "telemetry", "exec", "ingest-0", "--", "/no/such/tool")
	if exitCode(err) != 1 || !strings.Contains(out, `exec: "/no/such/tool": stat /no/such/tool: no such file or directory: unknown`) {
		t.Fatalf("exec of a missing path: %v\n%s", err, out)
	}
	out, err = kubectl(t, api, "", "-n", "telemetry", "exec", "ingest-0", "--", "sh", "-c", "no-such-tool")
	if exitCode(err) != 127 || !strings.Contains(out, "command terminated with exit code 127") {
		t.Fatalf("a shell's missing command: %v\n%s", err, out)
	}
	// A pod no host plays still answers from its spec.
	out, err = kubectl(t, api, "", "-n", "telemetry", "exec", "modelled", "--", "hostname")
	if err != nil || strings.TrimSpace(out) != "modelled" {
		t.Fatalf("exec into a modelled pod: %v\n%s", err, out)
	}
}

// A modelled pod has only the tools that answer from its spec; any other
// binary is missing, and the exec fails as the container runtime reports
// that, naming the binary alone, and kubectl exits 1.
func TestExecOfAMissingBinaryInAModelledPod(t *testing.T) {
	api, _ := playedCluster(t)
	out, err := kubectl(t, api, "", "-n", "telemetry", "exec", "modelled", "--", "ls", "-la", "/")
	if exitCode(err) != 1 || !regexp.MustCompile(`^error: Internal error occurred: error executing command in container: failed to exec in container: `+
		`failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: `+
		`exec: "ls": executable file not found in \$PATH: unknown\n$`).MatchString(out) {
		t.Fatalf("exec of a missing binary: %v\n%s", err, out)
	}
	out, err = kubectl(t, api, "", "-n", "telemetry", "exec", "-it", "modelled", "--", "/bin/sh")
	if exitCode(err) != 1 || !strings.Contains(out, `exec: "/bin/sh": stat /bin/sh: no such file or directory: unknown`) || strings.Contains(out, "exit code") {
		t.Fatalf("exec of a missing path: %v\n%s", err, out)
	}
	out, err = kubectl(t, api, "", "-n", "telemetry", "exec", "modelled", "--", "/usr/bin/printenv", "HOSTNAME")
	if err != nil || out != "modelled\n" {
		t.Fatalf("exec of a binary the model has, by its path: %v\n%s", err, out)
	}
}

// exitCode is a command's exit status, 0 if it ran and succeeded, -1 if
// it did not run.
func exitCode(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	return -1
}

// With a terminal, the command gets a real one.
func TestKubeletGivesATerminal(t *testing.T) {
	_, kubelet := playedCluster(t)
	u, _ := url.Parse(kubelet)
	u.Scheme, u.Path = "ws", "/exec/telemetry/ingest-0/ingest"
	u.RawQuery = url.Values{"command": {"sh", "-c", "tty"}, "stdin": {"true"}, "stdout": {"true"}, "tty": {"true"}}.Encode()
	dialer := websocket.Dialer{Subprotocols: []string{"v5.channel.k8s.io"}}
	conn, _, err := dialer.Dial(u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.WriteMessage(websocket.BinaryMessage, append([]byte{chanResize}, `{"Width":100,"Height":30}`...))
	var out strings.Builder
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			break
		}
		if len(msg) > 0 && msg[0] == chanStdout {
			out.Write(msg[1:])
		}
		if len(msg) > 0 && msg[0] == chanError && !strings.Contains(string(msg), "Success") {
			t.Fatalf("status: %s", msg[1:])
		}
	}
	if !strings.Contains(out.String(), "/dev/pts/") {
		t.Fatalf("no terminal: %q", out.String())
	}
}

// A shell whose kubectl has gone is ended, not left on its terminal.
func TestKubeletEndsWhatItsCallerLeft(t *testing.T) {
	_, kubelet := playedCluster(t)
	u, _ := url.Parse(kubelet)
	u.Scheme, u.Path = "ws", "/exec/telemetry/ingest-0/ingest"
	marker := "sakimori-left-" + strings.ReplaceAll(t.Name(), "/", "-")
	u.RawQuery = url.Values{"command": {"sh", "-c", "sleep 300; echo " + marker}, "stdin": {"true"}, "stdout": {"true"}, "tty": {"true"}}.Encode()
	conn, _, err := (&websocket.Dialer{Subprotocols: []string{"v5.channel.k8s.io"}}).Dial(u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	running := func() bool {
		out, _ := exec.Command("pgrep", "-f", marker).Output()
		return len(strings.TrimSpace(string(out))) > 0
	}
	for i := 0; i < 50 && !running(); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if !running() {
		t.Fatal("the command never started")
	}
	conn.Close()
	for i := 0; i < 50 && running(); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if running() {
		t.Fatal("the command outlived its connection")
	}
}

// Only the API server may call a kubelet: anyone else is refused before
// anything runs.
func TestKubeletRefusesOthers(t *testing.T) {
	kl := httptest.NewServer(&Kubelet{Allowed: func(net.IP) bool { return false }})
	defer kl.Close()
	resp, err := http.Get(kl.URL + "/exec/telemetry/ingest-0/ingest?command=id")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a stranger's exec got %d", resp.StatusCode)
	}
	// The API server itself gets clear refusals for what a kubelet cannot run.
	kl2 := httptest.NewServer(&Kubelet{Allowed: func(net.IP) bool { return true }})
	defer kl2.Close()
	for path, want := range map[string]int{
		"/exec/telemetry/ingest-0":                    http.StatusNotFound,   // no container
		"/logs/telemetry/ingest-0/ingest":             http.StatusNotFound,   // not an exec
		"/exec/telemetry/ingest-0/ingest":             http.StatusBadRequest, // no command
		"/exec/telemetry/ingest-0/ingest?command=env": http.StatusBadRequest, // the environment below does not parse
	} {
		req, _ := http.NewRequest(http.MethodGet, kl2.URL+path, nil)
		req.Header.Set(podEnvHeader, "{not json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	if _, err := ParseWorld("kubelets: {telemetry/ingest-0: 'ftp://x'}"); err == nil {
		t.Fatal("a kubelet that is not an http URL was accepted")
	}
}
