package server

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/cohorts"
)

// assignmentsAPI serves a cohort's coursework and where its members stand.
type assignmentsAPI struct {
	cohorts *cohorts.Service
	audit   audit.Recorder
}

// recordAssignment records a manager setting, changing or removing coursework.
func (h assignmentsAPI) recordAssignment(c *fiber.Ctx, action audit.Action, a cohorts.Assignment) error {
	detail := map[string]string{"cohort": a.CohortID, "scenarios": strings.Join(a.Scenarios, ",")}
	if a.CohortID == "" {
		detail = nil // removed: only its id is known here
	}
	return recordAction(c, h.audit, audit.Entry{Action: action, TargetKind: "assignment", TargetID: a.ID, Detail: detail})
}

type assignmentView struct {
	ID                 string    `json:"id"`
	CohortID           string    `json:"cohort_id"`
	Title              string    `json:"title"`
	Scenarios          []string  `json:"scenarios"`
	Tracks             string    `json:"tracks"`
	OpensAt            time.Time `json:"opens_at"`
	DueAt              time.Time `json:"due_at"`
	LatePolicy         string    `json:"late_policy"`
	LatePenaltyPercent int       `json:"late_penalty_percent,omitempty"`
	CreatedAt          time.Time `json:"created_at"`
}

func assignmentViewOf(a cohorts.Assignment) assignmentView {
	return assignmentView{
		ID: a.ID, CohortID: a.CohortID, Title: a.Title, Scenarios: a.Scenarios, Tracks: string(a.Tracks),
		OpensAt: a.OpensAt, DueAt: a.DueAt, LatePolicy: string(a.Late.Kind), LatePenaltyPercent: a.Late.Percent,
		CreatedAt: a.CreatedAt,
	}
}

type assignmentList struct {
	Assignments []assignmentView `json:"assignments"`
}

// assignmentRequest is an assignment's settable fields; dates are RFC 3339.
type assignmentRequest struct {
	Title              string   `json:"title"`
	Scenarios          []string `json:"scenarios"`
	Tracks             string   `json:"tracks"`
	OpensAt            string   `json:"opens_at"`
	DueAt              string   `json:"due_at"`
	LatePolicy         string   `json:"late_policy"`
	LatePenaltyPercent int      `json:"late_penalty_percent"`
}

func (r assignmentRequest) fields() (cohorts.AssignmentFields, error) {
	opens, err := optionalTime("opens_at", r.OpensAt)
	if err != nil {
		return cohorts.AssignmentFields{}, err
	}
	due, err := optionalTime("due_at", r.DueAt)
	if err != nil {
		return cohorts.AssignmentFields{}, err
	}
	return cohorts.AssignmentFields{
		Title: r.Title, Scenarios: r.Scenarios, Tracks: cohorts.Tracks(r.Tracks), OpensAt: opens, DueAt: due,
		Late: cohorts.LatePolicy{Kind: cohorts.LateKind(r.LatePolicy), Percent: r.LatePenaltyPercent},
	}, nil
}

func (h assignmentsAPI) list(c *fiber.Ctx) error {
	list, err := h.cohorts.Assignments(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	views := make([]assignmentView, len(list))
	for i, a := range list {
		views[i] = assignmentViewOf(a)
	}
	return c.JSON(assignmentList{Assignments: views})
}

func (h assignmentsAPI) create(c *fiber.Ctx) error {
	var req assignmentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, err := req.fields()
	if err != nil {
		return err
	}
	a, err := h.cohorts.CreateAssignment(c.UserContext(), cohortActor(c), c.Params("id"), f)
	if err != nil {
		return err
	}
	if err := h.recordAssignment(c, audit.AssignmentCreate, a); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(assignmentViewOf(a))
}

func (h assignmentsAPI) update(c *fiber.Ctx) error {
	var req assignmentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, err := req.fields()
	if err != nil {
		return err
	}
	a, err := h.cohorts.UpdateAssignment(c.UserContext(), cohortActor(c), c.Params("id"), f)
	if err != nil {
		return err
	}
	if err := h.recordAssignment(c, audit.AssignmentUpdate, a); err != nil {
		return err
	}
	return c.JSON(assignmentViewOf(a))
}

func (h assignmentsAPI) remove(c *fiber.Ctx) error {
	if err := h.cohorts.DeleteAssignment(c.UserContext(), cohortActor(c), c.Params("id")); err != nil {
		return err
	}
	if err := h.recordAssignment(c, audit.AssignmentDelete, cohorts.Assignment{ID: strings.Clone(c.Params("id"))}); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type progressView struct {
	UserID      string     `json:"user_id"`
	Email       string     `json:"email,omitempty"`
	DisplayName string     `json:"display_name,omitempty"`
	Status      string     `json:"status"`
	Solved      int        `json:"solved"`
	Required    int        `json:"required"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

func progressViewOf(p cohorts.Progress) progressView {
	return progressView{
		UserID: p.Person.ID, Email: p.Person.Email, DisplayName: p.Person.DisplayName, Status: string(p.Status),
		Solved: p.Solved, Required: p.Required, CompletedAt: p.CompletedAt,
	}
}

type assignmentStatus struct {
	Assignment assignmentView `json:"assignment"`
	Members    []progressView `json:"members"`
	Counts     map[string]int `json:"counts"`      // by status, every status present
	NotStarted []progressView `json:"not_started"` // the members to chase
}

func (h assignmentsAPI) status(c *fiber.Ctx) error {
	a, list, err := h.cohorts.AssignmentStatus(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(assignmentStatusOf(a, list))
}

// assignmentStatusOf is the status view staff and partners both read.
func assignmentStatusOf(a cohorts.Assignment, list []cohorts.Progress) assignmentStatus {
	out := assignmentStatus{Assignment: assignmentViewOf(a), Members: make([]progressView, len(list)), NotStarted: []progressView{},
		Counts: map[string]int{
			string(cohorts.StatusNotStarted): 0, string(cohorts.StatusInProgress): 0,
			string(cohorts.StatusCompleted): 0, string(cohorts.StatusLate): 0,
		}}
	for i, p := range list {
		v := progressViewOf(p)
		out.Members[i] = v
		out.Counts[v.Status]++
		if p.Status == cohorts.StatusNotStarted {
			out.NotStarted = append(out.NotStarted, v)
		}
	}
	return out
}

type myAssignmentView struct {
	assignmentView
	Status      string     `json:"status"`
	Solved      int        `json:"solved"`
	Required    int        `json:"required"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

type myAssignmentList struct {
	Assignments []myAssignmentView `json:"assignments"`
}

func (h assignmentsAPI) mine(c *fiber.Ctx) error {
	list, err := h.cohorts.MyAssignments(c.UserContext(), cohortActor(c))
	if err != nil {
		return err
	}
	out := myAssignmentList{Assignments: make([]myAssignmentView, len(list))}
	for i, m := range list {
		out.Assignments[i] = myAssignmentView{assignmentView: assignmentViewOf(m.Assignment), Status: string(m.Progress.Status),
			Solved: m.Progress.Solved, Required: m.Progress.Required, CompletedAt: m.Progress.CompletedAt}
	}
	return c.JSON(out)
}
