package authoring

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
)

// Rehearsal is one play of a version's reference solution on the engine.
// Until it finishes, its log is the lines written so far.
type Rehearsal struct {
	ID         string
	AuthoredID string
	Digest     string
	StartedBy  string
	StartedAt  time.Time
	FinishedAt *time.Time
	Passed     bool
	Log        string
}

// RehearsalState is where a rehearsal stands.
type RehearsalState string

const (
	Running     RehearsalState = "running"
	Passed      RehearsalState = "passed"
	Failed      RehearsalState = "failed"
	Interrupted RehearsalState = "interrupted" // the range stopped while it ran
)

// Rehearser plays a lab scenario's reference solution on a lab of its own,
// writing its progress to log, and says whether every objective refused a
// wrong answer and passed the right one. The error is for what kept it
// from running at all.
type Rehearser interface {
	RehearseTo(ctx context.Context, labScenarioID string, log io.Writer) (bool, error)
}

var (
	ErrNoRehearsal      = fault.New(fault.NotFound, "rehearsal_not_found", "That version has not been rehearsed.")
	ErrRehearsalRunning = fault.New(fault.Conflict, "rehearsal_running", "That version is being rehearsed already; wait for it to end.")
	ErrNotRehearsed     = fault.New(fault.Conflict, "rehearsal_required",
		"Publish a version only after a rehearsal of that exact version passed: rehearse it first.")
	ErrNoRehearser = fault.New(fault.Unavailable, "rehearsals_unavailable", "This range cannot rehearse scenarios: it has no lab engine.")
)

// rehearsals are the ones running in this process, by id, with the log
// so far: what a reader sees until the rehearsal is kept finished.
type rehearsals struct {
	mu      sync.Mutex
	running map[string]*liveLog
	work    sync.WaitGroup
	// stop ends with Close: a rehearsal takes minutes, and a range
	// shutting down does not wait for one.
	stop   context.Context
	cancel context.CancelFunc
}

// liveLog is a rehearsal's log as it grows, safe to read while written.
type liveLog struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	version string // authoredID + digest: one rehearsal of a version at a time
}

func (l *liveLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *liveLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// UseRehearser lets the service rehearse versions on the engine through
// r; limit bounds each rehearsal.
func (s *Service) UseRehearser(r Rehearser, limit time.Duration) {
	s.rehearser, s.rehearsalLimit = r, limit
	if s.live.stop == nil {
		s.live.stop, s.live.cancel = context.WithCancel(context.Background())
	}
}

// Rehearse starts a rehearsal of one version for its editors (authors and
// org admins) and returns
// it running; it goes on in the background, its log readable through
// Rehearsal as it grows.
func (s *Service) Rehearse(ctx context.Context, actor Actor, authoredID, digest string) (Rehearsal, error) {
	if s.rehearser == nil {
		return Rehearsal{}, ErrNoRehearser
	}
	sc, err := s.authored(ctx, actor, authoredID)
	if err != nil {
		return Rehearsal{}, err
	}
	if _, err := s.store.Version(ctx, authoredID, digest); err != nil {
		return Rehearsal{}, err
	}
	// Version 7 ids rise with time, even within one clock tick: the newest
	// rehearsal is the one with the greatest id.
	r := Rehearsal{ID: uuid.Must(uuid.NewV7()).String(), AuthoredID: authoredID, Digest: digest, StartedBy: actor.UserID, StartedAt: s.now().UTC()}
	log := &liveLog{version: authoredID + "/" + digest}
	s.live.mu.Lock()
	for _, other := range s.live.running {
		if other.version == log.version {
			s.live.mu.Unlock()
			return Rehearsal{}, ErrRehearsalRunning
		}
	}
	if s.live.running == nil {
		s.live.running = map[string]*liveLog{}
	}
	s.live.running[r.ID] = log
	s.live.mu.Unlock()
	if err := s.store.CreateRehearsal(ctx, r); err != nil {
		s.forget(r.ID)
		return Rehearsal{}, err
	}
	s.live.work.Add(1)
	go s.rehearse(r, labs.AuthoredID(sc.ScenarioID, digest), log)
	return r, nil
}

// rehearse runs one rehearsal to its end and keeps its outcome. It does
// not end with the request that began it: a rehearsal takes minutes.
func (s *Service) rehearse(r Rehearsal, labID string, log *liveLog) {
	defer s.live.work.Done()
	defer s.forget(r.ID)
	ctx, cancel := context.WithTimeout(s.live.stop, s.rehearsalLimit)
	defer cancel()
	passed, err := s.rehearser.RehearseTo(ctx, labID, log)
	switch {
	case err != nil && s.live.stop.Err() != nil:
		fmt.Fprintln(log, "FAIL: the range stopped during the rehearsal; rehearse again")
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(log, "FAIL: the rehearsal took longer than %s and was stopped\n", s.rehearsalLimit)
	case err != nil:
		fmt.Fprintf(log, "FAIL: %v\n", err)
	case passed:
		fmt.Fprintln(log, "PASS: every objective refused a wrong answer and passed the reference solution")
	default:
		fmt.Fprintln(log, "FAIL: not every objective refused a wrong answer and passed the reference solution")
	}
	keep, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	_ = s.store.FinishRehearsal(keep, r.ID, passed && err == nil, log.String(), s.now().UTC())
}

func (s *Service) forget(id string) {
	s.live.mu.Lock()
	delete(s.live.running, id)
	s.live.mu.Unlock()
}

// Close stops the rehearsals running here, each kept as failed with the
// reason in its log, and waits for them to end.
func (s *Service) Close() {
	if s.live.cancel != nil {
		s.live.cancel()
	}
	s.live.work.Wait()
}

// Rehearsal is a version's newest rehearsal, for its editors, with its
// state and its log so far.
func (s *Service) Rehearsal(ctx context.Context, actor Actor, authoredID, digest string) (Rehearsal, RehearsalState, error) {
	if _, err := s.authored(ctx, actor, authoredID); err != nil {
		return Rehearsal{}, "", err
	}
	r, err := s.store.LatestRehearsal(ctx, authoredID, digest)
	if err != nil {
		return Rehearsal{}, "", err
	}
	switch {
	case r.FinishedAt != nil && r.Passed:
		return r, Passed, nil
	case r.FinishedAt != nil:
		return r, Failed, nil
	}
	s.live.mu.Lock()
	log, ok := s.live.running[r.ID]
	s.live.mu.Unlock()
	if !ok {
		// Either it finished between the two reads, or the process that
		// began it has stopped.
		if again, err := s.store.LatestRehearsal(ctx, authoredID, digest); err == nil && again.ID == r.ID && again.FinishedAt != nil {
			return s.Rehearsal(ctx, actor, authoredID, digest)
		}
		return r, Interrupted, nil
	}
	r.Log = log.String()
	return r, Running, nil
}
