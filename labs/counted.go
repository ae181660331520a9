package labs

// Counted is what progress, transcripts and badges count a person's
// records by: the built-in catalogue, and each authored version among
// named (the scenario ids of that person's records) that the range can
// still read. A lab keeps the version it was launched from, so its records
// count by that version whatever has been published since. Only versions
// the records name are read, so one organisation's private scenarios never
// enter another's reports.
func (s *Service) Counted(named []string) []*Scenario {
	out := s.catalogue.All()
	seen := map[string]bool{}
	for _, id := range named {
		if _, _, authored := SplitAuthoredID(id); !authored || seen[id] {
			continue
		}
		seen[id] = true
		// A version the range can no longer read counts in points, as any
		// record does, but names no scenario to finish.
		if sc, err := s.catalogue.Scenario(id); err == nil {
			out = append(out, sc)
		}
	}
	return out
}
