package cohorts

import "context"

// Supervised is every trainee whose labs, replays, records and suspicion
// marks the actor may see as staff: the active members of the cohorts they
// manage (those they teach, and every cohort of the organisations they run),
// archived cohorts included, since a finished class is still reviewed. It is
// nil for range admins, who see everyone, and empty for anyone who manages
// no cohort.
func (s *Service) Supervised(ctx context.Context, a Actor) (map[string]bool, error) {
	if a.rangeAdmin() {
		return nil, nil
	}
	list, err := s.store.Cohorts(ctx, CohortFilter{ManagedBy: a.UserID, IncludeArchived: true})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, c := range list {
		ms, err := s.store.Members(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.Role == CohortMember {
				out[m.Person.ID] = true
			}
		}
	}
	return out, nil
}
