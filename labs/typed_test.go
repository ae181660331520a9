package labs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs"
)

// Commands are read from a cast's input as a shell's line editor would
// take them: erasing applied, abandoned lines and escape sequences left
// out, output and resizes ignored, each dated by the Enter that ran it.
func TestCommandsTypedReplayTheLineEditing(t *testing.T) {
	start := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	cast := strings.Join([]string{
		`{"version":2,"width":80,"height":24,"timestamp":1764666000}`,
		`[0.5,"o","$ "]`,
		`[1.0,"i","ls -la\r"]`,
		`[2.0,"i","cat /etc/passwf"]`,
		`[2.5,"i","\u007fd\r"]`,
		`[3.0,"i","rm -rf /\u0003"]`,
		`[3.5,"r","100x30"]`,
		`[4.0,"i","\u001b[Acurl\u001bOA -s http://169.254.169.254/\r"]`,
		`[4.5,"i","curl -s http://`, // a line cut short by a crash
		`[5.0,"i","   \r"]`,
		`[6.25,"i","aws s3 ls\u0015whoami\rid"]`,
		`[7.0,"i","\n"]`,
	}, "\n")
	got, more, err := labs.CommandsTyped(strings.NewReader(cast), start, 10)
	if err != nil || more {
		t.Fatal(err, more)
	}
	want := []labs.Typed{
		{At: start.Add(time.Second), Text: "ls -la"},
		{At: start.Add(2500 * time.Millisecond), Text: "cat /etc/passwd"},
		{At: start.Add(4 * time.Second), Text: "curl -s http://169.254.169.254/"},
		{At: start.Add(6250 * time.Millisecond), Text: "whoami"},
		{At: start.Add(7 * time.Second), Text: "id"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("command %d: %+v; want %+v", i, got[i], want[i])
		}
	}
	got, more, _ = labs.CommandsTyped(strings.NewReader(cast), start, 2)
	if len(got) != 2 || !more {
		t.Fatalf("bounded to 2: %+v %v", got, more)
	}
	long := `{}` + "\n" + `[1,"i","` + strings.Repeat("a", 1000) + `\r"]`
	if got, _, _ := labs.CommandsTyped(strings.NewReader(long), start, 10); len(got) != 1 || len([]rune(got[0].Text)) != labs.MaxTypedLength {
		t.Fatalf("a long command: %d characters", len([]rune(got[0].Text)))
	}
}
