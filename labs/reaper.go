package labs

import (
	"context"
	"errors"
	"time"
)

// Reap stops every expired lab and retries stops that did not finish. It
// returns what failed, so the caller can report it; the next pass retries.
func (s *Service) Reap(ctx context.Context) error {
	var errs []error
	expired, err := s.store.Expired(ctx, s.opt.Now().UTC())
	if err != nil {
		return err
	}
	for _, inst := range expired {
		s.log.Info("lab expired", "instance", inst.ID, "trainee", inst.TraineeID)
		if _, err := s.Stop(ctx, Actor{Staff: true}, inst.ID); err != nil {
			errs = append(errs, err)
		}
	}
	stuck, err := s.store.ListInstances(ctx, ListFilter{ActiveOnly: true})
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, inst := range stuck {
		if inst.State == StateStopping && s.opt.Now().Sub(inst.UpdatedAt) > 30*time.Second {
			if err := s.finishStop(ctx, inst.ID); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// RunReaper reaps every interval until ctx ends, logging what fails.
func (s *Service) RunReaper(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Reap(ctx); err != nil {
				s.log.Error("reaper: some labs could not be stopped; retrying next pass", "err", err)
			}
		}
	}
}
