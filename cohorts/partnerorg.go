package cohorts

import "context"

// ManagedOrganisation returns an organisation the actor runs (its org
// admins, and range admins), for what is done on the organisation's behalf
// outside this package: partner tokens. Its other members get
// ErrNotAllowed; anyone else, not found.
func (s *Service) ManagedOrganisation(ctx context.Context, a Actor, orgID string) (Organisation, error) {
	return s.managedOrg(ctx, a, orgID)
}
