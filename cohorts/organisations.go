package cohorts

import (
	"context"

	"github.com/sakimori/sakimori/accounts"
)

// CreateOrganisation makes a partner organisation; range admins only.
func (s *Service) CreateOrganisation(ctx context.Context, a Actor, in NewOrganisation) (Organisation, error) {
	if !a.rangeAdmin() {
		return Organisation{}, errAdminsOnly
	}
	in, err := in.clean()
	if err != nil {
		return Organisation{}, err
	}
	o := Organisation{ID: newID(), Name: in.Name, Slug: in.Slug, Kind: in.Kind, CreatedAt: s.now().UTC()}
	if err := s.store.CreateOrganisation(ctx, o); err != nil {
		return Organisation{}, err
	}
	return o, nil
}

// Organisations lists every organisation for a range admin, and for anyone
// else the organisations they belong to.
func (s *Service) Organisations(ctx context.Context, a Actor) ([]Organisation, error) {
	if a.rangeAdmin() {
		return s.store.Organisations(ctx, "")
	}
	return s.store.Organisations(ctx, a.UserID)
}

// Organisation returns one organisation the actor belongs to.
func (s *Service) Organisation(ctx context.Context, a Actor, id string) (Organisation, error) {
	o, _, err := s.orgFor(ctx, s.store, a, id)
	return o, err
}

// managedOrg loads an organisation the actor runs: range admins and its
// org admins. Its other members may see it but not change it.
func (s *Service) managedOrg(ctx context.Context, a Actor, id string) (Organisation, error) {
	o, role, err := s.orgFor(ctx, s.store, a, id)
	if err != nil {
		return Organisation{}, err
	}
	if role != OrgAdmin {
		return Organisation{}, ErrNotAllowed
	}
	return o, nil
}

// OrgMembers lists the active members of an organisation the actor runs.
func (s *Service) OrgMembers(ctx context.Context, a Actor, orgID string) ([]OrgMembership, error) {
	if _, err := s.managedOrg(ctx, a, orgID); err != nil {
		return nil, err
	}
	return s.store.OrgMembers(ctx, orgID)
}

// PutOrgMember adds a person to an organisation by email, or changes their
// role there. Org admins add instructors and members; only range admins
// name org admins. Teaching or running an organisation needs a staff
// account (instructor, or admin; a partner account may be an org admin).
func (s *Service) PutOrgMember(ctx context.Context, a Actor, orgID, email string, role OrgRole) (OrgMembership, error) {
	if _, err := s.managedOrg(ctx, a, orgID); err != nil {
		return OrgMembership{}, err
	}
	if !role.valid() {
		return OrgMembership{}, ErrOrgRoleInvalid
	}
	if role == OrgAdmin && !a.rangeAdmin() {
		return OrgMembership{}, ErrOrgAdminByAdmins
	}
	who, err := s.account(ctx, s.store, email)
	if err != nil {
		return OrgMembership{}, err
	}
	if !mayHold(who.Role, role) {
		return OrgMembership{}, ErrRoleNeedsStaff
	}
	var out OrgMembership
	err = s.store.InTx(ctx, func(tx Store) error {
		current, ok, err := tx.OrgRole(ctx, orgID, who.ID)
		if err != nil {
			return err
		}
		if ok && current == OrgAdmin && !a.rangeAdmin() {
			return ErrOrgAdminByAdmins // an org admin cannot demote a peer
		}
		out, err = tx.PutOrgMember(ctx, OrgMembership{
			ID: newID(), OrganisationID: orgID, Person: who.Person, Role: role, JoinedAt: s.now().UTC(),
		})
		return err
	})
	return out, err
}

func mayHold(account accounts.Role, role OrgRole) bool {
	switch role {
	case OrgInstructor:
		return account == accounts.RoleInstructor || account == accounts.RoleAdmin
	case OrgAdmin:
		return account == accounts.RoleInstructor || account == accounts.RoleAdmin || account == accounts.RolePartner
	}
	return true
}

// RemoveOrgMember ends a person's membership of an organisation; the row
// stays. Only range admins remove org admins.
func (s *Service) RemoveOrgMember(ctx context.Context, a Actor, orgID, userID string) error {
	if _, err := s.managedOrg(ctx, a, orgID); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		role, ok, err := tx.OrgRole(ctx, orgID, userID)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotMember
		}
		if role == OrgAdmin && !a.rangeAdmin() {
			return ErrOrgAdminByAdmins
		}
		_, err = tx.RemoveOrgMember(ctx, orgID, userID, s.now().UTC())
		return err
	})
}

// account finds one enabled account by email.
func (s *Service) account(ctx context.Context, st Store, email string) (Account, error) {
	norm, err := accounts.NormalizeEmail(email)
	if err != nil {
		return Account{}, err
	}
	found, err := st.People(ctx, []string{norm})
	if err != nil {
		return Account{}, err
	}
	who, ok := found[norm]
	if !ok || who.Disabled {
		return Account{}, ErrPersonUnknown
	}
	return who, nil
}

// Belonging is every organisation the person belongs to: as a member of
// it, or of one of its cohorts that is not archived. It is what decides
// which of an organisation's own scenarios they may launch.
func (s *Service) Belonging(ctx context.Context, userID string) (map[string]bool, error) {
	out := map[string]bool{}
	orgs, err := s.store.Organisations(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		out[o.ID] = true
	}
	classes, err := s.store.Cohorts(ctx, CohortFilter{MemberID: userID})
	if err != nil {
		return nil, err
	}
	for _, c := range classes {
		out[c.OrganisationID] = true
	}
	return out, nil
}

// Managing lists the organisations a user is an admin of (range admins
// run every organisation without being listed here).
func (s *Service) Managing(ctx context.Context, userID string) (map[string]bool, error) {
	out := map[string]bool{}
	orgs, err := s.store.Organisations(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		role, ok, err := s.store.OrgRole(ctx, o.ID, userID)
		if err != nil {
			return nil, err
		}
		if ok && role == OrgAdmin {
			out[o.ID] = true
		}
	}
	return out, nil
}
