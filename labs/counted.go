package labs

import "context"

// Counted is every scenario a trainee's records may name, for progress,
// transcripts and reports to count them by: the built-in catalogue, and
// each authored version any lab was launched from that the range can
// still read. A lab keeps the version it was launched from, so its records
// are counted by that version whatever has been published since.
func (s *Service) Counted(ctx context.Context) ([]*Scenario, error) {
	out := s.catalogue.All()
	ids, err := s.store.AuthoredLaunched(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		// A version the range can no longer read (its bundle gone with its
		// organisation) counts in points, as any record does, but names
		// no scenario to finish.
		if sc, err := s.catalogue.Scenario(id); err == nil {
			out = append(out, sc)
		}
	}
	return out, nil
}
