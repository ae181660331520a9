package authoring

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs/bundle"
)

// Service is the authoring domain over a Store.
type Service struct {
	store  Store
	limits bundle.Limits
	now    func() time.Time

	images         []string    // the lab images the range builds, which authored scenarios may name; nil: any
	loader         ImageLoader // nil: no images can be added (no engine)
	labLimits      LabLimits
	builtIns       *builtIns // nil: no built-in scenarios to offer
	rehearser      Rehearser // nil: this range cannot rehearse (no engine)
	rehearsalLimit time.Duration
	live           rehearsals
}

// NewService makes the service; limits bound every uploaded bundle.
func NewService(store Store, limits bundle.Limits, now func() time.Time) *Service {
	return &Service{store: store, limits: limits, now: now}
}

// Upload keeps a bundle as a draft of the scenario it holds, in the
// actor's organisation. The bundle must be safe and its scenario valid
// (bundle.Import); nothing is kept otherwise. The first upload of a
// manifest id makes the scenario, with the actor as its author; later
// uploads are for its authors only. Uploading the same bytes again returns
// the version already kept. The caller has already checked that the actor
// may write scenarios for the organisation (an instructor or org admin of
// it): the service does not know organisations' members.
func (s *Service) Upload(ctx context.Context, actor Actor, data []byte) (Version, error) {
	_, parsed, err := bundle.Import(data, s.limits)
	if err != nil {
		return Version{}, refused(err)
	}
	if err := s.checkImages(ctx, parsed); err != nil {
		return Version{}, err
	}
	if err := s.checkLimits(parsed); err != nil {
		return Version{}, err
	}
	sc, err := s.store.ScenarioByName(ctx, actor.OrganisationID, parsed.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		sc = Scenario{ID: uuid.NewString(), OrganisationID: actor.OrganisationID, ScenarioID: parsed.ID,
			Visibility: Private, CreatedBy: actor.UserID, CreatedAt: s.now().UTC(), Authors: []string{actor.UserID}}
		if err := s.store.CreateScenario(ctx, sc); err != nil {
			return Version{}, err
		}
	case err != nil:
		return Version{}, err
	case !sc.mayEdit(actor):
		return Version{}, ErrNotAnAuthor
	}
	return s.store.PutVersion(ctx, Version{AuthoredID: sc.ID, Digest: Digest(data), Size: int64(len(data)),
		UploadedBy: actor.UserID, CreatedAt: s.now().UTC()}, data)
}

// MaxUpload is the largest bundle an upload may send (bundle.Limits.MaxBundleBytes).
func (s *Service) MaxUpload() int64 { return s.limits.MaxBundleBytes() }

// MaxFolderJSON is the most a draft's files may take as JSON.
func (s *Service) MaxFolderJSON() int64 { return s.limits.MaxFolderJSON() }

// Digest names a bundle: the hex sha256 of its bytes.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Publish makes a draft the scenario's next version, or puts a withdrawn
// one back. Its editors only (authors and org admins), and only once a
// rehearsal of that exact version passed: no one launches a scenario its own solution cannot solve.
func (s *Service) Publish(ctx context.Context, actor Actor, authoredID, digest string) (Version, error) {
	if _, err := s.authored(ctx, actor, authoredID); err != nil {
		return Version{}, err
	}
	if _, err := s.store.Version(ctx, authoredID, digest); err != nil {
		return Version{}, err
	}
	green, err := s.store.Rehearsed(ctx, authoredID, digest)
	if err != nil {
		return Version{}, err
	}
	if !green {
		return Version{}, ErrNotRehearsed
	}
	return s.store.Publish(ctx, authoredID, digest, s.now().UTC())
}

// Unpublish withdraws a live version: no new lab starts from it, and labs
// already running from it run on. Its editors only.
func (s *Service) Unpublish(ctx context.Context, actor Actor, authoredID, digest string) (Version, error) {
	if _, err := s.authored(ctx, actor, authoredID); err != nil {
		return Version{}, err
	}
	return s.store.Unpublish(ctx, authoredID, digest, s.now().UTC())
}

