package scoring

import "context"

// LabScore is what a trainee scored in one lab: points (solves minus
// hints) and objectives solved, for staff looking at that lab.
func (s *Service) LabScore(ctx context.Context, trainee, instanceID string) (points, solved int, err error) {
	events, err := s.store.Events(ctx, trainee, "")
	if err != nil {
		return 0, 0, err
	}
	for _, e := range events {
		if e.InstanceID != instanceID {
			continue
		}
		points += e.Points
		if e.Correct {
			solved++
		}
	}
	return points, solved, nil
}
