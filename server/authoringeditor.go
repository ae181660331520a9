package server

import (
	"context"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/fault"
)

// What the scenario editor does beyond uploading bundles: it saves the
// folder's files as a draft, opens a version's files, rehearses a version
// on the engine and follows the rehearsal's log, and publishes or
// withdraws a version.

type draftRequest struct {
	Files   map[string]string `json:"files"`   // text files, by path in the scenario folder
	Encoded map[string][]byte `json:"encoded"` // the rest, base64 in JSON, by path under files/
}

var errDraftEmpty = fault.InvalidField("files", "draft_files_required", "Send the scenario folder's files, scenario.yaml at least.")

// readFolder reads a scenario folder's files sent as JSON (an upload
// route's body, read here up to most bytes): text files as they are, the
// rest from base64.
func readFolder(c *fiber.Ctx, most int64) (map[string][]byte, error) {
	data, err := io.ReadAll(io.LimitReader(uploadStream(c), most+1))
	if err != nil {
		return nil, errBodyUnreadable(err)
	}
	if int64(len(data)) > most {
		return nil, fiber.ErrRequestEntityTooLarge
	}
	c.Request().SetBody(data)
	var req draftRequest
	if err := decodeJSON(c, &req); err != nil {
		return nil, err
	}
	if len(req.Files) == 0 {
		return nil, errDraftEmpty
	}
	files := make(map[string][]byte, len(req.Files)+len(req.Encoded))
	for p, text := range req.Files {
		files[p] = []byte(text)
	}
	for p, data := range req.Encoded {
		if _, twice := files[p]; twice {
			return nil, errDraftFileTwice(p)
		}
		files[p] = data
	}
	return files, nil
}

func errDraftFileTwice(p string) error {
	return fault.InvalidField("encoded."+p, "draft_file_twice", "This file is sent both as text and encoded; send it once.")
}

func (h authoringAPI) saveDraft(c *fiber.Ctx) error {
	a, err := h.actor(c)
	if err != nil {
		return err
	}
	files, err := readFolder(c, h.authoring.MaxFolderJSON())
	if err != nil {
		return err
	}
	v, err := h.authoring.SaveDraft(c.UserContext(), a, files)
	return h.kept(c, v, err)
}

// fileView is one file of a version: its text, or its bytes when it is
// not text (the editor shows text files; it keeps the others to save them
// again with the folder).
type fileView struct {
	Path   string `json:"path"`
	Text   string `json:"text,omitempty"`
	Binary bool   `json:"binary,omitempty"`
	Data   []byte `json:"data,omitempty"`
	Size   int    `json:"size"`
}

func (h authoringAPI) files(c *fiber.Ctx) error {
	a, err := h.actor(c)
	if err != nil {
		return err
	}
	files, err := h.authoring.Files(c.UserContext(), a, c.Params("scenario"), c.Params("digest"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"files": fileViews(files)})
}

// fileViews is a scenario folder's files as the editor opens them,
// scenario.yaml first.
func fileViews(files map[string][]byte) []fileView {
	out := make([]fileView, 0, len(files))
	for p, data := range files {
		f := fileView{Path: p, Size: len(data)}
		if utf8.Valid(data) {
			f.Text = string(data)
		} else {
			f.Binary, f.Data = true, data
		}
		out = append(out, f)
	}
	sortFiles(out)
	return out
}

// sortFiles puts scenario.yaml first, as the editor opens it, then the
// rest by path.
func sortFiles(fs []fileView) {
	sort.Slice(fs, func(i, j int) bool {
		if (fs[i].Path == "scenario.yaml") != (fs[j].Path == "scenario.yaml") {
			return fs[i].Path == "scenario.yaml"
		}
		return fs[i].Path < fs[j].Path
	})
}

type rehearsalView struct {
	ID         string     `json:"id"`
	Digest     string     `json:"digest"`
	State      string     `json:"state"` // running, passed, failed, interrupted
	StartedBy  string     `json:"started_by"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Log        string     `json:"log"`
}

func viewOfRehearsal(r authoring.Rehearsal, state authoring.RehearsalState) rehearsalView {
	return rehearsalView{ID: r.ID, Digest: r.Digest, State: string(state), StartedBy: r.StartedBy,
		StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Log: r.Log}
}

func (h authoringAPI) rehearse(c *fiber.Ctx) error {
	a, err := h.actor(c)
	if err != nil {
		return err
	}
	id, digest := strings.Clone(c.Params("scenario")), strings.Clone(c.Params("digest"))
	r, err := h.authoring.Rehearse(c.UserContext(), a, id, digest)
	if err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.ScenarioRehearse, TargetKind: "authored_scenario", TargetID: id,
		Detail: map[string]string{"digest": digest, "rehearsal": r.ID}}); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(viewOfRehearsal(r, authoring.Running))
}

// rehearsal is the version's newest rehearsal. While it runs, the editor
// asks again each second and shows the log from the byte it had (from=N):
// the log streams to the page without a connection held open for minutes.
func (h authoringAPI) rehearsal(c *fiber.Ctx) error {
	a, err := h.actor(c)
	if err != nil {
		return err
	}
	r, state, err := h.authoring.Rehearsal(c.UserContext(), a, c.Params("scenario"), c.Params("digest"))
	if err != nil {
		return err
	}
	v := viewOfRehearsal(r, state)
	if from := c.QueryInt("from", 0); from > 0 && from <= len(v.Log) {
		v.Log = v.Log[from:]
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(v)
}

func (h authoringAPI) publish(c *fiber.Ctx) error {
	return h.release(c, audit.ScenarioPublish, h.authoring.Publish)
}

func (h authoringAPI) unpublish(c *fiber.Ctx) error {
	return h.release(c, audit.ScenarioUnpublish, h.authoring.Unpublish)
}

// release publishes or withdraws one version and records who did.
func (h authoringAPI) release(c *fiber.Ctx, action audit.Action,
	do func(ctx context.Context, a authoring.Actor, id, digest string) (authoring.Version, error)) error {
	a, err := h.actor(c)
	if err != nil {
		return err
	}
	id, digest := strings.Clone(c.Params("scenario")), strings.Clone(c.Params("digest"))
	v, err := do(c.UserContext(), a, id, digest)
	if err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: action, TargetKind: "authored_scenario", TargetID: id,
		Detail: map[string]string{"digest": digest, "number": strconv.Itoa(v.Number)}}); err != nil {
		return err
	}
	return c.JSON(versionView(v))
}
