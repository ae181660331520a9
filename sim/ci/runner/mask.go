package runner

import (
	"bytes"
	"slices"
	"sync"
)

// Masked is what a masked variable's value reads as in a job's log.
const Masked = "[MASKED]"

// minMasked is the shortest value the CI lets a variable be masked with;
// a shorter one would hide common words all over the log.
const minMasked = 8

// jobLog is a job's log as the CI shows it: everything the job printed,
// with masked values hidden, taken in pieces while it grows. A value may
// arrive split across two writes, so the end of what has been written is
// held back until it can no longer be the start of one.
type jobLog struct {
	mu      sync.Mutex
	secrets [][]byte // longest first, so of two starting at one place the longer is hidden
	hold    int      // bytes held back: one less than the longest secret
	pending []byte   // written, not yet taken
}

func newJobLog(values []string) *jobLog {
	l := &jobLog{}
	for _, v := range values {
		if len(v) >= minMasked && !slices.ContainsFunc(l.secrets, func(s []byte) bool { return string(s) == v }) {
			l.secrets = append(l.secrets, []byte(v))
		}
	}
	slices.SortFunc(l.secrets, func(a, b []byte) int { return len(b) - len(a) })
	if len(l.secrets) > 0 {
		l.hold = len(l.secrets[0]) - 1
	}
	return l
}

// Write adds what the job printed.
func (l *jobLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = append(l.pending, p...)
	return len(p), nil
}

// take returns what is new in the log, masked: all of it once the job has
// ended (final), otherwise all but the tail a secret could still begin in.
func (l *jobLog) take(final bool) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := len(l.pending)
	if !final {
		cut = max(len(l.pending)-l.hold, 0)
	}
	var out bytes.Buffer
	i := 0
	for {
		at, n := l.nextSecret(i)
		// A secret that starts before the cut ends within what was
		// written, since the cut holds back one less than the longest.
		if at < 0 || at >= cut {
			break
		}
		out.Write(l.pending[i:at])
		out.WriteString(Masked)
		i = at + n
	}
	if i < cut {
		out.Write(l.pending[i:cut])
		i = cut
	}
	l.pending = append(l.pending[:0], l.pending[i:]...)
	return out.Bytes()
}

// nextSecret finds the first secret at or after from in the pending log:
// where it starts and its length, or -1.
func (l *jobLog) nextSecret(from int) (at, n int) {
	at = -1
	for _, s := range l.secrets {
		i := bytes.Index(l.pending[from:], s)
		if i >= 0 && (at < 0 || from+i < at) {
			at, n = from+i, len(s)
		}
	}
	return at, n
}
