package labs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sakimori/sakimori/fault"
)

// Recording is one terminal session into a lab, kept as an asciicast v2
// file (timed output and input) that instructors replay in the browser.
type Recording struct {
	ID         string     `json:"id"`
	InstanceID string     `json:"lab_id"`
	TraineeID  string     `json:"trainee_id"`
	ByStaff    bool       `json:"by_staff"` // an instructor's session in the trainee's lab
	StartedAt  time.Time  `json:"started_at"`
	EndedAt    *time.Time `json:"ended_at,omitempty"`
	Bytes      int64      `json:"bytes"`
	Truncated  bool       `json:"truncated"` // hit the size limit; the rest was not kept
}

// RecordingStore keeps recordings' records; the casts are files.
type RecordingStore interface {
	CreateRecording(ctx context.Context, r Recording) error
	FinishRecording(ctx context.Context, id string, ended time.Time, bytes int64, truncated bool) error
	Recordings(ctx context.Context, instanceID string) ([]Recording, error)
	Recording(ctx context.Context, id string) (Recording, error) // ErrRecordingNotFound
}

// Recording faults.
var (
	ErrRecordingNotFound = fault.New(fault.NotFound, "recording_not_found", "There is no such recording.")
	ErrRecordingsOff     = fault.New(fault.NotFound, "recordings_off", "This range does not keep terminal recordings.")
)

// MaxCastBytes bounds one recording on disk; a session beyond it goes on,
// unrecorded, and the recording says so.
const MaxCastBytes = 8 << 20

// castNoteRoom is kept free under the limit for the note that says the
// recording stopped.
const castNoteRoom = 256

// StartRecording opens the recording of a terminal session just opened
// into a lab. Without a recordings directory it returns nil: nothing is
// recorded.
func (s *Service) StartRecording(ctx context.Context, a Actor, id string, rows, cols uint) (*Cast, error) {
	if s.opt.Recordings == nil || s.opt.RecordingsDir == "" {
		return nil, nil
	}
	inst, err := s.Lab(ctx, a, id)
	if err != nil {
		return nil, err
	}
	now := s.opt.Now().UTC()
	rec := Recording{ID: "r" + newInstanceID()[1:], InstanceID: id, TraineeID: inst.TraineeID,
		ByStaff: a.UserID != inst.TraineeID, StartedAt: now}
	dir := filepath.Join(s.opt.RecordingsDir, id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, rec.ID+".cast"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	if err := s.opt.Recordings.CreateRecording(ctx, rec); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	c := &Cast{f: f, w: bufio.NewWriterSize(f, 32<<10), start: time.Now(), rec: rec, store: s.opt.Recordings, now: s.opt.Now}
	header, _ := json.Marshal(map[string]any{
		"version": 2, "width": cols, "height": rows, "timestamp": now.Unix(),
		"title": inst.ScenarioID + " · lab " + id, "env": map[string]string{"TERM": "xterm-256color"},
	})
	c.write(append(header, '\n'))
	return c, nil
}

// Recordings lists a lab's recordings, for its trainee or staff.
func (s *Service) Recordings(ctx context.Context, a Actor, id string) ([]Recording, error) {
	if s.opt.Recordings == nil {
		return nil, ErrRecordingsOff
	}
	if _, err := s.Lab(ctx, a, id); err != nil {
		return nil, err
	}
	return s.opt.Recordings.Recordings(ctx, id)
}

// OpenRecording opens a recording's cast, for the lab's trainee or staff.
func (s *Service) OpenRecording(ctx context.Context, a Actor, id string) (Recording, io.ReadCloser, error) {
	if s.opt.Recordings == nil {
		return Recording{}, nil, ErrRecordingsOff
	}
	rec, err := s.opt.Recordings.Recording(ctx, id)
	if err != nil {
		return Recording{}, nil, err
	}
	if _, err := s.Lab(ctx, a, rec.InstanceID); err != nil {
		return Recording{}, nil, ErrRecordingNotFound // not theirs: not there
	}
	f, err := s.openCast(rec)
	if err != nil {
		return Recording{}, nil, ErrRecordingNotFound
	}
	return rec, f, nil
}

// openCast opens a recording's cast file.
func (s *Service) openCast(rec Recording) (*os.File, error) {
	return os.Open(filepath.Join(s.opt.RecordingsDir, rec.InstanceID, rec.ID+".cast"))
}

// Cast writes one session as asciicast v2: a header line, then one
// [seconds, "o"|"i"|"r", data] line per event. Safe for concurrent use
// (output and input come from different goroutines).
type Cast struct {
	mu        sync.Mutex
	f         *os.File
	w         *bufio.Writer
	start     time.Time
	bytes     int64
	truncated bool
	pending   map[string][]byte // the start of a UTF-8 character split across chunks, per stream
	rec       Recording
	store     RecordingStore
	now       func() time.Time
	closed    bool
}

// Output records what the shell printed.
func (c *Cast) Output(b []byte) { c.event("o", b) }

// Input records what the person typed.
func (c *Cast) Input(b []byte) { c.event("i", b) }

// Resize records the terminal's new size.
func (c *Cast) Resize(rows, cols uint) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.line("r", strconv.FormatUint(uint64(cols), 10)+"x"+strconv.FormatUint(uint64(rows), 10))
}

func (c *Cast) event(kind string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == nil {
		c.pending = map[string][]byte{}
	}
	data := append(c.pending[kind], b...)
	// Keep back a UTF-8 character cut off at the end of this chunk, so
	// the cast never holds half a character (JSON would mangle it).
	cut := len(data)
	for i := len(data) - 1; i >= 0 && i >= len(data)-utf8.UTFMax; i-- {
		if utf8.RuneStart(data[i]) {
			if !utf8.FullRune(data[i:]) {
				cut = i
			}
			break
		}
	}
	c.pending[kind] = append([]byte(nil), data[cut:]...)
	if cut > 0 {
		c.line(kind, string(data[:cut]))
	}
	// A command entered is written out at once, output and all before it,
	// so a trainee's timeline shows it while the session is still open.
	// Keys come at a person's pace: this costs a write a command.
	if kind == "i" && bytes.ContainsAny(b, "\r\n") && !c.closed {
		_ = c.w.Flush() // a failed write shows at Close, which reports it
	}
}

func (c *Cast) line(kind, data string) {
	if c.closed || c.truncated {
		return
	}
	ev, _ := json.Marshal([]any{float64(time.Since(c.start).Microseconds()) / 1e6, kind, data})
	if c.bytes+int64(len(ev))+1 > MaxCastBytes-castNoteRoom {
		c.truncated = true
		note, _ := json.Marshal([]any{float64(time.Since(c.start).Microseconds()) / 1e6, "o", "\r\n[recording stopped: size limit]\r\n"})
		c.write(append(note, '\n'))
		return
	}
	c.write(append(ev, '\n'))
}

func (c *Cast) write(b []byte) {
	n, _ := c.w.Write(b)
	c.bytes += int64(n)
}

// Close ends the recording and records its size.
func (c *Cast) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	err := c.w.Flush()
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if ferr := c.store.FinishRecording(ctx, c.rec.ID, c.now().UTC(), c.bytes, c.truncated); err == nil && ferr != nil {
		err = fmt.Errorf("recording %s: %w", c.rec.ID, ferr)
	}
	return err
}
