package server

import (
	"bytes"
	"errors"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/fault"
)

type cohortMemberView struct {
	Person    personView `json:"person"`
	Role      string     `json:"role"`
	Via       string     `json:"via"`
	SourcedID string     `json:"sourced_id,omitempty"`
	JoinedAt  time.Time  `json:"joined_at"`
}

func cohortMemberViewOf(m cohorts.Membership) cohortMemberView {
	return cohortMemberView{Person: personViewOf(m.Person), Role: string(m.Role), Via: m.Via, SourcedID: m.SourcedID, JoinedAt: m.JoinedAt}
}

type invitationView struct {
	Email      string    `json:"email"`
	GivenName  string    `json:"given_name,omitempty"`
	FamilyName string    `json:"family_name,omitempty"`
	SourcedID  string    `json:"sourced_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

type cohortMemberList struct {
	Members     []cohortMemberView `json:"members"`
	Invitations []invitationView   `json:"invitations"` // roster rows still waiting for their person to register
}

func (h cohortsAPI) members(c *fiber.Ctx) error {
	ms, pending, err := h.cohorts.Members(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	out := cohortMemberList{Members: make([]cohortMemberView, len(ms)), Invitations: make([]invitationView, len(pending))}
	for i, m := range ms {
		out.Members[i] = cohortMemberViewOf(m)
	}
	for i, p := range pending {
		out.Invitations[i] = invitationView{Email: p.Email, GivenName: p.GivenName, FamilyName: p.FamilyName, SourcedID: p.SourcedID, CreatedAt: p.CreatedAt}
	}
	return c.JSON(out)
}

func (h cohortsAPI) addMember(c *fiber.Ctx) error {
	var req memberRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Role == "" {
		req.Role = string(cohorts.CohortMember)
	}
	m, err := h.cohorts.AddMember(c.UserContext(), cohortActor(c), c.Params("id"), req.Email, cohorts.CohortRole(req.Role))
	if err != nil {
		return err
	}
	if err := h.recordCohort(c, audit.CohortMemberAdd, m.CohortID, map[string]string{"user": m.Person.ID, "role": string(m.Role)}); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cohortMemberViewOf(m))
}

func (h cohortsAPI) removeMember(c *fiber.Ctx) error {
	if err := h.cohorts.RemoveMember(c.UserContext(), cohortActor(c), c.Params("id"), c.Params("user")); err != nil {
		return err
	}
	if err := h.recordCohort(c, audit.CohortMemberRemove, c.Params("id"), map[string]string{"user": strings.Clone(c.Params("user"))}); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type importedRowView struct {
	Line   int    `json:"line"`
	Email  string `json:"email"`
	Role   string `json:"role"`
	Reason string `json:"reason,omitempty"`
}

type invitedRowView struct {
	Line      int       `json:"line"`
	Email     string    `json:"email"`
	Code      string    `json:"code"` // shown once, now
	ExpiresAt time.Time `json:"expires_at"`
}

type importView struct {
	Added   []importedRowView `json:"added"`
	Invited []invitedRowView  `json:"invited"`
	Skipped []importedRowView `json:"skipped"`
}

type rowErrorView struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// rosterRefusal is a roster error with every row at fault beside it.
type rosterRefusal struct {
	Error problem        `json:"error"`
	Rows  []rowErrorView `json:"rows"`
}

var errRosterMediaType = fault.InvalidField("file", "roster_media_type", "Send the roster as the request body, of type text/csv.")

// importRoster takes a CSV file as the request body.
func (h cohortsAPI) importRoster(c *fiber.Ctx) error {
	if mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType)); err != nil || mt != "text/csv" {
		return errRosterMediaType
	}
	res, err := h.cohorts.ImportRoster(c.UserContext(), cohortActor(c), c.Params("id"), bytes.NewReader(c.Body()))
	var refused *cohorts.RosterError
	if errors.As(err, &refused) {
		out := rosterRefusal{
			Error: problem{Code: refused.Fault.Code, Message: refused.Fault.Message, Field: refused.Fault.Field, RequestID: requestIDOf(c)},
			Rows:  make([]rowErrorView, len(refused.Rows)),
		}
		for i, r := range refused.Rows {
			out.Rows[i] = rowErrorView{Line: r.Line, Field: r.Field, Code: r.Code, Message: r.Message}
		}
		return c.Status(fiber.StatusBadRequest).JSON(out)
	}
	if err != nil {
		return err
	}
	err = h.recordCohort(c, audit.CohortRosterImport, c.Params("id"), map[string]string{
		"added": strconv.Itoa(len(res.Added)), "invited": strconv.Itoa(len(res.Invited)), "skipped": strconv.Itoa(len(res.Skipped))})
	if err != nil {
		return err
	}
	return c.JSON(importViewOf(res))
}

func importViewOf(res cohorts.ImportResult) importView {
	out := importView{Added: rowsView(res.Added), Skipped: rowsView(res.Skipped), Invited: make([]invitedRowView, len(res.Invited))}
	for i, r := range res.Invited {
		out.Invited[i] = invitedRowView{Line: r.Line, Email: r.Email, Code: r.Code, ExpiresAt: r.ExpiresAt}
	}
	return out
}

func rowsView(rows []cohorts.ImportedRow) []importedRowView {
	out := make([]importedRowView, len(rows))
	for i, r := range rows {
		out[i] = importedRowView{Line: r.Line, Email: r.Email, Role: string(r.Role), Reason: r.Reason}
	}
	return out
}
