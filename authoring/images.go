package authoring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/imagearchive"
)

// The lab images authored scenarios may name: the ones the range builds
// itself, and the ones an admin added from an image archive once it passed
// the scan (imagearchive). None is ever pulled from a registry.

// LabImage is an image an admin added from an archive.
type LabImage struct {
	Name    string // as scenarios name it, e.g. sakimori-lab/shop:1.0
	RunAs   string // the user its config runs as
	Layers  int
	AddedBy string // the admin's user id; empty: an operator at the command line
	AddedAt time.Time
}

// ImageLoader puts an image archive on the range's engine.
type ImageLoader interface {
	LoadImage(ctx context.Context, archive io.Reader) error
}

// UseImages sets the lab images the range builds. Unset, any image the
// manifest rules allow is taken, and none can be added.
func (s *Service) UseImages(names []string) { s.images = slices.Clone(names) }

// UseImageLoader lets admins add images from archives, onto l's engine.
func (s *Service) UseImageLoader(l ImageLoader) { s.loader = l }

// Images lists the lab images authored scenarios may name: the range's
// own, then those added, by name.
func (s *Service) Images(ctx context.Context) ([]string, error) {
	if s.images == nil {
		return nil, nil
	}
	added, err := s.store.LabImages(ctx)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(s.images)
	for _, img := range added {
		if !slices.Contains(out, img.Name) {
			out = append(out, img.Name)
		}
	}
	return out, nil
}

// AddedImages lists the images admins added, by name.
func (s *Service) AddedImages(ctx context.Context) ([]LabImage, error) {
	return s.store.LabImages(ctx)
}

// checkImages refuses a scenario naming an image the range does not have:
// an authored lab runs only what the range built or an admin added.
func (s *Service) checkImages(ctx context.Context, sc *labs.Scenario) error {
	images, err := s.Images(ctx)
	if err != nil || images == nil {
		return err
	}
	for i, h := range sc.Hosts {
		if !slices.Contains(images, h.Image) {
			f := fault.New(fault.Invalid, "image_not_on_range", fmt.Sprintf("%q is not one of this range's lab images (%s).", h.Image, strings.Join(images, ", ")))
			f.Field = fmt.Sprintf("hosts[%d].image", i)
			return f
		}
	}
	return nil
}

// Refusals of an image archive.
var (
	ErrNoImageLoader = fault.New(fault.Unavailable, "images_unavailable", "This range has no lab engine to add images to.")
	ErrImageIsOurs   = fault.New(fault.Conflict, "image_name_taken", "That name is one of the images the range builds itself; save the image under a name of its own.")
)

// imageRef is a plain image name with a tag, as a scenario's image field
// takes it; no registry host (no dot or port before the first slash).
var imageRef = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9._-]*)*:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)

func errImageRefused(reason string) error {
	return fault.New(fault.Invalid, "image_refused", "The image is refused: "+reason)
}

// AddImage scans an image archive and, if a lab may run it, loads it onto
// the engine and records it under its name, so scenarios may name it.
// open reads the archive from its start each time (the scan reads it
// twice, the engine once more). The caller has checked that addedBy is an
// admin. A refused archive changes nothing.
func (s *Service) AddImage(ctx context.Context, addedBy string, open func() (io.ReadCloser, error)) (LabImage, error) {
	if s.loader == nil {
		return LabImage{}, ErrNoImageLoader
	}
	img, err := imagearchive.Scan(open)
	var refusal *imagearchive.Refusal
	if errors.As(err, &refusal) {
		return LabImage{}, errImageRefused(refusal.Reason)
	}
	if err != nil {
		return LabImage{}, err
	}
	if len(img.Tags) != 1 {
		return LabImage{}, errImageRefused(fmt.Sprintf("it has %d names (%s); save it under one.", len(img.Tags), strings.Join(img.Tags, ", ")))
	}
	name := img.Tags[0]
	if !imageRef.MatchString(name) {
		return LabImage{}, errImageRefused(fmt.Sprintf("its name %q is not a plain name:tag without a registry host, as a scenario's image field takes it.", name))
	}
	if slices.Contains(s.images, name) {
		return LabImage{}, ErrImageIsOurs
	}
	r, err := open()
	if err != nil {
		return LabImage{}, err
	}
	defer r.Close()
	if err := s.loader.LoadImage(ctx, r); err != nil {
		return LabImage{}, err
	}
	rec := LabImage{Name: name, RunAs: img.User, Layers: img.Layers, AddedBy: addedBy, AddedAt: s.now().UTC()}
	return rec, s.store.KeepLabImage(ctx, rec)
}
