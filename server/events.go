package server

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/scoring"
)

var errEventScopeConflict = fault.InvalidField("organisation_id", "event_scope_conflict",
	"An event is for one cohort or one whole organisation, not both.")

// eventsAPI serves events and the scoreboards scoped to an event or a
// cohort. Who may see and run each is the cohorts service's to say; what
// counts on a board is scoring's.
type eventsAPI struct {
	cohorts *cohorts.Service
	boards  *scoring.Boards
	audit   audit.Recorder
}

type competitionView struct {
	ID       string `json:"id"`
	CohortID string `json:"cohort_id,omitempty"` // absent with organisation_id: range-wide
	// OrganisationID is set for an event across an organisation's cohorts.
	OrganisationID string     `json:"organisation_id,omitempty"`
	Name           string     `json:"name"`
	Scenarios      []string   `json:"scenarios"`
	StartsAt       time.Time  `json:"starts_at"`
	EndsAt         time.Time  `json:"ends_at"`
	FreezeAt       *time.Time `json:"freeze_at,omitempty"`
	Phase          string     `json:"phase"`
	CreatedAt      time.Time  `json:"created_at"`
	Manage         bool       `json:"manage"` // the caller may change it and sees its board live
}

func competitionViewOf(e cohorts.Event, manage bool) competitionView {
	return competitionView{
		ID: e.ID, CohortID: e.CohortID, OrganisationID: e.OrganisationID, Name: e.Name, Scenarios: e.Scenarios, StartsAt: e.StartsAt, EndsAt: e.EndsAt,
		FreezeAt: e.FreezeAt, Phase: string(e.Phase(time.Now())), CreatedAt: e.CreatedAt, Manage: manage,
	}
}

type competitionList struct {
	Events []competitionView `json:"events"`
}

// competitionRequest is an event's settable fields; dates are RFC 3339, and an
// empty freeze_at means the board never freezes.
type competitionRequest struct {
	CohortID string `json:"cohort_id"` // on create only; empty runs it range-wide
	// OrganisationID, on create only and instead of cohort_id, runs it
	// across the organisation's cohorts.
	OrganisationID string   `json:"organisation_id"`
	Name           string   `json:"name"`
	Scenarios      []string `json:"scenarios"`
	StartsAt       string   `json:"starts_at"`
	EndsAt         string   `json:"ends_at"`
	FreezeAt       string   `json:"freeze_at"`
}

func (r competitionRequest) fields() (cohorts.EventFields, error) {
	starts, err := optionalTime("starts_at", r.StartsAt)
	if err != nil {
		return cohorts.EventFields{}, err
	}
	ends, err := optionalTime("ends_at", r.EndsAt)
	if err != nil {
		return cohorts.EventFields{}, err
	}
	f := cohorts.EventFields{Name: r.Name, Scenarios: r.Scenarios, StartsAt: starts, EndsAt: ends}
	if strings.TrimSpace(r.FreezeAt) != "" {
		freeze, err := optionalTime("freeze_at", r.FreezeAt)
		if err != nil {
			return cohorts.EventFields{}, err
		}
		f.FreezeAt = &freeze
	}
	return f, nil
}

func (h eventsAPI) list(c *fiber.Ctx) error {
	list, err := h.cohorts.Events(c.UserContext(), cohortActor(c))
	if err != nil {
		return err
	}
	views := make([]competitionView, len(list))
	for i, e := range list {
		views[i] = competitionViewOf(e.Event, e.Manage)
	}
	return c.JSON(competitionList{Events: views})
}

