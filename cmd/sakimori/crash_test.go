package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/labs/driver/docker/dockertest"
)

// TestMain lets the test binary act as the sakimori command, so a test can
// run the real server as a process of its own and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("SAKIMORI_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// serverProcess is `sakimori serve` in a process of its own.
type serverProcess struct {
	cmd  *exec.Cmd
	url  string
	code string // first-run setup code, if printed
}

// startServerProcess runs the server and reads its start-up block: the
// address, and the setup code when firstRun says one will be printed.
func startServerProcess(t *testing.T, dataDir string, firstRun bool) *serverProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(), "SAKIMORI_TEST_AS_MAIN=1", "SAKIMORI_DATA_DIR="+dataDir,
		"SAKIMORI_LISTEN=127.0.0.1:0", "SAKIMORI_LAB_POOL=10.227.0.0/16", "SAKIMORI_LOG_LEVEL=warn",
		// Fixed, as a deployment's is: tokens name it as their issuer, and
		// they must stay good when the server comes back on another port.
		"SAKIMORI_PUBLIC_URL=http://range.test")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serverProcess{cmd: cmd}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	addr := regexp.MustCompile(`listening\s+(127\.0\.0\.1:\d+)`)
	sc := bufio.NewScanner(stderr)
	codeNext := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := addr.FindStringSubmatch(line); m != nil {
			p.url = "http://" + m[1]
		}
		if codeNext && line != "" {
			p.code = line
			break
		}
		codeNext = codeNext || strings.HasSuffix(line, "one-time code:")
		if !firstRun && strings.HasPrefix(line, "browser app") { // the block's last line
			break
		}
	}
	go io.Copy(io.Discard, stderr)
	if p.url == "" || (firstRun && p.code == "") {
		t.Fatal("the server did not start")
	}
	return p
}

func (p *serverProcess) call(t *testing.T, method, path, token string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, p.url+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

type tokenReply struct {
	AccessToken string `json:"access_token"`
}

type labReply struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Reason string `json:"reason"`
}

// TestKilledServerRestartsWithoutOrphans is docs/security.md case 1 with a real
// kill: the server dies (SIGKILL) while a lab is being built and another is
// running. On restart, the cut-short launch is failed with a clear retry
// and leaves nothing in the engine; the running lab is adopted.
func TestKilledServerRestartsWithoutOrphans(t *testing.T) {
	engine := dockertest.Engine(t)
	dir := t.TempDir()
	// The server's secrets, made before it starts, name its range: all of
	// that range is removed at the end, after the servers are gone, even
	// if the test fails midway.
	secrets, _, err := config.LoadOrCreateSecrets(filepath.Join(dir, "secrets.json"))
	if err != nil {
		t.Fatal(err)
	}
	scoped := engine.ForRange(config.RangeID(secrets))
	dockertest.Clean(t, scoped)
	srv := startServerProcess(t, dir, true)
	var admin tokenReply
	srv.call(t, "POST", "/api/v1/setup", "", map[string]string{"setup_code": srv.code, "email": "root@range.test", "password": "crash test admin pw"}, &admin)
	token := func(email string) string {
		srv.call(t, "POST", "/api/v1/users", admin.AccessToken, map[string]string{"email": email, "password": "crash test password", "role": "trainee"}, nil)
		var tr tokenReply
		srv.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": "crash test password"}, &tr)
		return tr.AccessToken
	}
	alice, bob := token("alice@range.test"), token("bob@range.test")

	var running labReply
	srv.call(t, "POST", "/api/v1/labs", alice, map[string]string{"scenario": "orientation"}, &running)
	for deadline := time.Now().Add(60 * time.Second); running.State != "running"; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("lab did not run: %+v", running)
		}
		srv.call(t, "GET", "/api/v1/labs/"+running.ID, alice, nil, &running)
	}
	var cut labReply
	if st := srv.call(t, "POST", "/api/v1/labs", bob, map[string]string{"scenario": "orientation"}, &cut); st != 202 {
		t.Fatalf("launch: %d", st)
	}
	time.Sleep(150 * time.Millisecond) // mid-provisioning
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()
	time.Sleep(2 * time.Second) // let the engine finish any request it was given

	t.Cleanup(func() {
		scoped.Destroy(context.Background(), running.ID)
		scoped.Destroy(context.Background(), cut.ID)
	})

	srv = startServerProcess(t, dir, false)
	var after labReply
	for deadline := time.Now().Add(30 * time.Second); after.State != "failed"; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the cut-short launch was not reconciled: %+v", after)
		}
		srv.call(t, "GET", "/api/v1/labs/"+cut.ID, bob, nil, &after)
	}
	if !strings.Contains(after.Reason, "Launch it again") {
		t.Fatalf("no clear retry for the trainee: %q", after.Reason)
	}
	refs, err := scoped.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		if r.ID == cut.ID {
			t.Fatalf("orphans of the cut-short launch remain: %+v", r)
		}
	}
	var kept labReply
	srv.call(t, "GET", "/api/v1/labs/"+running.ID, alice, nil, &kept)
	st, err := scoped.Status(context.Background(), running.ID)
	if kept.State != "running" || err != nil || !st.Running() {
		t.Fatalf("the running lab was not adopted: %+v, %v", kept, err)
	}
	// And bob can launch again.
	var again labReply
	if code := srv.call(t, "POST", "/api/v1/labs", bob, map[string]string{"scenario": "orientation"}, &again); code != 202 {
		t.Fatalf("relaunch after the crash: %d", code)
	}
	t.Cleanup(func() { scoped.Destroy(context.Background(), again.ID) })
}
