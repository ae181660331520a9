package server

import (
	"io"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/server/auth"
)

// Scenarios written on the range, under the organisation they belong to:
// its instructors and org admins upload bundles as drafts, list and
// download versions, compare two, and share a scenario with the range.
// Who may read or change which scenario is the authoring service's
// decision; this file checks only that the person teaches or runs the
// organisation named in the address (cohorts.TeachingOrganisation).
type authoringAPI struct {
	authoring *authoring.Service
	cohorts   *cohorts.Service
	audit     audit.Recorder
}

func authoringRoutes(api fiber.Router, d Deps, uploads uploadRoutes) {
	h := authoringAPI{authoring: d.Authoring, cohorts: d.Cohorts, audit: d.Audit}
	staff := d.Tokens.Require(accounts.RoleInstructor) // and admins
	const base = "/organisations/:id/authored-scenarios"
	// A bundle may hold files up to the bundle limits, beyond the body
	// limit of every other route.
	uploads["/api/v1"+base] = true
	uploads["/api/v1"+base+"/drafts"] = true // the same files, as JSON
	api.Get(base, staff, h.list)
	api.Post(base, staff, h.upload)
	api.Get(base+"/:scenario/versions", staff, h.versions)
	api.Get(base+"/:scenario/versions/:digest/bundle", staff, h.bundle)
	api.Get(base+"/:scenario/diff", staff, h.diff)
	api.Put(base+"/:scenario/visibility", staff, h.visibility)
	// What the editor does (authoringeditor.go).
	api.Post(base+"/drafts", staff, h.saveDraft)
	api.Get(base+"/:scenario/versions/:digest/files", staff, h.files)
	api.Post(base+"/:scenario/versions/:digest/rehearsals", staff, h.rehearse)
	api.Get(base+"/:scenario/versions/:digest/rehearsal", staff, h.rehearsal)
	api.Post(base+"/:scenario/versions/:digest/publish", staff, h.publish)
	api.Post(base+"/:scenario/versions/:digest/unpublish", staff, h.unpublish)
}

// actor is the signed-in person acting for the organisation in the
// address, once it is known they teach or run it.
func (h authoringAPI) actor(c *fiber.Ctx) (authoring.Actor, error) {
	org := strings.Clone(c.Params("id"))
	if _, err := h.cohorts.TeachingOrganisation(c.UserContext(), cohortActor(c), org); err != nil {
		return authoring.Actor{}, err
	}
	_, err := h.cohorts.ManagedOrganisation(c.UserContext(), cohortActor(c), org)
	admin := err == nil // its org admins, and range admins
	return authoring.Actor{UserID: auth.PrincipalOf(c).UserID, OrganisationID: org, OrgAdmin: admin}, nil
}