func (h eventsAPI) get(c *fiber.Ctx) error {
	e, manage, err := h.cohorts.Event(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(competitionViewOf(e, manage))
}

func (h eventsAPI) create(c *fiber.Ctx) error {
	var req competitionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, err := req.fields()
	if err != nil {
		return err
	}
	var e cohorts.Event
	cohortID, orgID := strings.TrimSpace(req.CohortID), strings.TrimSpace(req.OrganisationID)
	switch {
	case cohortID != "" && orgID != "":
		return errEventScopeConflict
	case orgID != "":
		e, err = h.cohorts.CreateOrgEvent(c.UserContext(), cohortActor(c), orgID, f)
	default:
		e, err = h.cohorts.CreateEvent(c.UserContext(), cohortActor(c), cohortID, f)
	}
	if err != nil {
		return err
	}
	if err := h.record(c, audit.EventCreate, e); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(competitionViewOf(e, true))
}

func (h eventsAPI) update(c *fiber.Ctx) error {
	var req competitionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, err := req.fields()
	if err != nil {
		return err
	}
	e, err := h.cohorts.UpdateEvent(c.UserContext(), cohortActor(c), c.Params("id"), f)
	if err != nil {
		return err
	}
	if err := h.record(c, audit.EventUpdate, e); err != nil {
		return err
	}
	return c.JSON(competitionViewOf(e, true))
}

func (h eventsAPI) remove(c *fiber.Ctx) error {
	e, err := h.cohorts.DeleteEvent(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	if err := h.record(c, audit.EventDelete, e); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// record notes a change to an event, with its window, in the audit log.
func (h eventsAPI) record(c *fiber.Ctx, action audit.Action, e cohorts.Event) error {
	detail := map[string]string{"name": e.Name, "starts_at": e.StartsAt.Format(time.RFC3339), "ends_at": e.EndsAt.Format(time.RFC3339)}
	if e.CohortID != "" {
		detail["cohort_id"] = e.CohortID
	}
	if e.OrganisationID != "" {
		detail["organisation_id"] = e.OrganisationID
	}
	if e.FreezeAt != nil {
		detail["freeze_at"] = e.FreezeAt.Format(time.RFC3339)
	}
	return recordAction(c, h.audit, audit.Entry{Action: action, TargetKind: "event", TargetID: e.ID, Detail: detail})
}

type scopedBoardView struct {
	Frozen    bool           `json:"frozen"`              // the standings are as they stood at freeze_at
	FreezeAt  *time.Time     `json:"freeze_at,omitempty"` // when the board freezes for players
	Standings []standingView `json:"standings"`
}

func (h eventsAPI) eventBoard(c *fiber.Ctx) error {
	e, manage, err := h.cohorts.Event(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return h.board(c, eventScope(e), manage)
}

// cohortBoard ranks a cohort's trainees by what they scored between the
// cohort's start and end dates.
func (h eventsAPI) cohortBoard(c *fiber.Ctx) error {
	co, manage, err := h.cohorts.CohortBoard(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return h.board(c, scoring.BoardScope{CohortID: co.ID, From: co.StartsAt, Until: co.EndsAt}, manage)
}

func (h eventsAPI) board(c *fiber.Ctx, scope scoring.BoardScope, live bool) error {
	b, err := h.boards.Board(c.UserContext(), scope, c.QueryInt("limit", 100), live)
	if err != nil {
		return err
	}
	out := scopedBoardView{Frozen: b.Frozen, Standings: standingViews(b.Standings)}
	if !b.FreezeAt.IsZero() {
		at := b.FreezeAt
		out.FreezeAt = &at
	}
	return c.JSON(out)
}

func standingViews(list []scoring.Standing) []standingView {
	out := make([]standingView, len(list))
	for i, s := range list {
		out[i] = standingView{Rank: s.Rank, TraineeID: s.TraineeID, DisplayName: s.DisplayName, Points: s.Points, Solved: s.Solved}
		if !s.LastSolveAt.IsZero() {
			at := s.LastSolveAt
			out[i].LastSolveAt = &at
		}
	}
	return out
}

// eventContests tells scoring which event a solve falls in, so dynamic
// scoring counts that event's solves alone.
type eventContests struct{ cohorts *cohorts.Service }

func (c eventContests) Contest(ctx context.Context, traineeID, scenarioID string, at time.Time) (scoring.BoardScope, bool, error) {
	e, ok, err := c.cohorts.EventAt(ctx, traineeID, scenarioID, at)
	if err != nil || !ok {
		return scoring.BoardScope{}, false, err
	}
	return eventScope(e), true, nil
}

// eventScope is what counts on an event's board: its players' records in
// its scenarios between its start and end, frozen at its freeze.
func eventScope(e cohorts.Event) scoring.BoardScope {
	scope := scoring.BoardScope{CohortID: e.CohortID, OrganisationID: e.OrganisationID, Scenarios: e.Scenarios, From: e.StartsAt, Until: e.EndsAt}
	if e.FreezeAt != nil {
		scope.FreezeAt = *e.FreezeAt
	}
	return scope
}