// authored loads a scenario the actor may edit.
func (s *Service) authored(ctx context.Context, actor Actor, authoredID string) (Scenario, error) {
	sc, err := s.store.Scenario(ctx, authoredID)
	if err != nil {
		return Scenario{}, err
	}
	if !sc.mayEdit(actor) {
		return Scenario{}, hide(sc, actor, ErrNotAnAuthor)
	}
	return sc, nil
}

// Scenarios lists the scenarios of the actor's organisation that the
// actor may read anything of: those they author, and the shared ones.
func (s *Service) Scenarios(ctx context.Context, actor Actor) ([]Scenario, error) {
	all, err := s.store.Scenarios(ctx, actor.OrganisationID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(sc Scenario) bool { return !sc.mayEdit(actor) && sc.Visibility != Shared }), nil
}

// Versions lists what the actor may read of a scenario's versions: all of
// them for its authors, the published ones of a shared scenario for
// anyone else. A scenario the actor may read nothing of is not found.
func (s *Service) Versions(ctx context.Context, actor Actor, authoredID string) ([]Version, error) {
	sc, err := s.store.Scenario(ctx, authoredID)
	if err != nil {
		return nil, err
	}
	all, err := s.store.Versions(ctx, authoredID)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(all, func(v Version) bool { return !sc.mayRead(actor, v) })
	if len(out) == 0 && !sc.mayEdit(actor) {
		return nil, ErrNotFound
	}
	return out, nil
}

// Bundle returns one version's bundle, if the actor may read it.
func (s *Service) Bundle(ctx context.Context, actor Actor, authoredID, digest string) ([]byte, error) {
	if _, err := s.readable(ctx, actor, authoredID, digest); err != nil {
		return nil, err
	}
	return s.store.Bundle(ctx, digest)
}

func (s *Service) readable(ctx context.Context, actor Actor, authoredID, digest string) (Version, error) {
	sc, err := s.store.Scenario(ctx, authoredID)
	if err != nil {
		return Version{}, err
	}
	v, err := s.store.Version(ctx, authoredID, digest)
	if err != nil {
		return Version{}, err
	}
	if !sc.mayRead(actor, v) {
		return Version{}, ErrNotFound
	}
	return v, nil
}

// mayEdit says whether the actor may change the scenario and read all of
// it: its authors, and the admins of its organisation.
func (sc Scenario) mayEdit(actor Actor) bool {
	return sc.OrganisationID == actor.OrganisationID && (actor.OrgAdmin || slices.Contains(sc.Authors, actor.UserID))
}

func (sc Scenario) mayRead(actor Actor, v Version) bool {
	return sc.mayEdit(actor) || (sc.Visibility == Shared && !v.Draft())
}

// hide answers someone who may not even read a scenario as if it did not
// exist, and an outside reader of a shared one with err.
func hide(sc Scenario, actor Actor, err error) error {
	if sc.Visibility == Shared || sc.OrganisationID == actor.OrganisationID {
		return err
	}
	return ErrNotFound
}

// ErrVisibility is a visibility other than Private or Shared.
var ErrVisibility = fault.InvalidField("visibility", "visibility_invalid", "Visibility is private or range.")

// SetVisibility shares a scenario's published versions with the range, or
// makes it private again. Authors only.
func (s *Service) SetVisibility(ctx context.Context, actor Actor, authoredID string, v Visibility) error {
	if v != Private && v != Shared {
		return ErrVisibility
	}
	sc, err := s.store.Scenario(ctx, authoredID)
	if err != nil {
		return err
	}
	if !sc.mayEdit(actor) {
		return hide(sc, actor, ErrNotAnAuthor)
	}
	return s.store.SetVisibility(ctx, authoredID, v)
}
