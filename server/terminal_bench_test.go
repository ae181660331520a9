package server_test

import (
	"bytes"
	"sort"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/sakimori/sakimori/accounts"
)

// BenchmarkTerminalEcho is the keystroke round trip of the browser
// terminal on loopback: one key over the WebSocket, through the engine's
// exec stream into the lab's shell, and its echo back. Target: under 20 ms.
//
//	go test -run '^$' -bench TerminalEcho -benchtime 500x ./server/
func BenchmarkTerminalEcho(b *testing.B) {
	rg := newRangeWithLabs(b, engineFor(b))
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	lab := runningLab(b, rg, alice)
	ws, _, err := dialTerminal(b, rg, base, alice, lab, publicURL)
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	// The shell greets, then asks where the cursor is (ESC[6n) and waits
	// for the answer a terminal gives, as xterm.js does in the page.
	readUntilTB(b, ws, "\x1b[6n")
	ws.WriteMessage(websocket.BinaryMessage, []byte("\x1b[5;5R"))

	keys := []byte("abcdefghijklmnopqrstuvwxyz")
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		k := keys[i%len(keys)]
		start := time.Now()
		if err := ws.WriteMessage(websocket.BinaryMessage, []byte{k}); err != nil {
			b.Fatal(err)
		}
		for {
			ws.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, msg, err := ws.ReadMessage()
			if err != nil {
				b.Fatal(err)
			}
			if bytes.IndexByte(msg, k) >= 0 {
				break
			}
		}
		lat = append(lat, time.Since(start))
		// Rub the key out again, untimed, so the line never grows. (A read
		// that times out would spoil the connection, so none is allowed to.)
		b.StopTimer()
		ws.WriteMessage(websocket.BinaryMessage, []byte{0x7f})
		readUntilTB(b, ws, "\b")
		b.StartTimer()
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
}

func readUntilTB(b *testing.B, ws *websocket.Conn, want string) {
	var got []byte
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for !bytes.Contains(got, []byte(want)) {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			b.Fatalf("waiting for %q: %v (got %q)", want, err, got)
		}
		got = append(got, msg...)
	}
}
