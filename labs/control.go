package labs

import (
	"context"
	"slices"
	"time"

	"github.com/sakimori/sakimori/labs/driver"
)

// Lab returns one instance, if the actor may see it. Another trainee's
// instance, or for an instructor a trainee outside their classes, is "not
// found": its existence is not theirs to know.
func (s *Service) Lab(ctx context.Context, a Actor, id string) (Instance, error) {
	inst, err := s.store.Instance(ctx, id)
	if err != nil {
		return Instance{}, err
	}
	if !a.MayActFor(inst.TraineeID) {
		return Instance{}, ErrLabNotFound
	}
	return inst, nil
}

// Labs lists the actor's instances, or, for staff asking for all, everyone's
// they supervise.
func (s *Service) Labs(ctx context.Context, a Actor, everyone, activeOnly bool) ([]Instance, error) {
	f := ListFilter{TraineeID: a.UserID, ActiveOnly: activeOnly, Limit: 200}
	if everyone && a.Staff {
		f.TraineeID = ""
		if a.Supervises != nil {
			f.Trainees = make([]string, 0, len(a.Supervises))
			for id := range a.Supervises {
				f.Trainees = append(f.Trainees, id)
			}
		}
	}
	return s.store.ListInstances(ctx, f)
}

// ClassLabs lists the instances of many trainees, newest first, read at
// once (a class's live view); it acts for the platform, so the caller
// decides who may see them.
func (s *Service) ClassLabs(ctx context.Context, trainees []string) ([]Instance, error) {
	var out []Instance
	for chunk := range slices.Chunk(trainees, 500) {
		part, err := s.store.ListInstances(ctx, ListFilter{Trainees: chunk})
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

// Stop removes an instance's hosts and networks. Stopping a stopped lab is
// not an error. If the engine cannot remove everything now, the instance
// stays "stopping" and the reaper finishes the job.
func (s *Service) Stop(ctx context.Context, a Actor, id string) (Instance, error) {
	inst, err := s.Lab(ctx, a, id)
	if err != nil {
		return Instance{}, err
	}
	if !inst.State.Active() {
		return inst, nil
	}
	if _, err := s.store.Transition(ctx, id, []State{StatePending, StateProvisioning, StateRunning}, StateStopping, Change{Step: stepStopping}); err != nil {
		return Instance{}, err
	}
	if err := s.finishStop(ctx, id); err != nil {
		s.log.Warn("lab stop incomplete; the reaper will retry", "instance", id, "err", err)
	}
	return s.store.Instance(ctx, id)
}

// finishStop destroys a stopping instance and marks it stopped.
func (s *Service) finishStop(ctx context.Context, id string) error {
	dctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := s.driver.Destroy(dctx, id); err != nil {
		return err
	}
	now := s.opt.Now().UTC()
	if _, err := s.store.Transition(ctx, id, []State{StateStopping}, StateStopped, Change{StoppedAt: &now}); err != nil {
		return err
	}
	s.log.Info("lab stopped", "instance", id)
	return s.releaseAfterStop(ctx, id)
}

// Extend gives a running lab more time, a bounded number of times.
func (s *Service) Extend(ctx context.Context, a Actor, id string) (Instance, error) {
	inst, err := s.Lab(ctx, a, id)
	if err != nil {
		return Instance{}, err
	}
	if inst.State != StateRunning {
		return Instance{}, ErrNotRunning
	}
	if inst.Extensions >= s.opt.MaxExtensions {
		return Instance{}, ErrExtendLimit
	}
	base := inst.ExpiresAt
	if now := s.opt.Now().UTC(); base.Before(now) {
		base = now
	}
	ok, err := s.store.Extend(ctx, id, inst.Extensions, base.Add(s.opt.ExtendBy))
	if err != nil {
		return Instance{}, err
	}
	if !ok { // extended or stopped by another request just now
		return Instance{}, ErrLabBusy
	}
	return s.store.Instance(ctx, id)
}

// Reset rebuilds a running lab from scratch: same scenario, same subnets,
// same per-instance values, fresh hosts. It returns at once, provisioning.
func (s *Service) Reset(ctx context.Context, a Actor, id string) (Instance, error) {
	inst, err := s.Lab(ctx, a, id)
	if err != nil {
		return Instance{}, err
	}
	sc, err := s.catalogue.Scenario(inst.ScenarioID)
	if err != nil {
		return Instance{}, err
	}
	ok, err := s.store.Transition(ctx, id, []State{StateRunning}, StateProvisioning, Change{Step: stepResetting})
	if err != nil {
		return Instance{}, err
	}
	if !ok {
		return Instance{}, ErrNotRunning
	}
	s.work.Add(1)
	go func() {
		defer s.work.Done()
		dctx, cancel := context.WithTimeout(s.ctx, time.Minute)
		defer cancel()
		if err := s.driver.Destroy(dctx, id); err != nil {
			s.fail(id, "reset", err)
			return
		}
		s.work.Add(1)
		s.provision(inst, sc, StateProvisioning, true)
	}()
	return s.store.Instance(ctx, id)
}

// OpenTerminal starts a shell in one of the lab's terminal hosts (the
// first if host is empty), for the browser
// terminal: bash where the image has it, else sh, after a greeting that
// names what the trainee has to work with (greeting.go), in lang.
func (s *Service) OpenTerminal(ctx context.Context, a Actor, id, host, lang string, rows, cols uint) (driver.ExecSession, error) {
	inst, err := s.Lab(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if inst.State != StateRunning {
		return nil, ErrNotRunning
	}
	sc, err := s.catalogue.Scenario(inst.ScenarioID)
	if err != nil {
		return nil, err
	}
	if host == "" {
		host = sc.TerminalHost()
	}
	if err := sc.CheckTerminalHost(host); err != nil {
		return nil, err
	}
	shell, err := s.driver.Exec(ctx, id, host, driver.ExecRequest{
		Command: shellCommand(sc.greeting(host, lang), lang),
		TTY:     true, Rows: rows, Cols: cols, Env: []string{"TERM=xterm-256color"},
	})
	if err != nil {
		return nil, err
	}
	if inst.TerminalOpened == nil && !a.Staff {
		if err := s.store.MarkTerminalOpened(ctx, id, s.opt.Now().UTC()); err != nil {
			s.log.Warn("could not record the terminal opening", "instance", id, "err", err)
		}
	}
	return shell, nil
}
