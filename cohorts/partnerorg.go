package cohorts

import "context"

// ManagedOrganisation returns an organisation the actor runs (its org
// admins, and range admins), for what is done on the organisation's behalf
// outside this package: partner tokens. Its other members get
// ErrNotAllowed; anyone else, not found.
func (s *Service) ManagedOrganisation(ctx context.Context, a Actor, orgID string) (Organisation, error) {
	return s.managedOrg(ctx, a, orgID)
}

// TeachingOrganisation returns an organisation the actor teaches or runs
// (its instructors and org admins, and range admins), for work done for
// it outside this package: authoring its scenarios. Its other members get
// ErrNotAllowed; anyone else, not found.
func (s *Service) TeachingOrganisation(ctx context.Context, a Actor, orgID string) (Organisation, error) {
	o, role, err := s.orgFor(ctx, s.store, a, orgID)
	if err != nil {
		return Organisation{}, err
	}
	if role != OrgAdmin && role != OrgInstructor {
		return Organisation{}, ErrNotAllowed
	}
	return o, nil
}
