package server

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/fault"
)

// cohortsAPI serves cohorts, their members and joining them.
type cohortsAPI struct {
	cohorts  *cohorts.Service
	accounts *accounts.Service // a person's email, to take up their roster invitations
	audit    audit.Recorder
}

// recordCohort records a manager's action on a cohort.
func (h cohortsAPI) recordCohort(c *fiber.Ctx, action audit.Action, cohortID string, detail map[string]string) error {
	return recordAction(c, h.audit, audit.Entry{Action: action, TargetKind: "cohort", TargetID: strings.Clone(cohortID), Detail: detail})
}

type cohortView struct {
	ID              string     `json:"id"`
	OrganisationID  string     `json:"organisation_id"`
	Name            string     `json:"name"`
	StartsAt        time.Time  `json:"starts_at"`
	EndsAt          time.Time  `json:"ends_at"`
	CapacityReserve int        `json:"capacity_reserve"`
	JoinCode        string     `json:"join_code,omitempty"` // for its managers only
	CreatedAt       time.Time  `json:"created_at"`
	ArchivedAt      *time.Time `json:"archived_at,omitempty"`
	Role            string     `json:"role,omitempty"` // the caller's part in it, where they have one
}

func cohortViewOf(c cohorts.Cohort) cohortView {
	return cohortView{
		ID: c.ID, OrganisationID: c.OrganisationID, Name: c.Name, StartsAt: c.StartsAt, EndsAt: c.EndsAt,
		CapacityReserve: c.CapacityReserve, JoinCode: c.JoinCode, CreatedAt: c.CreatedAt, ArchivedAt: c.ArchivedAt,
	}
}

type cohortList struct {
	Cohorts []cohortView `json:"cohorts"`
}

// cohortRequest is a cohort's settable fields. Dates are RFC 3339 text,
// read here so a bad one is refused with its field.
type cohortRequest struct {
	OrganisationID  string `json:"organisation_id,omitempty"`
	Name            string `json:"name"`
	StartsAt        string `json:"starts_at"`
	EndsAt          string `json:"ends_at"`
	CapacityReserve int    `json:"capacity_reserve"`
}

func (r cohortRequest) fields() (cohorts.CohortFields, error) {
	starts, err := optionalTime("starts_at", r.StartsAt)
	if err != nil {
		return cohorts.CohortFields{}, err
	}
	ends, err := optionalTime("ends_at", r.EndsAt)
	if err != nil {
		return cohorts.CohortFields{}, err
	}
	return cohorts.CohortFields{Name: r.Name, StartsAt: starts, EndsAt: ends, CapacityReserve: r.CapacityReserve}, nil
}

// optionalTime reads an RFC 3339 time; empty is the zero time, which the
// domain refuses as missing.
func optionalTime(field, raw string) (time.Time, error) {
	if strings.TrimSpace(raw) == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(raw))
	if err != nil {
		return time.Time{}, fault.InvalidField(field, "date_invalid", "Give a date and time with its offset, like 2026-04-01T09:00:00+09:00.")
	}
	return t, nil
}

func (h cohortsAPI) create(c *fiber.Ctx) error {
	var req cohortRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.OrganisationID) == "" {
		return fault.InvalidField("organisation_id", "organisation_required", "Say which organisation runs the cohort.")
	}
	f, err := req.fields()
	if err != nil {
		return err
	}
	co, err := h.cohorts.CreateCohort(c.UserContext(), cohortActor(c), req.OrganisationID, f)
	if err != nil {
		return err
	}
	if err := h.recordCohort(c, audit.CohortCreate, co.ID, map[string]string{"organisation": co.OrganisationID}); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cohortViewOf(co))
}

func (h cohortsAPI) list(c *fiber.Ctx) error {
	list, err := h.cohorts.Cohorts(c.UserContext(), cohortActor(c), c.Query("organisation"), c.QueryBool("archived"))
	if err != nil {
		return err
	}
	views := make([]cohortView, len(list))
	for i, co := range list {
		views[i] = cohortViewOf(co)
	}
	return c.JSON(cohortList{Cohorts: views})
}

func (h cohortsAPI) get(c *fiber.Ctx) error {
	v, err := h.cohorts.Cohort(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(cohortViewOf(v.Cohort))
}

func (h cohortsAPI) update(c *fiber.Ctx) error {
	var req cohortRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.OrganisationID != "" {
		return fault.InvalidField("organisation_id", "organisation_fixed", "A cohort stays with the organisation that made it.")
	}
	f, err := req.fields()
	if err != nil {
		return err
	}
	co, err := h.cohorts.UpdateCohort(c.UserContext(), cohortActor(c), c.Params("id"), f)
	if err != nil {
		return err
	}
	if err := h.recordCohort(c, audit.CohortUpdate, co.ID, nil); err != nil {
		return err
	}
	return c.JSON(cohortViewOf(co))
}

// archive answers DELETE: a cohort is never deleted, only archived, so its
// members' records keep their class.
func (h cohortsAPI) archive(c *fiber.Ctx) error {
	co, err := h.cohorts.ArchiveCohort(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	if err := h.recordCohort(c, audit.CohortArchive, co.ID, nil); err != nil {
		return err
	}
	return c.JSON(cohortViewOf(co))
}

func (h cohortsAPI) rotateCode(c *fiber.Ctx) error {
	co, err := h.cohorts.RotateJoinCode(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	if err := h.recordCohort(c, audit.CohortJoinCodeRotate, co.ID, nil); err != nil { // the code itself is never kept
		return err
	}
	return c.JSON(cohortViewOf(co))
}

type joinRequest struct {
	Code string `json:"code"`
}

func (h cohortsAPI) join(c *fiber.Ctx) error {
	var req joinRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	mc, err := h.cohorts.Join(c.UserContext(), cohortActor(c), req.Code)
	if err != nil {
		return err
	}
	v := cohortViewOf(mc.Cohort)
	v.Role = string(mc.Role)
	return c.JSON(v)
}

func (h cohortsAPI) mine(c *fiber.Ctx) error {
	a := cohortActor(c)
	me, err := h.accounts.User(c.UserContext(), a.UserID)
	if err != nil {
		return err
	}
	list, err := h.cohorts.MyCohorts(c.UserContext(), a, me.Email)
	if err != nil {
		return err
	}
	views := make([]cohortView, len(list))
	for i, mc := range list {
		views[i] = cohortViewOf(mc.Cohort)
		views[i].Role = string(mc.Role)
	}
	return c.JSON(cohortList{Cohorts: views})
}

// joinsPerMinute bounds join-code attempts per person: enough for typos,
// far too few to search sixty bits.
const joinsPerMinute = 10
