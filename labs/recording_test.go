package labs

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type finished struct {
	bytes     int64
	truncated bool
}

type recordingsSeen struct{ done map[string]finished }

func (r *recordingsSeen) CreateRecording(context.Context, Recording) error { return nil }
func (r *recordingsSeen) FinishRecording(_ context.Context, id string, _ time.Time, b int64, tr bool) error {
	r.done[id] = finished{b, tr}
	return nil
}
func (r *recordingsSeen) Recordings(context.Context, string) ([]Recording, error) { return nil, nil }
func (r *recordingsSeen) Recording(context.Context, string) (Recording, error) {
	return Recording{}, ErrRecordingNotFound
}

func newCast(t *testing.T) (*Cast, *recordingsSeen, string) {
	path := filepath.Join(t.TempDir(), "s.cast")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := &recordingsSeen{done: map[string]finished{}}
	return &Cast{f: f, w: bufio.NewWriter(f), start: time.Now(), rec: Recording{ID: "r1"}, store: seen, now: time.Now}, seen, path
}

// A character split across two reads is recorded whole, never as two
// broken halves; every line is a valid event.
func TestCastKeepsCharactersWhole(t *testing.T) {
	c, seen, path := newCast(t)
	word := []byte("防人 ok")
	c.Output(word[:2]) // the first two of 防's three bytes
	c.Output(word[2:])
	c.Input([]byte("ls\r"))
	c.Resize(40, 120)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var ev []any
		if err := json.Unmarshal([]byte(line), &ev); err != nil || len(ev) != 3 {
			t.Fatalf("not an event: %q", line)
		}
		got = append(got, ev[1].(string)+":"+ev[2].(string))
	}
	if strings.Join(got, "|") != "o:防人 ok|i:ls\r|r:120x40" {
		t.Fatalf("events: %q", got)
	}
	if seen.done["r1"].bytes != int64(len(data)) || seen.done["r1"].truncated {
		t.Fatalf("finish recorded %+v for %d bytes", seen.done["r1"], len(data))
	}
}

// A session past the size limit goes on unrecorded, and says so.
func TestCastStopsAtItsLimit(t *testing.T) {
	c, seen, path := newCast(t)
	chunk := []byte(strings.Repeat("x", 64<<10))
	for range MaxCastBytes/len(chunk) + 8 {
		c.Output(chunk)
	}
	c.Close()
	st, _ := os.Stat(path)
	if st.Size() > MaxCastBytes || !seen.done["r1"].truncated {
		t.Fatalf("size %d, truncated %v", st.Size(), seen.done["r1"].truncated)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "[recording stopped: size limit]") {
		t.Fatal("the cast does not say it stopped")
	}
}

// A command entered is in the file at once, with what was shown before
// it, while the session is still open; keys before Enter may wait.
func TestCastWritesOutEachCommandEntered(t *testing.T) {
	c, _, path := newCast(t)
	defer c.Close()
	c.Output([]byte("$ "))
	c.Input([]byte("whoam"))
	if data, _ := os.ReadFile(path); len(data) != 0 {
		t.Fatalf("written before Enter: %q", data)
	}
	c.Input([]byte("i\r"))
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `"o","$ "`) || !strings.Contains(string(data), `"i","i\r"`) {
		t.Fatalf("after Enter the file holds %q", data)
	}
}
