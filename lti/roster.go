package lti

import (
	"context"
	"net/http"
	"regexp"
)

// RosterResult counts what a roster sync did.
type RosterResult struct {
	Courses  int // courses whose roster was read
	Enrolled int // people placed in their course's cohort (already there or not)
	Skipped  int // members without an email, or inactive
}

type membership struct {
	Status string   `json:"status"`
	UserID string   `json:"user_id"`
	Name   string   `json:"name"`
	Email  string   `json:"email"`
	Roles  []string `json:"roles"`
}

// SyncRoster reads every bound course's roster from the platform's Names
// and Role Provisioning service and places each active member, as a launch
// of theirs would, in the course's cohort: their account is found by
// (issuer, subject) or made. A revoked platform is asked for nothing.
func (s *Service) SyncRoster(ctx context.Context, platformID string) (RosterResult, error) {
	var out RosterResult
	p, err := s.store.Platform(ctx, platformID)
	if err != nil {
		return out, err
	}
	if p.Revoked {
		return out, ErrPlatformRevoked
	}
	bindings, err := s.store.Bindings(ctx, p.ID)
	if err != nil {
		return out, err
	}
	token := ""
	for _, b := range bindings {
		if b.MembershipsURL == "" {
			continue
		}
		if token == "" {
			if token, err = s.accessToken(ctx, p, ScopeMemberships); err != nil {
				return out, err
			}
		}
		members, err := s.members(ctx, token, b.MembershipsURL)
		if err != nil {
			return out, err
		}
		out.Courses++
		for _, m := range members {
			if m.Status != "" && m.Status != "Active" || m.Email == "" || m.UserID == "" {
				out.Skipped++
				continue
			}
			l := Launch{Platform: p, Subject: m.UserID, Email: m.Email, Name: m.Name, Instructor: teaches(m.Roles)}
			u, err := s.person(ctx, l)
			if err != nil {
				return out, err
			}
			if err := s.store.PlaceMember(ctx, p.OrganisationID, u.ID, l.Instructor, s.now().UTC()); err != nil {
				return out, err
			}
			if err := s.classes.Enrol(ctx, b.CohortID, u.ID, l.Instructor); err != nil {
				return out, err
			}
			out.Enrolled++
		}
	}
	return out, nil
}

var nextPage = regexp.MustCompile(`<([^>]+)>\s*;\s*rel="next"`)

// members reads a roster, following its pages (rel="next" links).
func (s *Service) members(ctx context.Context, token, url string) ([]membership, error) {
	var all []membership
	for page := 0; url != "" && page < 100; page++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
		req.Header.Set("Authorization", "Bearer "+token)
		var body struct {
			Members []membership `json:"members"`
		}
		next, err := s.doPaged(req, &body)
		if err != nil {
			return nil, err
		}
		all = append(all, body.Members...)
		url = next
	}
	return all, nil
}
