package server

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/partners"
	"github.com/sakimori/sakimori/progress"
)

// partnersAPI serves the partner API: an organisation's cohorts, rosters,
// assignments, progress and records, to its partner tokens. Which token
// may read what is the partners service's to decide.
type partnersAPI struct {
	partners *partners.Service
	labs     *labs.Service // the catalogue, for progress; nil without labs
	log      *slog.Logger
}

func (h partnersAPI) cohorts(c *fiber.Ctx) error {
	list, err := h.partners.Cohorts(c.UserContext(), partnerTokenOf(c))
	if err != nil {
		return err
	}
	out := cohortList{Cohorts: make([]cohortView, len(list))}
	for i, co := range list {
		out.Cohorts[i] = cohortViewOf(co)
	}
	return sendTagged(c, out)
}

func (h partnersAPI) cohort(c *fiber.Ctx) error {
	co, err := h.partners.Cohort(c.UserContext(), partnerTokenOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return sendTagged(c, cohortViewOf(co))
}

type partnerMemberList struct {
	Members []cohortMemberView `json:"members"`
}

func (h partnersAPI) members(c *fiber.Ctx) error {
	list, err := h.partners.Members(c.UserContext(), partnerTokenOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	out := partnerMemberList{Members: make([]cohortMemberView, len(list))}
	for i, m := range list {
		out.Members[i] = cohortMemberViewOf(m)
	}
	return sendTagged(c, out)
}

type partnerMemberRequest struct {
	Email string `json:"email"`
}

func (h partnersAPI) addMember(c *fiber.Ctx) error {
	var req partnerMemberRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := h.partners.AddMember(c.UserContext(), partnerTokenOf(c), c.Params("id"), req.Email)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cohortMemberViewOf(m))
}

func (h partnersAPI) removeMember(c *fiber.Ctx) error {
	if err := h.partners.RemoveMember(c.UserContext(), partnerTokenOf(c), c.Params("id"), c.Params("user")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type partnerAssignmentList struct {
	Assignments []assignmentView `json:"assignments"`
}

func (h partnersAPI) assignments(c *fiber.Ctx) error {
	list, err := h.partners.Assignments(c.UserContext(), partnerTokenOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	out := partnerAssignmentList{Assignments: make([]assignmentView, len(list))}
	for i, a := range list {
		out.Assignments[i] = assignmentViewOf(a)
	}
	return sendTagged(c, out)
}

func (h partnersAPI) assignmentStatus(c *fiber.Ctx) error {
	a, list, err := h.partners.AssignmentStatus(c.UserContext(), partnerTokenOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return sendTagged(c, assignmentStatusOf(a, list))
}

type cohortSummaryView struct {
	Cohort cohortView `json:"cohort"`
	partners.CohortTotals
}

func (h partnersAPI) summary(c *fiber.Ctx) error {
	s, err := h.partners.CohortSummary(c.UserContext(), partnerTokenOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return sendTagged(c, cohortSummaryView{Cohort: cohortViewOf(s.Cohort), CohortTotals: s.CohortTotals})
}

type traineeProgressView struct {
	TraineeID string `json:"trainee_id"`
	progress.Summary
}

// progress is the trainee's progress from their work in the
// organisation's cohorts only.
func (h partnersAPI) progress(c *fiber.Ctx) error {
	id := c.Params("id")
	list, err := h.partners.TraineeRecords(c.UserContext(), partnerTokenOf(c), id)
	if err != nil {
		return err
	}
	records := make([]progress.Record, len(list))
	for i, r := range list {
		records[i] = progress.Record{Scenario: r.ScenarioID, Objective: r.ObjectiveID, Solved: r.Kind == "submission" && r.Correct, Points: r.Points, At: r.At}
	}
	catalogue := countedForProgress(h.labs, "en", records) // a partner's records keep the manifests' English
	return sendTagged(c, traineeProgressView{TraineeID: strings.Clone(id), Summary: progress.Summarise(catalogue, records)})
}

func (h partnersAPI) feed(c *fiber.Ctx) error {
	limit, err := partners.ParseLimit(c.Query("limit"))
	if err != nil {
		return err
	}
	page, err := h.partners.Feed(c.UserContext(), partnerTokenOf(c), c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	return sendTagged(c, page)
}

// export streams one cohort's roster, progress or records as CSV or JSON.
// The checks are made before the first byte; what fails while streaming
// is logged, and the client sees a cut-off file.
func (h partnersAPI) export(c *fiber.Ctx) error {
	format := partners.ExportFormat(strings.Clone(c.Query("format", "csv")))
	// The export is written after this handler returns, when Fiber has
	// reused the request's memory: what it keeps must be copied.
	cohortID, kind := strings.Clone(c.Params("id")), partners.ExportKind(strings.Clone(c.Params("kind")))
	ex, err := h.partners.Export(c.UserContext(), partnerTokenOf(c), cohortID, kind, format)
	if err != nil {
		return err
	}
	return streamDownload(c, ex.FileName(), ex.ContentType(), h.log, ex.WriteTo)
}

// streamDownload sends a download written by write as it is written.
// write runs after the handler returns, so it gets a context of its own.
func streamDownload(c *fiber.Ctx, name, contentType string, log *slog.Logger, write func(context.Context, io.Writer) error) error {
	return streamDownloadWithin(c, name, contentType, 10*time.Minute, 0, log, write)
}

// streamDownloadWithin is streamDownload with its own bound on how long
// the writing may take. With a positive writeTimeout, each write moves the
// connection's deadline on by it, so a download that takes longer than
// the server's write timeout is not cut while its reader keeps reading.
func streamDownloadWithin(c *fiber.Ctx, name, contentType string, limit, writeTimeout time.Duration, log *slog.Logger, write func(context.Context, io.Writer) error) error {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	rid := requestIDOf(c)
	deadline := newStreamDeadline(c, writeTimeout, 0)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		var out io.Writer = w
		if writeTimeout > 0 {
			out = deadlineWriter{w: w, deadline: deadline}
		}
		if err := write(ctx, out); err != nil && log != nil {
			log.Error("download cut short", "request_id", rid, "file", name, "err", err)
		}
		_ = w.Flush()
	})
	return nil
}