type authoredScenarioView struct {
	ID         string    `json:"id"`
	ScenarioID string    `json:"scenario_id"`
	Visibility string    `json:"visibility"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	Authors    []string  `json:"authors"`
}

type scenarioVersionView struct {
	ScenarioID    string     `json:"authored_id"`
	Digest        string     `json:"digest"`
	Number        int        `json:"number,omitempty"`
	Draft         bool       `json:"draft"`
	Live          bool       `json:"live"` // published and not withdrawn
	Size          int64      `json:"size"`
	UploadedBy    string     `json:"uploaded_by"`
	CreatedAt     time.Time  `json:"created_at"`
	PublishedAt   *time.Time `json:"published_at,omitempty"`
	UnpublishedAt *time.Time `json:"unpublished_at,omitempty"`
	// LabScenario is the id a lab of this version is launched by
	// (POST /api/v1/labs), and its records name.
	LabScenario string `json:"lab_scenario"`
}

func versionView(v authoring.Version) scenarioVersionView {
	return scenarioVersionView{ScenarioID: v.AuthoredID, Digest: v.Digest, Number: v.Number, Draft: v.Draft(), Live: v.Live(), Size: v.Size,
		UploadedBy: v.UploadedBy, CreatedAt: v.CreatedAt, PublishedAt: v.PublishedAt, UnpublishedAt: v.UnpublishedAt,
		LabScenario: labs.AuthoredID(v.Name, v.Digest)}
}

func (h authoringAPI) list(c *fiber.Ctx) error {
	a, err := h.actor(c)
	if err != nil {
		return err
	}
	list, err := h.authoring.Scenarios(c.UserContext(), a)
	if err != nil {
		return err
	}
	out := make([]authoredScenarioView, len(list))
	for i, s := range list {
		out[i] = authoredScenarioView{ID: s.ID, ScenarioID: s.ScenarioID, Visibility: string(s.Visibility),
			CreatedBy: s.CreatedBy, CreatedAt: s.CreatedAt, Authors: s.Authors}
	}
	return c.JSON(fiber.Map{"scenarios": out})
}

var mimeBundle = []string{"application/gzip", "application/x-gzip", "application/octet-stream"}

var errBundleContentType = fault.New(fault.Invalid, "bundle_content_type_invalid",
	"Send the scenario bundle (.tar.gz) itself as the request body, as application/gzip.")

func (h authoringAPI) upload(c *fiber.Ctx) error {
	a, err := h.actor(c)
	if err != nil {
		return err
	}
	if mt := mediaType(c); mt != mimeBundle[0] && mt != mimeBundle[1] && mt != mimeBundle[2] {
		return errBundleContentType
	}
	most := h.authoring.MaxUpload()
	data, err := io.ReadAll(io.LimitReader(uploadStream(c), most+1))
	if err != nil {
		return errBodyUnreadable(err)
	}
	if int64(len(data)) > most {
		return fiber.ErrRequestEntityTooLarge
	}
	v, err := h.authoring.Upload(c.UserContext(), a, data)
	return h.kept(c, v, err)
}

// kept answers a bundle kept as a draft, by upload or from the editor,
// once it is in the audit log.
func (h authoringAPI) kept(c *fiber.Ctx, v authoring.Version, err error) error {
	if err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.ScenarioUpload, TargetKind: "authored_scenario", TargetID: v.AuthoredID,
		Detail: map[string]string{"digest": v.Digest}}); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(versionView(v))
}

func (h authoringAPI) versions(c *fiber.Ctx) error {
	a, err := h.actor(c)
	if err != nil {
		return err
	}
	list, err := h.authoring.Versions(c.UserContext(), a, c.Params("scenario"))
	if err != nil {
		return err
	}
	out := make([]scenarioVersionView, len(list))
	for i, v := range list {
		out[i] = versionView(v)
	}
	return c.JSON(fiber.Map{"versions": out})
}

func (h authoringAPI) bundle(c *fiber.Ctx) error {
	a, err := h.actor(c)
	if err != nil {
		return err
	}
	data, err := h.authoring.Bundle(c.UserContext(), a, c.Params("scenario"), c.Params("digest"))
	if err != nil {
		return err
	}
	// The digest names these bytes for ever: a published version never
	// changes, and a draft of other bytes has another digest.
	c.Set(fiber.HeaderContentType, "application/gzip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+c.Params("digest")[:12]+`.tar.gz"`)
	c.Set(fiber.HeaderETag, `"`+c.Params("digest")+`"`)
	c.Set(fiber.HeaderCacheControl, "private, max-age=31536000, immutable")
	return c.Send(data)
}

type fileDiffView struct {
	Path    string `json:"path"`
	Change  string `json:"change"`
	Unified string `json:"unified,omitempty"`
}

var errDiffVersions = fault.New(fault.Invalid, "diff_versions_missing", "Name the two versions to compare, as from and to (their digests).")

func (h authoringAPI) diff(c *fiber.Ctx) error {
	a, err := h.actor(c)
	if err != nil {
		return err
	}
	from, to := c.Query("from"), c.Query("to")
	if from == "" || to == "" {
		return errDiffVersions
	}
	diffs, err := h.authoring.Diff(c.UserContext(), a, c.Params("scenario"), from, to)
	if err != nil {
		return err
	}
	out := make([]fileDiffView, len(diffs))
	for i, d := range diffs {
		out[i] = fileDiffView{Path: d.Path, Change: d.Change, Unified: d.Unified}
	}
	return c.JSON(fiber.Map{"files": out})
}

type visibilityRequest struct {
	Visibility string `json:"visibility"`
}

func (h authoringAPI) visibility(c *fiber.Ctx) error {
	a, err := h.actor(c)
	if err != nil {
		return err
	}
	var req visibilityRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id := strings.Clone(c.Params("scenario"))
	if err := h.authoring.SetVisibility(c.UserContext(), a, id, authoring.Visibility(req.Visibility)); err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.ScenarioVisibility, TargetKind: "authored_scenario", TargetID: id,
		Detail: map[string]string{"visibility": req.Visibility}}); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
