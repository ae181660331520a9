package server_test

import (
	"context"
	"strings"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/cohorts"
)

// teaches puts the instructor and the trainees (by email) in a cohort of an
// organisation of its own, made as a range admin would: instructors see
// only their classes' trainees' labs, replays and records.
func (rg *range_) teaches(instructor string, trainees ...string) cohorts.Cohort {
	rg.t.Helper()
	ctx, admin := context.Background(), cohorts.Actor{UserID: "range-admin", Role: accounts.RoleAdmin}
	slug := "org-" + strings.ToLower(strings.NewReplacer("@", "-", ".", "-").Replace(instructor))
	org, err := rg.cohorts.CreateOrganisation(ctx, admin, cohorts.NewOrganisation{Name: "Org of " + instructor, Slug: slug, Kind: cohorts.Academy})
	if err != nil {
		rg.t.Fatal(err)
	}
	if _, err := rg.cohorts.PutOrgMember(ctx, admin, org.ID, instructor, cohorts.OrgInstructor); err != nil {
		rg.t.Fatal(err)
	}
	now := time.Now()
	c, err := rg.cohorts.CreateCohort(ctx, admin, org.ID, cohorts.CohortFields{Name: "Class of " + instructor, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(30 * 24 * time.Hour)})
	if err != nil {
		rg.t.Fatal(err)
	}
	if _, err := rg.cohorts.AddMember(ctx, admin, c.ID, instructor, cohorts.CohortInstructor); err != nil {
		rg.t.Fatal(err)
	}
	for _, email := range trainees {
		if _, err := rg.cohorts.AddMember(ctx, admin, c.ID, email, cohorts.CohortMember); err != nil {
			rg.t.Fatal(err)
		}
	}
	return c
}
