package runner

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestLogMasksValuesOfEightOrMore(t *testing.T) {
	l := newJobLog([]string{"wJalrXUtnFEMI/K7MDENG", "short", "AKIAIOSFODNN7EXAMPLE", "AKIAIOSF"})
	l.Write([]byte("id AKIAIOSFODNN7EXAMPLE key wJalrXUtnFEMI/K7MDENG short prefix AKIAIOSF.\n"))
	got := string(l.take(true))
	want := "id [MASKED] key [MASKED] short prefix [MASKED].\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// However the job's output is cut into writes and the log into pieces, no
// piece shows a masked value or a part of one, and the pieces together
// are the whole log, masked.
func TestLogNeverSendsAValueSplitAcrossWrites(t *testing.T) {
	secrets := []string{"glpat-Acme0123456789", "s3cr3t-upload-key", "s3cr3t-up"}
	var text strings.Builder
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		text.WriteString("line ")
		if i%7 == 0 {
			text.WriteString(secrets[rng.IntN(len(secrets))])
		}
		text.WriteString(" s3cr3t-u\n")
	}
	whole := text.String()
	want := whole
	for _, s := range secrets { // longest first, as the log hides them
		want = strings.ReplaceAll(want, s, Masked)
	}
	for round := range 50 {
		l := newJobLog(secrets)
		var sent strings.Builder
		for rest := whole; rest != ""; {
			n := min(1+rng.IntN(12), len(rest))
			l.Write([]byte(rest[:n]))
			rest = rest[n:]
			piece := string(l.take(false))
			for _, s := range secrets {
				if strings.Contains(sent.String()+piece, s) {
					t.Fatalf("round %d: a piece shows %q", round, s)
				}
			}
			sent.WriteString(piece)
		}
		sent.Write(l.take(true))
		if sent.String() != want {
			t.Fatalf("round %d: the pieces make\n%.200q\nwant\n%.200q", round, sent.String(), want)
		}
	}
}
