package server

import (
	"context"
	"io"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/competency"
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/server/auth"
)

// frameworksAPI lets range admins import the competency catalogues the
// range does not bundle (JNSA's SecBoK skill map) or bundles only a subset
// of (ATT&CK Enterprise), and see what is loaded.
type frameworksAPI struct {
	importer *competency.Importer
	labs     *labs.Service
	audit    audit.Recorder
}

func frameworkRoutes(api fiber.Router, d Deps, uploads uploadRoutes) {
	a := frameworksAPI{importer: d.Frameworks, labs: d.Labs, audit: d.Audit}
	admin := d.Tokens.Require(accounts.RoleAdmin)
	api.Get("/admin/frameworks", admin, a.list)
	// A workbook or a full STIX bundle is far beyond the body limit of
	// every other route: these two are bounded by the import limit.
	uploads["/api/v1/admin/frameworks/secbok"] = true
	uploads["/api/v1/admin/frameworks/attack"] = true
	api.Post("/admin/frameworks/secbok", admin, a.secbok)
	api.Post("/admin/frameworks/attack", admin, a.attack)
}

const mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

var (
	errFrameworkContentType = func(want string) error {
		return fault.New(fault.Invalid, "framework_content_type_invalid", "Send the file itself as the request body, as "+want+".")
	}
	errFrameworkVersion = fault.InvalidField("version", "framework_version_invalid", "A version is at most 40 characters, with no control characters.")
)

type frameworksView struct {
	Loaded []competency.Imported `json:"loaded"`
	// What the bundle carries, shown beside what is imported.
	Bundled []competency.Source `json:"bundled"`
}

type frameworkImportView struct {
	Imported competency.Imported `json:"imported"`
	Warnings []problemView       `json:"warnings"`
}

type problemView struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (a frameworksAPI) list(c *fiber.Ctx) error {
	loaded, err := a.importer.Store.Imports(c.UserContext())
	if err != nil {
		return err
	}
	if loaded == nil {
		loaded = []competency.Imported{}
	}
	return c.JSON(frameworksView{Loaded: loaded, Bundled: competency.Bundled().Sources()})
}

func mediaType(c *fiber.Ctx) string {
	mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	return mt
}

func (a frameworksAPI) secbok(c *fiber.Ctx) error {
	if mediaType(c) != mimeXLSX {
		return errFrameworkContentType(mimeXLSX)
	}
	version := strings.TrimSpace(c.Query("version"))
	if utf8.RuneCountInString(version) > 40 || strings.ContainsFunc(version, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return errFrameworkVersion
	}
	// One byte past the limit is enough for the importer to refuse it.
	body, err := io.ReadAll(io.LimitReader(uploadStream(c), a.importer.Limits.MaxBytes+1))
	if err != nil {
		return errBodyUnreadable(err)
	}
	var builtIn []*labs.Scenario
	if a.labs != nil {
		builtIn = a.labs.Catalogue().All()
	}
	catalogue := mappedCatalogue(builtIn)
	meta, warnings, err := a.importer.ImportSecBoK(c.UserContext(), body, version, auth.PrincipalOf(c).UserID, catalogue)
	if err != nil {
		return err
	}
	if err := a.record(c, meta); err != nil {
		return err
	}
	out := frameworkImportView{Imported: meta, Warnings: []problemView{}}
	for _, w := range warnings {
		out.Warnings = append(out.Warnings, problemView{Path: w.Path, Message: w.Message})
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (a frameworksAPI) attack(c *fiber.Ctx) error {
	if mediaType(c) != fiber.MIMEApplicationJSON {
		return errFrameworkContentType(fiber.MIMEApplicationJSON)
	}
	// The decoder walks the stream object by object, counting what it
	// reads against the import limit, so the bundle is never held whole.
	meta, err := a.importer.ImportAttack(c.UserContext(), uploadStream(c), auth.PrincipalOf(c).UserID)
	if err != nil {
		return err
	}
	if err := a.record(c, meta); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(frameworkImportView{Imported: meta, Warnings: []problemView{}})
}

func (a frameworksAPI) record(c *fiber.Ctx, meta competency.Imported) error {
	return recordAction(c, a.audit, audit.Entry{Action: audit.FrameworkImport, TargetKind: "framework", TargetID: meta.Kind,
		Detail: map[string]string{"version": meta.Version, "count": strconv.Itoa(meta.Count)}})
}

// mappedCatalogue is what each of scenarios maps to the competency
// frameworks.
func mappedCatalogue(scenarios []*labs.Scenario) []competency.Scenario {
	var mapped []competency.Scenario
	for _, s := range scenarios {
		mapped = append(mapped, labs.CompetencyMapping(s))
	}
	return mapped
}

// loadedFrameworks are the bundled catalogues with the imported ones in
// place; with no importer configured, the bundled ones alone.
func loadedFrameworks(ctx context.Context, im *competency.Importer) (*competency.Frameworks, error) {
	if im == nil {
		return competency.Bundled(), nil
	}
	return im.Frameworks(ctx)
}
