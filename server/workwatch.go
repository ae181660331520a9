package server

import (
	"context"
	"log/slog"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scoring"
)

// watchWork follows what trainees do, as it is recorded, to where it
// shows beyond their own pages:
//   - a lab's first run and an assignment completed become records of
//     their own, which the partner feed and the LRSs carry;
//   - a changed grade goes to the LMS gradebooks now rather than at the
//     next round;
//   - a badge newly earned is granted now rather than at the trainee's
//     next look at their badges.
//
// Everything here is idempotent and also caught later (the LMS round, the
// badges page), so a follow-up lost to a crash or a full queue only waits.
func watchWork(app *fiber.App, d Deps) {
	if d.Scoring == nil {
		return
	}
	f := &followUps{log: d.Logger, due: make(chan followUp, followUpQueue)}
	ctx, stop := context.WithCancel(context.Background())
	go f.run(ctx)
	app.Hooks().OnShutdown(func() error { stop(); return nil })

	if d.Labs != nil {
		d.Labs.Watch(labsWatch(func(inst labs.Instance) {
			if inst.State != labs.StateRunning || inst.StartedAt == nil {
				return
			}
			lab := scoring.Lab{ID: inst.ID, TraineeID: inst.TraineeID, ScenarioID: inst.ScenarioID, StartedAt: *inst.StartedAt}
			f.add("recording a launch", func(ctx context.Context) error { return d.Scoring.RecordLaunch(ctx, lab) })
		}))
	}
	d.Scoring.Watch(scoring.WatchFunc(func(e scoring.Event) {
		if !e.Solves() {
			return
		}
		if d.LTI != nil && d.Cohorts != nil {
			d.LTI.WorkChanged()
		}
		if d.Cohorts != nil {
			f.add("recording completions", func(ctx context.Context) error { return recordCompletions(ctx, d, e) })
		}
		if d.Badges != nil && d.Labs != nil {
			g := badgeEarnings{labs: d.Labs, scoring: d.Scoring, cohorts: d.Cohorts, badges: d.Badges, frameworks: d.Frameworks}
			f.add("granting badges", func(ctx context.Context) error {
				u, err := d.Accounts.User(ctx, e.TraineeID)
				if err != nil {
					return err
				}
				earned, err := g.earned(ctx, u)
				if err != nil {
					return err
				}
				_, err = d.Badges.Grant(ctx, u.ID, u.DisplayName, earned)
				return err
			})
		}
	}))
}

// recordCompletions records each of the trainee's assignments that the
// solve completed: those with the solve's scenario, done by now.
func recordCompletions(ctx context.Context, d Deps, solve scoring.Event) error {
	mine, err := d.Cohorts.MyAssignments(ctx, cohorts.Actor{UserID: solve.TraineeID})
	if err != nil {
		return err
	}
	for _, a := range mine {
		p := a.Progress
		if p.CompletedAt == nil || !slices.Contains(a.Scenarios, solve.ScenarioID) {
			continue
		}
		tracks := a.Tracks
		err := d.Scoring.RecordCompletion(ctx, scoring.Completion{TraineeID: solve.TraineeID, AssignmentID: a.ID,
			Scenarios: a.Scenarios, Tracks: func(t scoring.Track) bool { return tracks.Includes(string(t)) },
			OpensAt: a.OpensAt, At: *p.CompletedAt, InstanceID: solve.InstanceID, ScenarioID: solve.ScenarioID})
		if err != nil {
			return err
		}
	}
	return nil
}

type labsWatch func(labs.Instance)

func (f labsWatch) LabChanged(inst labs.Instance) { f(inst) }

// followUpQueue is how much follow-up work may wait at once; past it a
// follow-up is dropped (and logged) rather than slowing the recording.
const followUpQueue = 4096

type followUp struct {
	what string
	do   func(context.Context) error
}

// followUps runs follow-up work off the recording goroutines, one piece
// at a time, in the order it was recorded.
type followUps struct {
	log *slog.Logger
	due chan followUp
}

func (f *followUps) add(what string, do func(context.Context) error) {
	select {
	case f.due <- followUp{what: what, do: do}:
	default:
		f.log.Warn("follow-up queue full: this one waits to be caught later", "work", what)
	}
}

func (f *followUps) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case job := <-f.due:
			if err := job.do(ctx); err != nil && ctx.Err() == nil {
				f.log.Warn("follow-up failed", "work", job.what, "err", err)
			}
		}
	}
}
