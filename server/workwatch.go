package server

import (
	"context"
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/badges"
	"github.com/sakimori/sakimori/scoring"
)

// watchWork sends a trainee's changed standing where it shows outside the
// range as soon as it changes: their grade to the LMS gradebooks and the
// badges they have newly earned into their backpack. Without it a grade
// waited for the LMS round and a badge for the trainee's next look at
// their badges page. Both stay idempotent, so the round and the page still
// catch anything missed here.
func watchWork(app *fiber.App, d Deps) {
	if d.Scoring == nil {
		return
	}
	if d.LTI != nil && d.Cohorts != nil {
		grades := d.LTI
		d.Scoring.Watch(scoring.WatchFunc(func(e scoring.Event) {
			if e.Solves() {
				grades.WorkChanged()
			}
		}))
	}
	if d.Badges != nil && d.Labs != nil {
		g := &badgeGranter{earnings: badgeEarnings{labs: d.Labs, scoring: d.Scoring, cohorts: d.Cohorts, badges: d.Badges,
			frameworks: d.Frameworks}, badges: d.Badges, accounts: d.Accounts, log: d.Logger, due: make(chan string, grantQueue)}
		ctx, stop := context.WithCancel(context.Background())
		go g.run(ctx)
		app.Hooks().OnShutdown(func() error { stop(); return nil })
		d.Scoring.Watch(g)
	}
}

// grantQueue is how many trainees may wait for their badges at once; past
// it a solve's badge is granted when the trainee next opens their badges.
const grantQueue = 1024

// badgeGranter grants badges off the recording goroutine, one trainee at
// a time, in the order their solves were recorded.
type badgeGranter struct {
	earnings badgeEarnings
	badges   *badges.Service
	accounts *accounts.Service
	log      *slog.Logger
	due      chan string // trainee ids
}

func (g *badgeGranter) Recorded(e scoring.Event) {
	if !e.Solves() {
		return
	}
	select {
	case g.due <- e.TraineeID:
	default:
		g.log.Warn("badges: too many trainees waiting; this one's badges wait for their next visit", "trainee", e.TraineeID)
	}
}

func (g *badgeGranter) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-g.due:
			if err := g.grant(ctx, id); err != nil && ctx.Err() == nil {
				g.log.Warn("badges: granting after a solve", "trainee", id, "err", err)
			}
		}
	}
}

func (g *badgeGranter) grant(ctx context.Context, userID string) error {
	u, err := g.accounts.User(ctx, userID)
	if err != nil {
		return err
	}
	earned, err := g.earnings.earned(ctx, u)
	if err != nil {
		return err
	}
	_, err = g.badges.Grant(ctx, u.ID, u.DisplayName, earned)
	return err
}
