package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/competency"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/partners"
)

// partnerTranscriptsAPI serves transcripts to partner tokens: a trainee's
// from their work in the organisation's cohorts only (read:progress), and
// a cohort's competencies, layer and archive (read:roster, read:progress
// and read:records, since they hold all three).
type partnerTranscriptsAPI struct {
	frameworks   *competency.Importer
	partners     *partners.Service
	labs         *labs.Service
	accounts     *accounts.Service
	writeTimeout time.Duration // each write of an archive is bounded by it
	log          *slog.Logger
	now          func() time.Time
}

func (h partnerTranscriptsAPI) transcriptOf(c *fiber.Ctx) (competency.Transcript, error) {
	id := strings.Clone(c.Params("id"))
	list, err := h.partners.TraineeRecords(c.UserContext(), partnerTokenOf(c), id)
	if err != nil {
		return competency.Transcript{}, err
	}
	var solves []competency.Record
	for _, r := range list {
		if r.Kind == "submission" && r.Correct {
			solves = append(solves, competency.Record{ID: r.ID, Scenario: r.ScenarioID, Objective: r.ObjectiveID, Lab: r.LabID, At: r.At})
		}
	}
	trainee := competency.Trainee{ID: id}
	if u, err := h.accounts.User(c.UserContext(), id); err == nil {
		trainee.Name = u.DisplayName
	} else if !errors.Is(err, accounts.ErrUserNotFound) {
		return competency.Transcript{}, err
	}
	ix, err := competencyIndex(c.UserContext(), h.labs, h.frameworks)
	if err != nil {
		return competency.Transcript{}, err
	}
	return ix.Transcript(trainee, solves, h.now().UTC()), nil
}

func (h partnerTranscriptsAPI) trainee(c *fiber.Ctx) error {
	t, err := h.transcriptOf(c)
	if err != nil {
		return err
	}
	// Dated by its latest evidence, the same evidence keeps the same ETag.
	t.Issued = time.Time{}
	for _, it := range t.Techniques {
		for _, e := range it.Evidence {
			if e.At.After(t.Issued) {
				t.Issued = e.At
			}
		}
	}
	return sendTagged(c, t)
}

func (h partnerTranscriptsAPI) traineePDF(c *fiber.Ctx) error {
	t, err := h.transcriptOf(c)
	if err != nil {
		return err
	}
	return sendTranscriptPDF(c, t, c.Query("lang"))
}

func (h partnerTranscriptsAPI) work(c *fiber.Ctx) (cohortWork, error) {
	id, token := strings.Clone(c.Params("id")), partnerTokenOf(c)
	co, members, err := h.partners.CohortMembers(c.UserContext(), token, id)
	if err != nil {
		return cohortWork{}, err
	}
	records := func(ctx context.Context, fn func(partners.Record) error) error {
		return h.partners.EachCohortRecord(ctx, token, id, fn)
	}
	solves := func(ctx context.Context, fn func(partners.Record) error) error {
		return h.partners.EachCohortSolve(ctx, token, id, fn)
	}
	return cohortWork{cohort: co, members: members, records: records, solves: solves}, nil
}

func (h partnerTranscriptsAPI) cohort(c *fiber.Ctx) error {
	w, err := h.work(c)
	if err != nil {
		return err
	}
	ix, err := competencyIndex(c.UserContext(), h.labs, h.frameworks)
	if err != nil {
		return err
	}
	v, err := w.view(c.UserContext(), ix)
	if err != nil {
		return err
	}
	return sendTagged(c, cohortCompetenciesView{CohortID: w.cohort.ID, CohortView: v})
}

func (h partnerTranscriptsAPI) layer(c *fiber.Ctx) error {
	w, err := h.work(c)
	if err != nil {
		return err
	}
	ix, err := competencyIndex(c.UserContext(), h.labs, h.frameworks)
	if err != nil {
		return err
	}
	v, err := w.view(c.UserContext(), ix)
	if err != nil {
		return err
	}
	return sendTagged(c, ix.Frameworks().CohortLayer(w.cohort.Name, v))
}

func (h partnerTranscriptsAPI) archive(c *fiber.Ctx) error {
	words, err := transcriptWords(c.Query("lang"))
	if err != nil {
		return err
	}
	w, err := h.work(c)
	if err != nil {
		return err
	}
	ix, err := competencyIndex(c.UserContext(), h.labs, h.frameworks)
	if err != nil {
		return err
	}
	catalogue, issued := countedForProgress(h.labs, c.Query("lang"), nil), h.now().UTC()
	return streamDownloadWithin(c, "cohort-"+w.cohort.ID+".zip", "application/zip", archiveTime, h.writeTimeout, h.log, func(ctx context.Context, out io.Writer) error {
		return w.writeArchive(ctx, out, ix, catalogue, words, issued)
	})
}
