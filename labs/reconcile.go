package labs

import (
	"context"
	"errors"
	"time"

	"github.com/sakimori/sakimori/labs/driver"
)

// Reconciled says what a reconcile pass did.
type Reconciled struct {
	Adopted     int // running labs whose hosts were found, kept as they are
	Orphans     int // engine objects with no active lab, removed
	Interrupted int // launches a restart cut short, failed and cleaned up
	Lost        int // running labs whose hosts were gone, failed
}

// Reconcile makes the engine and the records agree, as the server starts:
// the server may have died between creating objects and recording them, or
// mid-launch, or while the engine was away. Objects no active lab owns are
// removed; launches cut short are failed and cleaned up (the trainee is
// told to launch again); running labs are adopted if their hosts are there.
func (s *Service) Reconcile(ctx context.Context) (Reconciled, error) {
	var r Reconciled
	refs, err := s.driver.List(ctx)
	if err != nil {
		return r, err
	}
	active, err := s.store.ListInstances(ctx, ListFilter{ActiveOnly: true})
	if err != nil {
		return r, err
	}
	byID := map[string]Instance{}
	for _, inst := range active {
		byID[inst.ID] = inst
	}
	var errs []error
	for _, ref := range refs {
		if _, ok := byID[ref.ID]; ok {
			continue
		}
		s.log.Warn("reconcile: removing engine objects of no active lab", "instance", ref.ID, "objects", ref.Objects)
		if err := s.driver.Destroy(ctx, ref.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		// A lab that failed while the engine was away kept its subnets
		// until its objects were gone; now they are.
		errs = append(errs, s.store.ReleaseSubnets(ctx, ref.ID))
		r.Orphans++
	}
	now := s.opt.Now().UTC()
	for _, inst := range active {
		switch inst.State {
		case StatePending, StateProvisioning:
			if err := s.driver.Destroy(ctx, inst.ID); err != nil {
				errs = append(errs, err)
				continue
			}
			reason := "The range restarted while your lab was being built. Launch it again."
			_, err := s.store.Transition(ctx, inst.ID, []State{inst.State}, StateFailed, Change{Reason: reason, StoppedAt: &now})
			errs = append(errs, err, s.store.ReleaseSubnets(ctx, inst.ID))
			r.Interrupted++
		case StateRunning:
			_, err := s.driver.Status(ctx, inst.ID)
			switch {
			case err == nil:
				r.Adopted++
			case errors.Is(err, driver.ErrNotFound):
				reason := "Your lab's hosts disappeared (the engine was reset). Launch it again."
				_, err := s.store.Transition(ctx, inst.ID, []State{StateRunning}, StateFailed, Change{Reason: reason, StoppedAt: &now})
				errs = append(errs, err, s.store.ReleaseSubnets(ctx, inst.ID))
				r.Lost++
			default:
				errs = append(errs, err)
			}
		case StateStopping:
			errs = append(errs, s.finishStop(ctx, inst.ID))
		}
	}
	return r, errors.Join(errs...)
}

// ReconcileWhenReady retries Reconcile until it succeeds or ctx ends, so a
// server that starts before its engine converges once the engine is up.
func (s *Service) ReconcileWhenReady(ctx context.Context, every time.Duration) {
	for {
		r, err := s.Reconcile(ctx)
		if err == nil {
			s.log.Info("reconciled labs with the engine", "adopted", r.Adopted, "orphans_removed", r.Orphans,
				"interrupted", r.Interrupted, "lost", r.Lost)
			return
		}
		s.log.Warn("reconcile incomplete; retrying", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
