package server

import "testing"

// Every reason a terminal closes with has its Japanese.
func TestTerminalNotesInJapanese(t *testing.T) {
	for _, note := range []string{noteTooMany, noteNoHost, noteNotStarted} {
		if ja := terminalNote("ja", note); ja == note || ja == "" {
			t.Errorf("%q has no Japanese", note)
		}
		if en := terminalNote("en", note); en != note {
			t.Errorf("English changed: %q", en)
		}
	}
}
