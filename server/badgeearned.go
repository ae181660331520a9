package server

import (
	"context"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/badges"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/competency"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/progress"
	"github.com/sakimori/sakimori/scoring"
)

// badgeEarnings works out what a trainee has earned from their scoring
// records: every scenario completed, and every work role whose attainment
// passes the threshold of their organisations.
type badgeEarnings struct {
	labs    *labs.Service
	scoring *scoring.Service
	cohorts *cohorts.Service // nil: only the default threshold applies
	badges  *badges.Service
	// frameworks: the competency catalogues an admin imported, if any,
	// which role attainment is measured against as transcripts are.
	frameworks *competency.Importer
}

// badge content is written in English: a credential is carried to
// employers anywhere, and is frozen as first earned.
const badgeLanguage = "en"

func (e badgeEarnings) earned(ctx context.Context, u accounts.User) ([]badges.Achievement, error) {
	events, err := e.scoring.Progress(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	records := make([]progress.Record, len(events))
	for i, ev := range events {
		records[i] = progress.Record{Scenario: ev.ScenarioID, Objective: ev.ObjectiveID, Solved: ev.Solves(), Points: ev.Points, At: ev.At}
	}
	summary := progress.Summarise(countedForProgress(e.labs, badgeLanguage, records), records)
	f, err := loadedFrameworks(ctx, e.frameworks)
	if err != nil {
		return nil, err
	}
	var out []badges.Achievement
	for _, sp := range summary.Scenarios {
		if !sp.Complete {
			continue
		}
		s, err := e.labs.Catalogue().Scenario(sp.ID)
		if err != nil {
			continue // no longer in the catalogue: nothing to align it to
		}
		out = append(out, badges.ScenarioAchievement(badges.ScenarioCompleted{ID: s.ID, Title: s.In(badgeLanguage).Title,
			Techniques: s.Attack, Roles: s.NICERoles}, f))
	}
	threshold, err := e.threshold(ctx, u)
	if err != nil {
		return nil, err
	}
	idx, err := competencyIndex(ctx, e.labs, e.frameworks, scenarioIDs(events)...)
	if err != nil {
		return nil, err
	}
	t := idx.Transcript(competency.Trainee{ID: u.ID, Name: u.DisplayName}, solvesOf(events), time.Now().UTC())
	for _, r := range t.Roles {
		if badges.Attained(r, threshold) {
			out = append(out, badges.RoleAchievement(r, threshold))
		}
	}
	return out, nil
}

// threshold is the strictest of the trainee's organisations': those they
// are members of, and those of the classes they are in.
func (e badgeEarnings) threshold(ctx context.Context, u accounts.User) (int, error) {
	if e.cohorts == nil {
		return badges.DefaultRoleThreshold, nil
	}
	actor := cohorts.Actor{UserID: u.ID, Role: accounts.RoleTrainee} // their own memberships, even for staff
	orgs, err := e.cohorts.Organisations(ctx, actor)
	if err != nil {
		return 0, err
	}
	var ids []string
	for _, o := range orgs {
		ids = append(ids, o.ID)
	}
	classes, err := e.cohorts.MyCohorts(ctx, actor, u.Email)
	if err != nil {
		return 0, err
	}
	for _, c := range classes {
		ids = append(ids, c.OrganisationID)
	}
	return e.badges.ThresholdFor(ctx, ids)
}
