// Package authoring keeps scenarios written on the range: each belongs to
// an organisation, is edited by its authors and is private to them or
// shared with the whole range. A scenario's versions are bundles
// (labs/bundle) named by the sha256 of their bytes. An upload is a draft;
// publishing gives a draft the next version number, and a published
// version never changes. Authored versions are not launched as labs: the
// catalogue still holds only the built-in scenarios.
//
// The package knows nothing of HTTP or SQL: it declares Store, which the
// store package implements. Its errors carry the codes the API answers
// with.
package authoring

import (
	"context"
	"errors"
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
	Digest      string // hex sha256 of the bundle
	Number      int
	Size        int64
	UploadedBy  string
	CreatedAt   time.Time
	PublishedAt *time.Time
}

// Draft says whether the version is not yet published.
func (v Version) Draft() bool { return v.PublishedAt == nil }

// Errors the service returns.
var (
	ErrNotFound    = fault.New(fault.NotFound, "authored_scenario_not_found", "No such authored scenario or version.")
	ErrNotAnAuthor = fault.New(fault.Forbidden, "authoring_not_author", "Only the scenario's authors may change it.")
	// ErrPublished has no code yet: no route publishes until publishing
	// waits for a green rehearsal of the version.
	ErrPublished = errors.New("authoring: the version is already published")
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
	// Publish gives a draft the scenario's next number, or returns
	// ErrPublished if it has one.
	Publish(ctx context.Context, authoredID, digest string, at time.Time) (Version, error)
	// Bundle returns a bundle's bytes by digest, or ErrNotFound.
	Bundle(ctx context.Context, digest string) ([]byte, error)
	// SetVisibility shares a scenario with the range, or makes it private.
	SetVisibility(ctx context.Context, authoredID string, v Visibility) error
}
