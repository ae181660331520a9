package server

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/competency"
	"github.com/sakimori/sakimori/competency/pdf"
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/server/auth"
)

// transcriptsAPI serves competency transcripts: a trainee's own, and any
// trainee's to the staff who teach them, as JSON, as a PDF and as an
// ATT&CK Navigator layer. The evidence is the trainee's scoring records.
type transcriptsAPI struct {
	labs       *labs.Service
	scoring    *scoring.Service
	accounts   *accounts.Service
	audit      audit.Recorder // staff reading a trainee's transcript is recorded
	frameworks *competency.Importer
	log        *slog.Logger
	now        func() time.Time
}

var errTranscriptLanguage = fault.InvalidField("lang", "transcript_language_unsupported", "A transcript prints in en or ja.")

// competencyIndex maps the objectives of the built-in scenarios, and of the
// authored versions named (a person's records name them), to the framework
// items they evidence, read afresh so a reloaded catalogue counts at once.
// Views of a whole cohort name none: another organisation's private
// versions never enter them, and neither do their own yet.
// The frameworks are the bundled ones with any an admin has imported.
func competencyIndex(ctx context.Context, l *labs.Service, im *competency.Importer, named ...string) (*competency.Index, error) {
	f, err := loadedFrameworks(ctx, im)
	if err != nil {
		return nil, err
	}
	var scenarios []*labs.Scenario
	if l != nil {
		scenarios = l.Counted(named)
	}
	return competency.NewIndex(f, mappedCatalogue(scenarios)), nil
}

// scenarioIDs are the scenarios a person's records name.
func scenarioIDs(events []scoring.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ScenarioID
	}
	return out
}

// solvesOf keeps the records that evidence something: correct answers.
func solvesOf(events []scoring.Event) []competency.Record {
	var out []competency.Record
	for _, e := range events {
		if e.Solves() {
			out = append(out, competency.Record{ID: e.ID, Scenario: e.ScenarioID, Objective: e.ObjectiveID, Lab: e.InstanceID, At: e.At})
		}
	}
	return out
}

func (h transcriptsAPI) transcriptOf(ctx context.Context, traineeID string) (competency.Transcript, error) {
	u, err := h.accounts.User(ctx, traineeID)
	if errors.Is(err, accounts.ErrUserNotFound) {
		return competency.Transcript{}, errTraineeNotFound
	}
	if err != nil {
		return competency.Transcript{}, err
	}
	events, err := h.scoring.Progress(ctx, u.ID)
	if err != nil {
		return competency.Transcript{}, err
	}
	ix, err := competencyIndex(ctx, h.labs, h.frameworks, scenarioIDs(events)...)
	if err != nil {
		return competency.Transcript{}, err
	}
	return ix.Transcript(competency.Trainee{ID: u.ID, Name: u.DisplayName}, solvesOf(events), h.now().UTC()), nil
}

// staffTranscript is a trainee's transcript for staff who teach them;
// anyone else's trainee is not found. Reading it is recorded, as reading
// the trainee's records is.
func (h transcriptsAPI) staffTranscript(c *fiber.Ctx, view string) (competency.Transcript, error) {
	id := strings.Clone(c.Params("id"))
	ok, err := supervises(c, id)
	if err != nil {
		return competency.Transcript{}, err
	}
	if !ok {
		return competency.Transcript{}, errTraineeNotFound
	}
	t, err := h.transcriptOf(c.UserContext(), id)
	if err != nil {
		return competency.Transcript{}, err
	}
	entry := audit.Entry{Action: audit.TraineeRecordView, TargetKind: "user", TargetID: id, Detail: map[string]string{"view": view}}
	return t, recordAction(c, h.audit, entry)
}

func (h transcriptsAPI) mine(c *fiber.Ctx) error {
	t, err := h.transcriptOf(c.UserContext(), auth.PrincipalOf(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (h transcriptsAPI) minePDF(c *fiber.Ctx) error {
	t, err := h.transcriptOf(c.UserContext(), auth.PrincipalOf(c).UserID)
	if err != nil {
		return err
	}
	return h.sendPDF(c, t)
}

func (h transcriptsAPI) mineLayer(c *fiber.Ctx) error {
	t, err := h.transcriptOf(c.UserContext(), auth.PrincipalOf(c).UserID)
	if err != nil {
		return err
	}
	f, err := loadedFrameworks(c.UserContext(), h.frameworks)
	if err != nil {
		return err
	}
	return sendLayer(c, f.TraineeLayer(t), "attack-layer-"+t.Trainee.ID+".json")
}

func (h transcriptsAPI) trainee(c *fiber.Ctx) error {
	t, err := h.staffTranscript(c, "transcript")
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (h transcriptsAPI) traineePDF(c *fiber.Ctx) error {
	t, err := h.staffTranscript(c, "transcript_pdf")
	if err != nil {
		return err
	}
	return h.sendPDF(c, t)
}

func (h transcriptsAPI) traineeLayer(c *fiber.Ctx) error {
	t, err := h.staffTranscript(c, "attack_layer")
	if err != nil {
		return err
	}
	f, err := loadedFrameworks(c.UserContext(), h.frameworks)
	if err != nil {
		return err
	}
	return sendLayer(c, f.TraineeLayer(t), "attack-layer-"+t.Trainee.ID+".json")
}

// sendPDF prints the transcript in the language asked for (lang), else
// the reader's own, else English.
func (h transcriptsAPI) sendPDF(c *fiber.Ctx, t competency.Transcript) error {
	lang := c.Query("lang")
	if lang == "" {
		if u, err := h.accounts.User(c.UserContext(), auth.PrincipalOf(c).UserID); err == nil {
			lang = u.Preferences.Language
		}
	}
	return sendTranscriptPDF(c, t, lang)
}

func sendTranscriptPDF(c *fiber.Ctx, t competency.Transcript, lang string) error {
	words, err := transcriptWords(lang)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.Write(&buf, t, words); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="transcript-`+t.Trainee.ID+`.pdf"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// transcriptWords are the printed words for a language the range is
// written in; none asked for is English.
func transcriptWords(lang string) (pdf.Words, error) {
	switch lang {
	case "", "en":
		return pdf.English, nil
	case "ja":
		return pdf.Japanese, nil
	}
	return pdf.Words{}, errTranscriptLanguage
}

func sendLayer(c *fiber.Ctx, l competency.Layer, name string) error {
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(l)
}
