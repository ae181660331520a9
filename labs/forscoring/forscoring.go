// Package forscoring shows the lab domain to scoring through the interface
// scoring declares, so scoring never imports labs: lab instances become
// scoring.Labs, a scenario's objectives (already scoring's own type) are
// handed through, and per-instance flags are recomputed from the flag key
// rather than stored.
package forscoring

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/scoring"
)

// Labs implements scoring.Labs over the lab store and catalogue.
type Labs struct {
	store     labs.Store
	catalogue *labs.Catalogue
	flagKey   []byte
	driver    driver.Driver
}

// New makes the adapter; checks run through d.
func New(store labs.Store, catalogue *labs.Catalogue, flagKey []byte, d driver.Driver) *Labs {
	return &Labs{store: store, catalogue: catalogue, flagKey: flagKey, driver: d}
}

// maxEvidence bounds the output a check keeps.
const maxEvidence = 4096

// RunCheck runs command in the host, as the host's own user, and returns
// its exit code and the start of its output.
func (l *Labs) RunCheck(ctx context.Context, lab scoring.Lab, host string, command []string) (int, string, error) {
	s, err := l.driver.Exec(ctx, lab.ID, host, driver.ExecRequest{Command: command})
	if err != nil {
		return -1, "", err
	}
	defer s.Close()
	s.CloseWrite()
	out, _ := io.ReadAll(io.LimitReader(s, maxEvidence))
	_, _ = io.Copy(io.Discard, s) // let a chatty command finish
	code, err := s.Wait(ctx)
	return code, string(out), err
}

// maxEvents bounds the log a detection is graded on.
const maxEvents = 8 << 20

// ReadEvents runs command in the host and reads its output as JSON lines.
func (l *Labs) ReadEvents(ctx context.Context, lab scoring.Lab, host string, command []string) ([]map[string]any, error) {
	s, err := l.driver.Exec(ctx, lab.ID, host, driver.ExecRequest{Command: command})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	s.CloseWrite()
	var events []map[string]any
	dec := json.NewDecoder(io.LimitReader(s, maxEvents))
	for {
		var ev map[string]any
		if err := dec.Decode(&ev); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("the lab's log is not JSON lines: %w", err)
		}
		events = append(events, ev)
	}
	_, _ = io.Copy(io.Discard, s)
	if code, err := s.Wait(ctx); err != nil || code != 0 {
		return nil, fmt.Errorf("reading the lab's log exited %d: %v", code, err)
	}
	return events, nil
}

var _ scoring.Labs = (*Labs)(nil)

func (l *Labs) Lab(ctx context.Context, id string) (scoring.Lab, error) {
	inst, err := l.store.Instance(ctx, id)
	if errors.Is(err, labs.ErrLabNotFound) {
		return scoring.Lab{}, scoring.ErrLabNotFound
	}
	if err != nil {
		return scoring.Lab{}, err
	}
	return labOf(inst), nil
}

func labOf(i labs.Instance) scoring.Lab {
	l := scoring.Lab{ID: i.ID, TraineeID: i.TraineeID, ScenarioID: i.ScenarioID, Running: i.State == labs.StateRunning,
		Worked: i.TerminalOpened != nil}
	if i.StartedAt != nil {
		l.StartedAt = *i.StartedAt
	}
	return l
}

// Objectives are the scenario's own: scoring owns their type, so they are
// handed over as they were loaded, not copied.
func (l *Labs) Objectives(scenarioID string) ([]scoring.Objective, []scoring.Hint, error) {
	s, err := l.catalogue.Scenario(scenarioID)
	if err != nil {
		return nil, nil, err
	}
	return s.Objectives, s.Hints, nil
}

func (l *Labs) Value(lab scoring.Lab, variable string) string {
	s, err := l.catalogue.Scenario(lab.ScenarioID)
	if err != nil {
		return ""
	}
	return labs.Variables(l.flagKey, s, lab.TraineeID, lab.ID)[variable]
}

func (l *Labs) FlagOwner(ctx context.Context, scenarioID, variable, value string) (scoring.Lab, bool, error) {
	id, ok := labs.FlagInstance(value)
	if !ok {
		return scoring.Lab{}, false, nil
	}
	inst, err := l.store.Instance(ctx, id)
	if errors.Is(err, labs.ErrLabNotFound) {
		return scoring.Lab{}, false, nil
	}
	if err != nil {
		return scoring.Lab{}, false, err
	}
	lab := labOf(inst)
	// The id alone proves nothing: the whole flag must be that lab's.
	if inst.ScenarioID != scenarioID || subtle.ConstantTimeCompare([]byte(l.Value(lab, variable)), []byte(value)) != 1 {
		return scoring.Lab{}, false, nil
	}
	return lab, true, nil
}
