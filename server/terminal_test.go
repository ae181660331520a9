package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs/driver"
)

// dialTerminal gets a ticket for the lab and opens its socket from origin.
func dialTerminal(t testing.TB, rg *range_, base, token, lab, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	r := rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil, bearer(token)...)
	if r.status != 200 {
		t.Fatalf("ticket: %s", r.raw)
	}
	return dialURL(base+r.body["url"].(string), origin)
}

func dialURL(url, origin string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	return d.Dial(strings.Replace(url, "http://", "ws://", 1), h)
}

// hangUp closes a terminal the way a browser does when its tab closes:
// with a close frame.
func hangUp(ws *websocket.Conn) {
	ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""))
	ws.Close()
}

// readUntil reads terminal output until it contains want.
func readUntil(t *testing.T, ws *websocket.Conn, want string) string {
	t.Helper()
	var got strings.Builder
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for !strings.Contains(got.String(), want) {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for %q: %v; got %q", want, err, got.String())
		}
		got.Write(msg)
	}
	return got.String()
}

func TestBrowserTerminal(t *testing.T) {
	d := engineFor(t)
	rg := newRangeWithLabs(t, d)
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	bob, _ := rg.userWithRole("bob@range.test", accounts.RoleTrainee)
	lab := runningLab(t, rg, alice)
	origin := base // the page is served from the range itself

	ws, _, err := dialTerminal(t, rg, base, alice, lab, origin)
	if err != nil {
		t.Fatal(err)
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte("echo marker-$((6*7))\n"))
	readUntil(t, ws, "marker-42")
	// The lab now counts as worked in: its flag will not be marked.
	ws.WriteMessage(websocket.BinaryMessage, []byte("wget -q -O - http://$WEB_HOST:8080/flag.txt\n"))
	out := readUntil(t, ws, "}")
	flag := out[strings.Index(out, "FLAG{"):]
	flag = flag[:strings.Index(flag, "}")+1]
	r := rg.call("POST", "/api/v1/labs/"+lab+"/objectives/first-flag", map[string]string{"answer": flag}, bearer(alice)...)
	if r.body["correct"] != true {
		t.Fatalf("flag read in the terminal: %s", r.raw)
	}
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	if r = rg.call("GET", "/api/v1/scoring/suspicions", nil, bearer(teacher)...); strings.Contains(r.raw, "no_session") {
		t.Fatalf("a flag from a lab worked in was marked: %s", r.raw)
	}
	ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"resize","rows":33,"cols":101}`))
	time.Sleep(100 * time.Millisecond)
	ws.WriteMessage(websocket.BinaryMessage, []byte("stty size\n"))
	readUntil(t, ws, "33 101")

	// Closing the tab reaps the shell and whatever it started.
	ws.WriteMessage(websocket.BinaryMessage, []byte("sleep 4244 &\nsleep 4245\n"))
	time.Sleep(300 * time.Millisecond)
	if n := countProcs(t, d, lab, "sleep 424"); n != 2 {
		t.Fatalf("%d sleeps before closing, want 2", n)
	}
	hangUp(ws)
	for deadline := time.Now().Add(5 * time.Second); countProcs(t, d, lab, "sleep 424") != 0; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the shell's processes outlived the closed terminal")
		}
	}

	// The session was recorded: asciicast v2, output, input and the resize,
	// for the trainee and staff, and for nobody else.
	r = rg.call("GET", "/api/v1/labs/"+lab+"/recordings", nil, bearer(alice)...)
	list, _ := r.body["recordings"].([]any)
	if r.status != 200 || len(list) != 1 {
		t.Fatalf("recordings: %s", r.raw)
	}
	recID := list[0].(map[string]any)["id"].(string)
	var cast reply
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		cast = rg.call("GET", "/api/v1/recordings/"+recID, nil, bearer(teacher)...)
		if strings.Contains(cast.raw, "4245") || time.Now().After(deadline) {
			break // written out when the session closed
		}
	}
	lines := strings.Split(strings.TrimSpace(cast.raw), "\n")
	if cast.status != 200 || cast.header.Get("Content-Type") != "application/x-asciicast" || !strings.HasPrefix(lines[0], `{"env":{"TERM":"xterm-256color"},"height":24,"timestamp":`) ||
		!strings.Contains(lines[0], `"version":2,"width":80`) {
		t.Fatalf("cast header: %d %q", cast.status, lines[0])
	}
	for _, want := range []string{`"i","echo marker-$((6*7))\n"]`, `"o","`, `"r","101x33"]`, "marker-42"} {
		if !strings.Contains(cast.raw, want) {
			t.Errorf("the cast lacks %s", want)
		}
	}
	expect(t, rg.call("GET", "/api/v1/recordings/"+recID, nil, bearer(bob)...), 404, "recording_not_found")
	expect(t, rg.call("GET", "/api/v1/labs/"+lab+"/recordings", nil, bearer(bob)...), 404, "lab_not_found")
	expect(t, rg.call("GET", "/api/v1/recordings/not-an-id", nil, bearer(teacher)...), 404, "recording_not_found")

	// An oversized frame ends the session.
	ws, _, err = dialTerminal(t, rg, base, alice, lab, origin)
	if err != nil {
		t.Fatal(err)
	}
	ws.WriteMessage(websocket.BinaryMessage, make([]byte, 70<<10))
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			break // closed, as it should be
		}
	}
	ws.Close()

	// At most three terminals a person. Closed ones count until their
	// shells are gone, which takes a moment: retry until each opens.
	var open []*websocket.Conn
	for range 3 {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			c, _, err := dialTerminal(t, rg, base, alice, lab, origin)
			if err != nil {
				t.Fatal(err)
			}
			c.WriteMessage(websocket.BinaryMessage, []byte("echo up\n"))
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, msg, err := c.ReadMessage(); err == nil && len(msg) > 0 { // open: the shell speaks
				if !strings.Contains(string(msg), "up\r\n") {
					readUntil(t, c, "up\r\n")
				}
				open = append(open, c)
				break
			}
			hangUp(c)
			if time.Now().After(deadline) {
				t.Fatal("closed terminals never freed their places")
			}
		}
	}
	fourth, _, err := dialTerminal(t, rg, base, alice, lab, origin)
	if err != nil {
		t.Fatal(err)
	}
	fourth.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err = fourth.ReadMessage()
	if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.ClosePolicyViolation {
		t.Fatalf("fourth terminal: %v", err)
	}
	for _, c := range open {
		hangUp(c)
	}

	// SECURITY.md case 8: refused handshakes.
	ticket := func(token string) string {
		return rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil, bearer(token)...).body["url"].(string)
	}
	if _, resp, err := dialURL(base+"/api/v1/labs/"+lab+"/terminal/ws", origin); err == nil || resp.StatusCode != 401 {
		t.Fatalf("no ticket: %v %v", resp, err)
	}
	if _, resp, err := dialURL(base+ticket(alice), "https://evil.example"); err == nil || resp.StatusCode != 403 {
		t.Fatalf("foreign origin: %v", err)
	}
	if _, resp, err := dialURL(base+ticket(alice), ""); err == nil || resp.StatusCode != 403 {
		t.Fatalf("no origin: %v", err)
	}
	used := ticket(alice)
	c, _, err := dialURL(base+used, origin)
	if err != nil {
		t.Fatal(err)
	}
	hangUp(c)
	if _, resp, err := dialURL(base+used, origin); err == nil || resp.StatusCode != 401 {
		t.Fatalf("a reused ticket: %v", err)
	}
	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil, bearer(bob)...), 404, "lab_not_found")
	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil), 401, "token_missing")
	bobs := runningLab(t, rg, bob)
	other := strings.Replace(ticket(alice), lab, bobs, 1) // alice's ticket, bob's lab
	if _, resp, err := dialURL(base+other, origin); err == nil || resp.StatusCode != 401 {
		t.Fatalf("a ticket for another lab: %v", err)
	}
	expect(t, rg.call("GET", "/api/v1/labs/"+lab+"/terminal/ws", nil, bearer(alice)...), 400, "websocket_required")
}

