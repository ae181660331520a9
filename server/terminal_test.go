package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/labs/driver/drivertest"
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
	return dialAs(url, origin, "")
}

// dialAs opens a socket from origin, naming host in the Host header, as a
// page can when its own name points at the range's address.
func dialAs(url, origin, host string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	if host != "" {
		h.Set("Host", host)
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

// TestBrowserTerminal is a real shell in a real lab through the browser
// terminal: it reads the flag, follows a resize, and is reaped, with what
// it started, when the tab closes.
func TestBrowserTerminal(t *testing.T) {
	d := engineFor(t)
	rg := newRangeWithLabs(t, d)
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	lab := runningLab(t, rg, alice)
	origin := publicURL // the page is served from the range's public URL

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
	rg.teaches("teacher@range.test", "alice@range.test")
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
}

// fakeTerminals makes the fake's hosts run the platform's terminal
// command (bash where the image has it, else sh) as the fake's small
// shell, reading lines.
func fakeTerminals(f *drivertest.Fake) {
	f.Handle("sh", func(ctx context.Context, p *drivertest.Process) int {
		if len(p.Args) > 2 && p.Args[1] == "-c" && strings.Contains(p.Args[2], "command -v bash") {
			login := *p
			login.Args = []string{"sh", "-l"}
			return drivertest.Shell(ctx, &login)
		}
		return drivertest.Shell(ctx, p)
	})
}

// TestTerminalSessionsOverTheAPI: what the platform does with a terminal
// whatever runs in it: recording, limits, and who may open one.
func TestTerminalSessionsOverTheAPI(t *testing.T) {
	f := fakeLabs()
	fakeTerminals(f)
	rg := newRangeWithLabs(t, f)
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	bob, _ := rg.userWithRole("bob@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	rg.teaches("teacher@range.test", "alice@range.test", "bob@range.test")
	lab := runningLab(t, rg, alice)
	origin := publicURL

	ws, _, err := dialTerminal(t, rg, base, alice, lab, origin)
	if err != nil {
		t.Fatal(err)
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte("echo \"mark\"er-42\n"))
	readUntil(t, ws, "marker-42")
	ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"resize","rows":33,"cols":101}`))
	time.Sleep(100 * time.Millisecond)
	ws.WriteMessage(websocket.BinaryMessage, []byte("stty size\n"))
	readUntil(t, ws, "33 101")
	hangUp(ws)

	// The session was recorded: asciicast v2, output, input and the resize,
	// for the trainee and staff, and for nobody else.
	r := rg.call("GET", "/api/v1/labs/"+lab+"/recordings", nil, bearer(alice)...)
	list, _ := r.body["recordings"].([]any)
	if r.status != 200 || len(list) != 1 {
		t.Fatalf("recordings: %s", r.raw)
	}
	recID := list[0].(map[string]any)["id"].(string)
	var cast reply
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		cast = rg.call("GET", "/api/v1/recordings/"+recID, nil, bearer(teacher)...)
		if strings.Contains(cast.raw, "33 101") || time.Now().After(deadline) {
			break // written out when the session closed
		}
	}
	lines := strings.Split(strings.TrimSpace(cast.raw), "\n")
	if cast.status != 200 || cast.header.Get("Content-Type") != "application/x-asciicast" || !strings.HasPrefix(lines[0], `{"env":{"TERM":"xterm-256color"},"height":24,"timestamp":`) ||
		!strings.Contains(lines[0], `"version":2,"width":80`) {
		t.Fatalf("cast header: %d %q", cast.status, lines[0])
	}
	for _, want := range []string{`"i","echo \"mark\"er-42\n"]`, `"o","`, `"r","101x33"]`, "marker-42"} {
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

	// docs/security.md case 8: refused handshakes.
	ticket := func(token string) string {
		return rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil, bearer(token)...).body["url"].(string)
	}
	used := ticket(alice)
	c, _, err := dialURL(base+used, origin)
	if err != nil {
		t.Fatal(err)
	}
	hangUp(c)
	bobs := runningLab(t, rg, bob)
	for _, c := range []struct {
		name, url, origin, host string
		status                  int
	}{
		{"no ticket", "/api/v1/labs/" + lab + "/terminal/ws", origin, "", 401},
		{"a foreign origin", ticket(alice), "https://evil.example", "", 403},
		{"a foreign origin naming itself as the host", ticket(alice), "http://evil.example", "evil.example", 403},
		{"the public host over another scheme", ticket(alice), "https://range.test", "", 403},
		{"no origin", ticket(alice), "", "", 403},
		{"a reused ticket", used, origin, "", 401},
		{"a ticket for another lab", strings.Replace(ticket(alice), lab, bobs, 1), origin, "", 401},
	} {
		if _, resp, err := dialAs(base+c.url, c.origin, c.host); err == nil || resp.StatusCode != c.status {
			t.Errorf("%s: %v, want %d", c.name, err, c.status)
		}
	}
	rg.check(t, []apiCase{
		{name: "another trainee's lab", method: "POST", url: "/api/v1/labs/" + lab + "/terminal", token: bob, status: 404, code: "lab_not_found"},
		{name: "no token", method: "POST", url: "/api/v1/labs/" + lab + "/terminal", status: 401, code: "token_missing"},
		{name: "not a WebSocket", method: "GET", url: "/api/v1/labs/" + lab + "/terminal/ws", token: alice, status: 400, code: "websocket_required"},
	})
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
	f := fakeLabs()
	fakeTerminals(f)
	rg := newRangeWithLabs(t, f, withReadTimeout(time.Second))
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	lab := runningLab(t, rg, alice)
	ws, _, err := dialTerminal(t, rg, base, alice, lab, publicURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	readUntil(t, ws, "$ ")
	time.Sleep(3 * time.Second) // three read timeouts, idle
	if err := ws.WriteMessage(websocket.BinaryMessage, []byte("echo \"awake\"-42\n")); err != nil {
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

	ws, _, err := dialTerminal(t, rg, base, alice, lab, publicURL)
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
	back, _, err := dialURL(base+rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil, bearer(alice)...).body["url"].(string)+"&resume="+h.ID, publicURL)
	if err != nil {
		t.Fatal(err)
	}
	readUntil(t, back, `"resumed":true}`)
	readUntil(t, back, "while-away")
	back.WriteMessage(websocket.BinaryMessage, []byte("echo $MARK\n"))
	readUntil(t, back, "kept-42")

	// Another person's page cannot take it over: a new shell of their own.
	bob, _ := rg.userWithRole("bob@range.test", accounts.RoleInstructor)
	rg.teaches("bob@range.test", "alice@range.test")
	other, _, err := dialURL(base+rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil, bearer(bob)...).body["url"].(string)+"&resume="+h.ID, publicURL)
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

// Any end of a connection other than a close frame is a drop, and the
// shell waits for the page: a clean FIN (the connection closed without a
// close frame) as well as a reset. A close frame ends the shell at once;
// a dropped shell nobody comes back to is reaped after the grace.
func TestTerminalDropsWithoutCloseFrameAreResumable(t *testing.T) {
	const grace = 3 * time.Second
	f := fakeLabs()
	fakeTerminals(f)
	held, released := make(chan struct{}, 1), make(chan struct{}, 1)
	f.Handle("hold", func(ctx context.Context, _ *drivertest.Process) int {
		held <- struct{}{}
		<-ctx.Done() // the shell's session closed: what it started ends
		released <- struct{}{}
		return 137
	})
	rg := newRangeWithLabs(t, f, withTerminalGrace(grace))
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	lab := runningLab(t, rg, alice)
	open := func(resume string) (*websocket.Conn, string) {
		t.Helper()
		url := rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil, bearer(alice)...).body["url"].(string)
		if resume != "" {
			url += "&resume=" + resume
		}
		ws, _, err := dialURL(base+url, publicURL)
		if err != nil {
			t.Fatal(err)
		}
		return ws, readUntil(t, ws, `"resumed":`)
	}
	shellID := func(hello string) string {
		var h struct{ ID string }
		json.Unmarshal([]byte(hello[strings.Index(hello, "{"):]), &h)
		if h.ID == "" {
			t.Fatalf("no shell id in %q", hello)
		}
		return h.ID
	}

	for _, drop := range []struct {
		name string
		cut  func(*websocket.Conn)
	}{
		{"FIN", finish},
		{"RST", reset},
	} {
		ws, hello := open("")
		id := shellID(hello)
		ws.WriteMessage(websocket.BinaryMessage, []byte("sleep 1; echo \"while\"-away\n"))
		readUntil(t, ws, "while\"-away") // the line echoed: the shell has it
		drop.cut(ws)

		time.Sleep(1500 * time.Millisecond) // the shell prints while nobody is there
		back, hello := open(id)
		if !strings.Contains(hello, `"resumed":true`) {
			t.Fatalf("after a %s: %q, want the same shell", drop.name, hello)
		}
		readUntil(t, back, "while-away")
		back.WriteMessage(websocket.BinaryMessage, []byte("echo \"back\"-42\n"))
		readUntil(t, back, "back-42")

		// A close frame ends it at once, with what it started.
		back.WriteMessage(websocket.BinaryMessage, []byte("hold\n"))
		waitFor(t, held, time.Second, "the shell never ran hold")
		hangUp(back)
		waitFor(t, released, grace/2, "a shell closed with a close frame outlived it")
		again, hello := open(id)
		if !strings.Contains(hello, `"resumed":false`) {
			t.Fatalf("a shell closed with a close frame came back: %q", hello)
		}
		hangUp(again)
	}

	// Dropped with a FIN, and nobody returns: it waits the grace, then is
	// reaped.
	ws, hello := open("")
	id := shellID(hello)
	ws.WriteMessage(websocket.BinaryMessage, []byte("hold\n"))
	waitFor(t, held, time.Second, "the shell never ran hold")
	finish(ws)
	select {
	case <-released:
		t.Fatal("a dropped shell ended before its grace")
	case <-time.After(grace / 2):
	}
	waitFor(t, released, grace+5*time.Second, "a shell nobody came back to outlived its grace")
	late, hello := open(id)
	if !strings.Contains(hello, `"resumed":false`) {
		t.Fatalf("a shell came back after its grace: %q", hello)
	}
	hangUp(late)
}

// finish ends a connection the way a peer that just closes its socket
// does: a FIN, no close frame. It waits for the server to close its side,
// so nothing unread turns the close into a reset.
func finish(ws *websocket.Conn) {
	tcp := ws.UnderlyingConn().(*net.TCPConn)
	tcp.CloseWrite()
	tcp.SetReadDeadline(time.Now().Add(5 * time.Second))
	io.Copy(io.Discard, tcp)
	tcp.Close()
}

// reset ends a connection with a TCP reset, as a network that drops it
// does.
func reset(ws *websocket.Conn) {
	tcp := ws.UnderlyingConn().(*net.TCPConn)
	tcp.SetLinger(0)
	tcp.Close()
}

func waitFor(t *testing.T, ch <-chan struct{}, d time.Duration, failure string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatal(failure)
	}
}
