package cohorts

import (
	"context"
	"errors"
)

// Members lists a cohort's active instructors and members, after taking up
// the roster invitations people have registered with.
func (s *Service) Members(ctx context.Context, a Actor, cohortID string) ([]Membership, []Invitation, error) {
	if _, err := s.managedCohort(ctx, s.store, a, cohortID); err != nil {
		return nil, nil, err
	}
	if err := s.settle(ctx, cohortID, ""); err != nil {
		return nil, nil, err
	}
	ms, err := s.store.Members(ctx, cohortID)
	if err != nil {
		return nil, nil, err
	}
	pending, err := s.store.Invitations(ctx, cohortID)
	return ms, pending, err
}

// AddMember adds an existing account to a cohort by email. An instructor
// must be one of the cohort's organisation's instructors or org admins.
func (s *Service) AddMember(ctx context.Context, a Actor, cohortID, email string, role CohortRole) (Membership, error) {
	var out Membership
	err := s.store.InTx(ctx, func(tx Store) error {
		c, err := s.managedCohort(ctx, tx, a, cohortID)
		if err != nil {
			return err
		}
		if !role.valid() {
			return ErrCohortRoleInvalid
		}
		if c.Archived() {
			return ErrCohortArchived
		}
		who, err := s.account(ctx, tx, email)
		if err != nil {
			return err
		}
		if role == CohortInstructor {
			if err := mayTeach(ctx, tx, c.OrganisationID, who.ID); err != nil {
				return err
			}
		}
		out = Membership{ID: newID(), CohortID: cohortID, Person: who.Person, Role: role, Via: ViaAdded, JoinedAt: s.now().UTC()}
		return tx.AddMembers(ctx, []Membership{out})
	})
	return out, err
}

// mayTeach checks the person teaches or runs the organisation.
func mayTeach(ctx context.Context, st Store, orgID, userID string) error {
	role, ok, err := st.OrgRole(ctx, orgID, userID)
	if err != nil {
		return err
	}
	if !ok || role == OrgMember {
		return ErrNotOrgStaff
	}
	return nil
}

// RemoveMember ends a person's place in a cohort. Their row and everything
// they did stay; adding them again makes a new row.
func (s *Service) RemoveMember(ctx context.Context, a Actor, cohortID, userID string) error {
	return s.store.InTx(ctx, func(tx Store) error {
		if _, err := s.managedCohort(ctx, tx, a, cohortID); err != nil {
			return err
		}
		removed, err := tx.RemoveMember(ctx, cohortID, userID, s.now().UTC())
		if err != nil {
			return err
		}
		if !removed {
			return ErrNotMember
		}
		return nil
	})
}

// settle turns invitations whose invite has been used into memberships:
// those of one cohort, or those for one email. It runs whenever a roster
// or a person's cohorts are read, so registration needs no hook into
// cohorts. Each invitation is taken up in a transaction of its own by
// whichever reader marks it first; someone already back in the cohort
// another way keeps that place.
func (s *Service) settle(ctx context.Context, cohortID, email string) error {
	used, err := s.store.UsedInvitations(ctx, cohortID, email)
	if err != nil {
		return err
	}
	for _, u := range used {
		err := s.store.InTx(ctx, func(tx Store) error {
			now := s.now().UTC()
			won, err := tx.MarkInvitationAccepted(ctx, u.ID, now)
			if err != nil || !won {
				return err
			}
			_, in, err := tx.CohortRole(ctx, u.CohortID, u.UserID)
			if err != nil || in {
				return err
			}
			return tx.AddMembers(ctx, []Membership{{
				ID: newID(), CohortID: u.CohortID, Person: Person{ID: u.UserID}, Role: CohortMember,
				Via: ViaInvite, SourcedID: u.SourcedID, JoinedAt: now,
			}})
		})
		if err != nil && !errors.Is(err, ErrAlreadyMember) {
			return err
		}
	}
	return nil
}
