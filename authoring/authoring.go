// Package authoring keeps scenarios written on the range: each belongs to
// an organisation, is edited by its authors and is private to them or
// shared with the whole range. A scenario's versions are bundles
// (labs/bundle) named by the sha256 of their bytes. An upload is a draft;
// publishing gives a draft the next version number, and a published
// version never changes. A version is launched as a lab by its digest
// (labs.AuthoredID): its authors launch drafts to preview them, and a
// published version is launched by the organisation's people, or by
// anyone on the range once the scenario is shared. Publishing needs a
// green rehearsal of that exact version; unpublishing stops new launches
// and leaves running labs alone.
//
// The package knows nothing of HTTP or SQL: it declares Store, which the
// store package implements. Its errors carry the codes the API answers
// with.
package authoring

import (
	"context"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// Visibility says who may read a scenario's published versions besides
// its authors.
type Visibility string

const (
	Private Visibility = "private" // its authors only
	Shared  Visibility = "range"   // anyone signed in to the range
)

// Actor is the person acting, in the organisation they act for.
type Actor struct {
	UserID         string
	OrganisationID string
	// OrgAdmin is set for someone who runs the organisation: they edit
	// every scenario of it, as its authors do.
	OrgAdmin bool
}

// Scenario is an authored scenario: the manifest id it carries, within one
// organisation, and who may change it.
type Scenario struct {
	ID             string // the record's own id
	OrganisationID string
	ScenarioID     string // the manifest's id, unique within the organisation
	Visibility     Visibility
	CreatedBy      string
	CreatedAt      time.Time
	Authors        []string // user ids
}

// Version is one bundle of a scenario. Number is 0 for a draft and the
// version's number, from 1, once published.
type Version struct {
	AuthoredID  string
	Name        string // the scenario's manifest id
	Digest      string // hex sha256 of the bundle
	Number      int
	Size        int64
	UploadedBy  string
	CreatedAt   time.Time
	PublishedAt *time.Time
	// UnpublishedAt is when its authors withdrew a published version:
	// it keeps its number and bytes, and no new lab starts from it.
	UnpublishedAt *time.Time
}

// Draft says whether the version is not yet published.
func (v Version) Draft() bool { return v.PublishedAt == nil }

// Live says whether the version is published and not withdrawn: one that
// people other than its authors may launch.
func (v Version) Live() bool { return v.PublishedAt != nil && v.UnpublishedAt == nil }

// Errors the service returns.
var (
	ErrNotFound    = fault.New(fault.NotFound, "authored_scenario_not_found", "No such authored scenario or version.")
	ErrNotAnAuthor = fault.New(fault.Forbidden, "authoring_not_author", "Only the scenario's authors and its organisation's admins may change it.")
	ErrPublished   = fault.New(fault.Conflict, "version_published", "That version is already published.")
	ErrUnpublished = fault.New(fault.Conflict, "version_not_published", "That version is not published, so there is nothing to withdraw.")
)

// Store keeps authored scenarios, their authors, versions and bundles.
// Every method is safe to call concurrently; PutVersion and Publish are
// atomic.
type Store interface {
	// ScenarioByName finds an organisation's scenario by manifest id, or
	// returns ErrNotFound.
	ScenarioByName(ctx context.Context, orgID, scenarioID string) (Scenario, error)
	// Scenario finds one by its record id, or returns ErrNotFound.
	Scenario(ctx context.Context, id string) (Scenario, error)
	// Scenarios lists an organisation's scenarios, by manifest id.
	Scenarios(ctx context.Context, orgID string) ([]Scenario, error)
	// CreateScenario adds a scenario with its creator as its one author.
	CreateScenario(ctx context.Context, s Scenario) error
	// PutVersion keeps the bundle once by its digest and adds v as a draft
	// of its scenario, unless that scenario already has a version of that
	// digest, which it returns unchanged.
	PutVersion(ctx context.Context, v Version, bundle []byte) (Version, error)
	// Versions lists a scenario's versions, published ones by number,
	// then drafts, newest first.
	Versions(ctx context.Context, authoredID string) ([]Version, error)
	// Version finds one version, or returns ErrNotFound.
	Version(ctx context.Context, authoredID, digest string) (Version, error)
	// Publish gives a draft the scenario's next number, or puts a
	// withdrawn version back as it was, or returns ErrPublished if the
	// version is live already.
	Publish(ctx context.Context, authoredID, digest string, at time.Time) (Version, error)
	// Unpublish withdraws a live version, or returns ErrUnpublished.
	Unpublish(ctx context.Context, authoredID, digest string, at time.Time) (Version, error)
	// VersionsOfBundle lists every version, of any scenario, whose bundle
	// has that digest.
	VersionsOfBundle(ctx context.Context, digest string) ([]Version, error)
	// LiveVersions lists, for every scenario of the range that has one,
	// its live version of the highest number.
	LiveVersions(ctx context.Context) ([]Version, error)
	// CreateRehearsal keeps a rehearsal as begun; FinishRehearsal ends it.
	CreateRehearsal(ctx context.Context, r Rehearsal) error
	FinishRehearsal(ctx context.Context, id string, passed bool, log string, at time.Time) error
	// LatestRehearsal is the version's newest rehearsal, or ErrNoRehearsal.
	LatestRehearsal(ctx context.Context, authoredID, digest string) (Rehearsal, error)
	// Rehearsed says whether any rehearsal of the version passed.
	Rehearsed(ctx context.Context, authoredID, digest string) (bool, error)
	// Bundle returns a bundle's bytes by digest, or ErrNotFound.
	Bundle(ctx context.Context, digest string) ([]byte, error)
	// SetVisibility shares a scenario with the range, or makes it private.
	SetVisibility(ctx context.Context, authoredID string, v Visibility) error
	// KeepLabImage records an image added from an archive, replacing the
	// record of one of the same name; LabImages lists them by name.
	KeepLabImage(ctx context.Context, img LabImage) error
	LabImages(ctx context.Context) ([]LabImage, error)
}
