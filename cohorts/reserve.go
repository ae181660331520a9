package cohorts

import (
	"context"
	"time"
)

// Reserve is the capacity one cohort holds while in session.
type Reserve struct {
	CohortID string
	Labs     int
	Trainees map[string]bool // active members, not instructors
}

// InSession says whether the cohort's session runs at t: from its start to
// its end, unless archived. Its reserve is held for that whole span.
func (c Cohort) InSession(t time.Time) bool {
	return !c.Archived() && !t.Before(c.StartsAt) && t.Before(c.EndsAt)
}

// Reserves lists the capacity held at t by the cohorts in session that
// reserve any, each with its active trainees. The range asks before each
// launch, so only the range's own work calls it: no actor.
func (s *Service) Reserves(ctx context.Context, at time.Time) ([]Reserve, error) {
	list, err := s.store.Cohorts(ctx, CohortFilter{})
	if err != nil {
		return nil, err
	}
	var out []Reserve
	for _, c := range list {
		if c.CapacityReserve == 0 || !c.InSession(at) {
			continue
		}
		ms, err := s.store.Members(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		r := Reserve{CohortID: c.ID, Labs: c.CapacityReserve, Trainees: map[string]bool{}}
		for _, m := range ms {
			if m.Role == CohortMember {
				r.Trainees[m.Person.ID] = true
			}
		}
		out = append(out, r)
	}
	return out, nil
}
