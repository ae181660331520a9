package labs

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Typed is one command line a person entered in a terminal: the keys they
// pressed up to Enter, with erasing applied, at the moment they pressed it.
type Typed struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// TypedSession is one terminal session with the commands typed in it.
type TypedSession struct {
	Recording
	Commands []Typed `json:"commands"`
	// More is set when the session held more commands than are listed.
	More bool `json:"more,omitempty"`
}

// The bounds of what a timeline shows of one session.
const (
	MaxTypedCommands = 500
	MaxTypedLength   = 300 // characters of one command; the rest is cut
)

// CommandsTyped reads the command lines from a cast's input events
// (asciicast v2 lines [seconds, "i", keys]), each dated from start. It
// replays the editing a shell's line editor would: backspace erases a
// character, Ctrl-U the line, Ctrl-C abandons it; escape sequences
// (arrows, function keys) are left out, so a command recalled from history
// shows only what was typed after it. At most limit commands are kept;
// more says there were others.
func CommandsTyped(cast io.Reader, start time.Time, limit int) (out []Typed, more bool, err error) {
	sc := bufio.NewScanner(cast)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var line []rune
	esc := 0 // 1: after ESC; 2: inside a CSI or SS3 sequence
	for first := true; sc.Scan(); first = false {
		if first {
			continue // the header
		}
		var ev []json.RawMessage
		if json.Unmarshal(sc.Bytes(), &ev) != nil || len(ev) != 3 {
			continue // a line cut short by a crash: the rest still reads
		}
		var seconds float64
		var kind, keys string
		if json.Unmarshal(ev[0], &seconds) != nil || json.Unmarshal(ev[1], &kind) != nil || kind != "i" || json.Unmarshal(ev[2], &keys) != nil {
			continue
		}
		for _, r := range keys {
			switch {
			case esc == 1:
				esc = 0
				if r == '[' || r == 'O' {
					esc = 2
				}
			case esc == 2:
				if r >= 0x40 && r <= 0x7e {
					esc = 0
				}
			case r == 0x1b:
				esc = 1
			case r == '\r' || r == '\n':
				if text := strings.TrimSpace(string(line)); text != "" {
					if len(out) == limit {
						return out, true, nil
					}
					out = append(out, Typed{At: start.Add(time.Duration(seconds * float64(time.Second))).UTC(), Text: text})
				}
				line = line[:0]
			case r == 0x7f || r == '\b':
				if len(line) > 0 {
					line = line[:len(line)-1]
				}
			case r == 0x03 || r == 0x15: // Ctrl-C, Ctrl-U
				line = line[:0]
			case r == '\t':
				line = append(line, ' ')
			case r < 0x20 || r == utf8.RuneError:
				// other control keys edit nothing a timeline can show
			default:
				if len(line) < MaxTypedLength {
					line = append(line, r)
				}
			}
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, bufio.ErrTooLong) {
		return out, more, err
	}
	return out, false, nil
}

// TypedSessions lists every terminal session of a trainee's labs, oldest
// first, with the commands typed in each: the terminal opened and the
// commands of their timeline. It acts for staff: the caller decides who
// may see them. Sessions whose cast cannot be read are listed without
// commands.
func (s *Service) TypedSessions(ctx context.Context, traineeID string) ([]TypedSession, error) {
	if s.opt.Recordings == nil {
		return nil, ErrRecordingsOff
	}
	insts, err := s.ClassLabs(ctx, []string{traineeID})
	if err != nil {
		return nil, err
	}
	var out []TypedSession
	for i := len(insts) - 1; i >= 0; i-- { // oldest lab first
		recs, err := s.opt.Recordings.Recordings(ctx, insts[i].ID)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			t := TypedSession{Recording: r, Commands: []Typed{}}
			if f, err := s.openCast(r); err == nil {
				cmds, more, err := CommandsTyped(f, r.StartedAt, MaxTypedCommands)
				f.Close()
				if err == nil && cmds != nil {
					t.Commands, t.More = cmds, more
				}
			}
			out = append(out, t)
		}
	}
	return out, nil
}
