package server

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/competency"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/partners"
	"github.com/sakimori/sakimori/server/auth"
)

// cohortTranscriptsAPI serves a cohort's competencies to those who manage
// it: the work role × trainee matrix, the ATT&CK heat map and the gaps, the
// heat map as a Navigator layer, and the whole cohort as a ZIP. A cohort's
// evidence is the work its trainees did while members.
type cohortTranscriptsAPI struct {
	frameworks   *competency.Importer
	cohorts      *cohorts.Service
	partners     *partners.Service // streams a cohort's records
	labs         *labs.Service
	accounts     *accounts.Service
	audit        audit.Recorder // a cohort's archive downloaded is recorded
	writeTimeout time.Duration  // each write of an archive is bounded by it
	log          *slog.Logger
	now          func() time.Time
}

type cohortCompetenciesView struct {
	CohortID string `json:"cohort_id"`
	competency.CohortView
}

func (h cohortTranscriptsAPI) work(c *fiber.Ctx) (cohortWork, error) {
	id := strings.Clone(c.Params("id"))
	members, _, err := h.cohorts.Members(c.UserContext(), cohortActor(c), id) // managers only
	if err != nil {
		return cohortWork{}, err
	}
	v, err := h.cohorts.Cohort(c.UserContext(), cohortActor(c), id)
	if err != nil {
		return cohortWork{}, err
	}
	records := func(ctx context.Context, fn func(partners.Record) error) error {
		return h.partners.EachRecordOfCohort(ctx, id, fn)
	}
	solves := func(ctx context.Context, fn func(partners.Record) error) error {
		return h.partners.EachSolveOfCohort(ctx, id, fn)
	}
	return cohortWork{cohort: v.Cohort, members: members, records: records, solves: solves}, nil
}

func (h cohortTranscriptsAPI) view(c *fiber.Ctx) error {
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
	return c.JSON(cohortCompetenciesView{CohortID: w.cohort.ID, CohortView: v})
}

func (h cohortTranscriptsAPI) layer(c *fiber.Ctx) error {
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
	return sendLayer(c, ix.Frameworks().CohortLayer(w.cohort.Name, v), "attack-layer-"+w.cohort.ID+".json")
}

// archive streams the cohort as a ZIP; see cohortWork.writeArchive.
func (h cohortTranscriptsAPI) archive(c *fiber.Ctx) error {
	lang := c.Query("lang")
	if lang == "" {
		if u, err := h.accounts.User(c.UserContext(), auth.PrincipalOf(c).UserID); err == nil {
			lang = u.Preferences.Language
		}
	}
	words, err := transcriptWords(lang)
	if err != nil {
		return err
	}
	w, err := h.work(c)
	if err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.CohortExport, TargetKind: "cohort", TargetID: w.cohort.ID}); err != nil {
		return err
	}
	ix, err := competencyIndex(c.UserContext(), h.labs, h.frameworks)
	if err != nil {
		return err
	}
	catalogue, issued := countedForProgress(h.labs, lang, nil), h.now().UTC() // titles in the archive's language
	return streamDownloadWithin(c, "cohort-"+w.cohort.ID+".zip", "application/zip", archiveTime, h.writeTimeout, h.log, func(ctx context.Context, out io.Writer) error {
		return w.writeArchive(ctx, out, ix, catalogue, words, issued)
	})
}