// countProcs counts processes in the lab's workstation whose command line
// starts with prefix.
func countProcs(t *testing.T, d driver.Driver, lab, prefix string) int {
	t.Helper()
	s, err := d.Exec(context.Background(), lab, "workstation", driver.ExecRequest{Command: []string{"sh", "-c",
		fmt.Sprintf("for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c '^%s'", prefix)}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.CloseWrite()
	var out strings.Builder
	buf := make([]byte, 64)
	for {
		n, err := s.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			break
		}
	}
	var n int
	fmt.Sscan(strings.TrimSpace(out.String()), &n)
	return n
}

// An idle terminal stays open: the server's read timeout is for requests,
// not for a terminal someone is thinking in.
func TestIdleTerminalStaysOpen(t *testing.T) {
	rg := newRangeWithLabs(t, engineFor(t), withReadTimeout(time.Second))
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	lab := runningLab(t, rg, alice)
	ws, _, err := dialTerminal(t, rg, base, alice, lab, base)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	readUntil(t, ws, "$ ")
	time.Sleep(3 * time.Second) // three read timeouts, idle
	if err := ws.WriteMessage(websocket.BinaryMessage, []byte("echo awake-$((2*21))\n")); err != nil {
		t.Fatal(err)
	}
	readUntil(t, ws, "awake-42")
}

// A connection that drops (no close frame) leaves the shell waiting: the
// page comes back to the same shell, with what it printed meanwhile. Only
// its own person can; and a shell nobody comes back to is reaped.
func TestTerminalReturnsToTheSameShell(t *testing.T) {
	d := engineFor(t)
	rg := newRangeWithLabs(t, d, withTerminalGrace(3*time.Second))
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	lab := runningLab(t, rg, alice)

	ws, _, err := dialTerminal(t, rg, base, alice, lab, base)
	if err != nil {
		t.Fatal(err)
	}
	hello := readUntil(t, ws, `"resumed":false}`)
	var h struct{ ID string }
	json.Unmarshal([]byte(hello[strings.Index(hello, "{"):strings.Index(hello, "}")+1]), &h)
	if h.ID == "" {
		t.Fatalf("no shell id in %q", hello)
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte("MARK=kept-$((20+22)); (sleep 1; echo while-away) &\n"))
	time.Sleep(200 * time.Millisecond)
	ws.UnderlyingConn().Close() // the network drops: no close frame

	time.Sleep(1500 * time.Millisecond) // the shell prints while nobody is there
	back, _, err := dialURL(base+rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil, bearer(alice)...).body["url"].(string)+"&resume="+h.ID, base)
	if err != nil {
		t.Fatal(err)
	}
	readUntil(t, back, `"resumed":true}`)
	readUntil(t, back, "while-away")
	back.WriteMessage(websocket.BinaryMessage, []byte("echo $MARK\n"))
	readUntil(t, back, "kept-42")

	// Another person's page cannot take it over: a new shell of their own.
	bob, _ := rg.userWithRole("bob@range.test", accounts.RoleInstructor)
	other, _, err := dialURL(base+rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil, bearer(bob)...).body["url"].(string)+"&resume="+h.ID, base)
	if err != nil {
		t.Fatal(err)
	}
	readUntil(t, other, `"resumed":false}`)
	hangUp(other)

	// Dropped again, and nobody returns: reaped after the grace.
	back.WriteMessage(websocket.BinaryMessage, []byte("sleep 4246\n"))
	time.Sleep(300 * time.Millisecond)
	back.UnderlyingConn().Close()
	time.Sleep(time.Second)
	if n := countProcs(t, d, lab, "sleep 4246"); n != 1 {
		t.Fatalf("%d sleeps during the grace, want 1: the shell should wait", n)
	}
	for deadline := time.Now().Add(8 * time.Second); countProcs(t, d, lab, "sleep 4246") != 0; time.Sleep(300 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a shell nobody came back to outlived its grace")
		}
	}
}
