package labs

import (
	"context"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// Reserve is capacity a class holds while it is in session: Labs instances
// kept for its Trainees, which launches by anyone else cannot take.
type Reserve struct {
	Labs     int
	Trainees map[string]bool
}

// Reserves says which classes hold capacity at a moment.
type Reserves interface {
	Reserves(ctx context.Context, at time.Time) ([]Reserve, error)
}

// ErrCapacityReserved refuses a launch that would take labs held for a
// class in session, while the range itself still has room.
var ErrCapacityReserved = fault.New(fault.Capacity, "capacity_reserved",
	"The range's free labs are held for a class in session; try again when a lab ends or the session is over.")

// UseReserves makes launches leave room for the classes r names. Call it
// before the service takes launches; without it nothing is held.
func (s *Service) UseReserves(r Reserves) { s.reserves = r }

// capacityFor is how many active instances may exist once this trainee's
// lab is counted: the range's capacity less what classes the trainee is not
// in still hold (their reserve less the labs their trainees already run).
// It refuses at once a launch that only the reserves stand in the way of.
// Two launches at the same moment may both pass this count; the store's
// own check then holds the range's total, and a reserve may lend a lab.
func (s *Service) capacityFor(ctx context.Context, trainee string, now time.Time) (int, error) {
	if s.reserves == nil {
		return s.opt.Capacity, nil
	}
	holds, err := s.reserves.Reserves(ctx, now)
	if err != nil || len(holds) == 0 {
		return s.opt.Capacity, err
	}
	active, err := s.store.ListInstances(ctx, ListFilter{ActiveOnly: true})
	if err != nil {
		return 0, err
	}
	held := 0
	for _, inst := range active {
		if inst.TraineeID == trainee {
			return s.opt.Capacity, nil // the store refuses a second lab (ErrLabRunning)
		}
	}
	for _, h := range holds {
		if h.Trainees[trainee] {
			continue // the trainee's own class: its reserve is theirs to use
		}
		free := h.Labs
		for _, inst := range active {
			if h.Trainees[inst.TraineeID] {
				free--
			}
		}
		held += max(free, 0)
	}
	capacity := max(s.opt.Capacity-held, 0)
	if len(active) >= capacity && len(active) < s.opt.Capacity {
		return 0, ErrCapacityReserved
	}
	return capacity, nil
}
