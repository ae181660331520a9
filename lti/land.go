package lti

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/sakimori/sakimori/accounts"
)

// Land admits the person a validated launch names: their account, found
// by (issuer, subject) or made; the cohort bound to the course, bound at
// an instructor's first launch; and, for a deep linking request, a ticket
// for the picker. A learner of a course not yet bound is refused before
// anything is made.
func (s *Service) Land(ctx context.Context, l Launch) (Landing, error) {
	b, bound, err := s.store.Binding(ctx, l.Platform.ID, l.ContextID)
	if err != nil {
		return Landing{}, err
	}
	if !bound && !l.Instructor {
		return Landing{}, ErrContextUnbound
	}
	u, err := s.person(ctx, l)
	if err != nil {
		return Landing{}, err
	}
	if err := s.store.PlaceMember(ctx, l.Platform.OrganisationID, u.ID, l.Instructor, s.now().UTC()); err != nil {
		return Landing{}, err
	}
	if !bound {
		title := l.ContextTitle
		if title == "" {
			title = l.ContextID
		}
		id, err := s.classes.OpenCohort(ctx, l.Platform.OrganisationID, title, u.ID)
		if err != nil {
			return Landing{}, err
		}
		b = Binding{PlatformID: l.Platform.ID, ContextID: l.ContextID, CohortID: id, Title: title, MembershipsURL: l.Memberships}
		if err := s.store.Bind(ctx, b); err != nil {
			return Landing{}, err
		}
	} else if l.Memberships != "" && l.Memberships != b.MembershipsURL {
		b.MembershipsURL = l.Memberships
		if err := s.store.Bind(ctx, b); err != nil {
			return Landing{}, err
		}
	}
	if err := s.classes.Enrol(ctx, b.CohortID, u.ID, l.Instructor); err != nil {
		return Landing{}, err
	}
	out := Landing{User: u, Instructor: l.Instructor, CohortID: b.CohortID}
	if l.MessageType == DeepLinkingMsg && l.Instructor {
		out.Ticket, err = s.ticket(u.ID, l)
		return out, err
	}
	if l.ResourceID != "" {
		link, ok, err := s.store.Link(ctx, l.Platform.ID, l.ResourceID)
		if err != nil {
			return Landing{}, err
		}
		if ok && link.ContextID == l.ContextID {
			out.AssignmentID = link.AssignmentID
			if err := s.learnLineItem(ctx, l, link, b.CohortID); err != nil {
				return Landing{}, err
			}
		}
	}
	return out, nil
}

// person is the launched person's account, linked by (issuer, subject).
func (s *Service) person(ctx context.Context, l Launch) (accounts.User, error) {
	role := accounts.RoleTrainee
	if l.Instructor {
		role = accounts.RoleInstructor
	}
	id, ok, err := s.store.LinkedUser(ctx, l.Platform.Issuer, l.Subject)
	if err != nil {
		return accounts.User{}, err
	}
	if ok {
		u, err := s.accounts.User(ctx, id)
		if err != nil {
			return accounts.User{}, err
		}
		return s.accounts.RaiseRole(ctx, u, role)
	}
	u, err := s.accounts.CreateExternalUser(ctx, accounts.ExternalUser{Email: l.Email, DisplayName: l.Name, Role: role})
	if errors.Is(err, accounts.ErrEmailTaken) {
		return accounts.User{}, ErrEmailInUse
	}
	if err != nil {
		return accounts.User{}, err
	}
	return u, s.store.LinkUser(ctx, l.Platform.Issuer, l.Subject, u.ID, l.Platform.ID, s.now().UTC())
}

// ticketClaims is a deep linking request kept, sealed to the instructor,
// until they pick what to link.
type ticketClaims struct {
	PlatformID   string           `json:"p"`
	DeploymentID string           `json:"d"`
	ContextID    string           `json:"c"`
	Settings     DeepLinkSettings `json:"s"`
	Nonce        string           `json:"n"`
}

func (s *Service) ticket(userID string, l Launch) (string, error) {
	b, err := json.Marshal(ticketClaims{PlatformID: l.Platform.ID, DeploymentID: l.DeploymentID, ContextID: l.ContextID,
		Settings: l.DeepLinking, Nonce: random()})
	if err != nil {
		return "", err
	}
	return s.sealer.Seal(string(b), "lti-deep-link:"+userID), nil
}
