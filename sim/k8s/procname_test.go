package k8s

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
)

// TestMain lets a test run this package's test binary as sakimori-sim
// runs a mode: with SAKIMORI_TEST_AS_SIM=1, it runs the mode its
// arguments name instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("SAKIMORI_TEST_AS_SIM") == "1" {
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		os.Exit(labkit.Run(ctx, "sakimori-sim", os.Args[1:]))
	}
	os.Exit(m.Run())
}

func freeAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// A kubelet given the pod's command line takes it on: its /proc cmdline
// and name are the pod's process's, its settings are not in its
// environment, and it still serves exec and runs the pod's own process.
func TestKubeletTakesOnThePodsCommand(t *testing.T) {
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("no /proc here")
	}
	kubeletAddr, podAddr := freeAddress(t), freeAddress(t)
	cmd := exec.Command(os.Args[0], "kubelet", "-listen", kubeletAddr,
		"k8s-console", "-listen", podAddr, "-api", "http://127.0.0.1:1") // the pod's own process: any mode that serves
	cmd.Env = append(os.Environ(), "SAKIMORI_TEST_AS_SIM=1", "KUBELET_API_SERVER=localhost",
		podCommandEnv+`=["/usr/local/bin/ingest", "--interval=60s"]`)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	proc := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/"
	read := func(name string) string {
		b, _ := os.ReadFile(proc + name)
		return string(b)
	}
	want := "/usr/local/bin/ingest\x00--interval=60s\x00"
	up := func(addr string) bool {
		resp, err := http.Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	}
	for i := 0; i < 100 && !(read("cmdline") == want && up(kubeletAddr) && up(podAddr)); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if got := read("cmdline"); got != want {
		t.Fatalf("cmdline %q, want %q\n%s", got, want, stderr.String())
	}
	if got := strings.TrimSpace(read("comm")); got != "ingest" {
		t.Fatalf("comm %q", got)
	}
	env := read("environ")
	for _, name := range []string{podCommandEnv + "=", "KUBELET_API_SERVER="} {
		if strings.Contains(env, "\x00"+name) || strings.HasPrefix(env, name) {
			t.Fatalf("the process's environment still has %s", name)
		}
	}
	if !up(podAddr) {
		t.Fatalf("the pod's own process is not running:\n%s", stderr.String())
	}
	// Still the kubelet: it answers the API server's address (localhost)
	// and runs a command.
	resp, err := http.Get("http://" + kubeletAddr + "/exec/telemetry/ingest-0/ingest")
	if err != nil {
		t.Fatalf("the kubelet does not answer: %v\n%s", err, stderr.String())
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest { // no command: refused, but by the kubelet
		t.Fatalf("the kubelet's answer to an exec without a command: %d", resp.StatusCode)
	}
	api := playedClusterAt(t, "http://"+kubeletAddr)
	out, err := kubectl(t, api, "", "-n", "telemetry", "exec", "ingest-0", "--", "cat", proc+"cmdline")
	if err != nil || out != want {
		t.Fatalf("cat %scmdline through the kubelet: %v %q", proc, err, out)
	}
}
