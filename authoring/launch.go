package authoring

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/bundle"
)

// Person is someone who may launch labs: their user id, the
// organisations they belong to (as a member of the organisation or of
// one of its cohorts), and those they run.
type Person struct {
	UserID        string
	Organisations map[string]bool
	Manages       map[string]bool // organisations they are an admin of
	RangeAdmin    bool            // runs every organisation
}

// MayLaunch says whether the person may see and launch the version a lab
// scenario id names (labs.AuthoredID): those who may edit it (its authors,
// the admins of its organisation, range admins) may, draft or not, to
// preview it; anyone of its organisation may launch it while it is live,
// and anyone on the range once the scenario is shared. Anyone else is
// told it does not exist, as is a withdrawn version.
func (s *Service) MayLaunch(ctx context.Context, p Person, labScenarioID string) error {
	name, digest, ok := labs.SplitAuthoredID(labScenarioID)
	if !ok {
		return ErrNotFound
	}
	versions, err := s.store.VersionsOfBundle(ctx, digest)
	if err != nil {
		return err
	}
	// The same bytes may be a version of several scenarios (one uploaded
	// to two organisations): any of them that lets the person in will do.
	for _, v := range versions {
		sc, err := s.store.Scenario(ctx, v.AuthoredID)
		if err != nil {
			return err
		}
		if sc.ScenarioID != name {
			continue
		}
		author := slices.Contains(sc.Authors, p.UserID) && p.Organisations[sc.OrganisationID]
		if author || p.Manages[sc.OrganisationID] || p.RangeAdmin {
			return nil
		}
		if v.Live() && (p.Organisations[sc.OrganisationID] || sc.Visibility == Shared) {
			return nil
		}
	}
	return ErrNotFound
}

// Launchable lists the lab scenario ids (labs.AuthoredID) of the live
// versions the person may launch: the newest live version of every
// scenario of their organisations, and of every shared one.
func (s *Service) Launchable(ctx context.Context, p Person) ([]string, error) {
	live, err := s.store.LiveVersions(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, v := range live {
		sc, err := s.store.Scenario(ctx, v.AuthoredID)
		if err != nil {
			return nil, err
		}
		if p.Organisations[sc.OrganisationID] || sc.Visibility == Shared {
			out = append(out, labs.AuthoredID(sc.ScenarioID, v.Digest))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// LabScenario reads the version a lab scenario id names, for the lab
// catalogue (labs.Catalogue.UseAuthored): the scenario its bundle holds,
// under that id. It checks no one's permission: the catalogue serves
// labs already launched, whose versions may since have been withdrawn.
func (s *Service) LabScenario(ctx context.Context, labScenarioID string) (*labs.Scenario, error) {
	name, digest, ok := labs.SplitAuthoredID(labScenarioID)
	if !ok {
		return nil, labs.ErrScenarioNotFound
	}
	data, err := s.store.Bundle(ctx, digest)
	if errors.Is(err, ErrNotFound) {
		return nil, labs.ErrScenarioNotFound
	}
	if err != nil {
		return nil, err
	}
	_, sc, err := bundle.Import(data, s.limits)
	if err != nil {
		return nil, err
	}
	if sc.ID != name {
		return nil, labs.ErrScenarioNotFound
	}
	sc.ID = labScenarioID
	return sc, nil
}

// SaveDraft keeps files written in the editor as a draft, as Upload does
// a bundle: files are the scenario folder's, by their path in it.
func (s *Service) SaveDraft(ctx context.Context, actor Actor, files map[string][]byte) (Version, error) {
	for p := range files {
		if !bundle.InLayout(p) {
			f := fault.New(fault.Invalid, "draft_file_not_allowed", fmt.Sprintf("%q is not a file a scenario folder holds: "+
				"scenario.yaml, solution.yaml, text.<language>.yaml, README*.md or a file under files/.", p))
			f.Field = "files"
			return Version{}, f
		}
	}
	data, err := (&bundle.Bundle{Files: files}).Bytes()
	if err != nil {
		return Version{}, err
	}
	return s.Upload(ctx, actor, data)
}

// Files returns a version's files by path, if the actor may read it: what
// the editor opens.
func (s *Service) Files(ctx context.Context, actor Actor, authoredID, digest string) (map[string][]byte, error) {
	data, err := s.Bundle(ctx, actor, authoredID, digest)
	if err != nil {
		return nil, err
	}
	return s.filesOf(data)
}

// read reads a kept bundle. Only bundles that passed Import are kept (and
// the built-in ones are the binary's own), so this reads.
func (s *Service) read(data []byte) (*bundle.Bundle, error) {
	return bundle.Read(bytes.NewReader(data), s.limits)
}

// filesOf is a kept bundle's files by path.
func (s *Service) filesOf(data []byte) (map[string][]byte, error) {
	b, err := s.read(data)
	if err != nil {
		return nil, err
	}
	return b.Files, nil
}
