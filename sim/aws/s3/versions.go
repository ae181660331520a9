package s3

import (
	"bytes"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// versions is the in-memory backend with what S3's versioning needs and
// s3mem lacks. Deleting an object's current version (a delete marker,
// most often, which is how a deleted object is brought back) makes the
// newest remaining version current; s3mem leaves the object with no
// current version, and every later read of it fails. Here that version's
// data is put back as the new current version, and its id and date are
// kept: clients see the version they listed, under the id they listed,
// as on S3, while s3mem holds it under an id of its own. Versions are
// listed newest first, as S3 lists them.
type versions struct {
	*s3mem.Backend
	mu sync.Mutex // one delete and promotion at a time; guards the maps

	// shown maps a promoted version's id in s3mem to the id and date
	// clients know it by; stored is the reverse.
	shown  map[versionRef]shownVersion
	stored map[versionRef]gofakes3.VersionID
}

type versionRef struct {
	bucket, key string
	id          gofakes3.VersionID
}

type shownVersion struct {
	id       gofakes3.VersionID
	modified time.Time
}

func newVersions(b *s3mem.Backend) *versions {
	return &versions{Backend: b, shown: map[versionRef]shownVersion{}, stored: map[versionRef]gofakes3.VersionID{}}
}

// actual is the id s3mem holds a version under that clients call id.
func (v *versions) actual(bucket, key string, id gofakes3.VersionID) gofakes3.VersionID {
	v.mu.Lock()
	defer v.mu.Unlock()
	if a, ok := v.stored[versionRef{bucket, key, id}]; ok {
		return a
	}
	return id
}

// public is the id clients know s3mem's version id by.
func (v *versions) public(bucket, key string, id gofakes3.VersionID) gofakes3.VersionID {
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.shown[versionRef{bucket, key, id}]; ok {
		return s.id
	}
	return id
}

func (v *versions) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	obj, err := v.Backend.GetObject(bucket, key, rng)
	if err == nil && obj != nil {
		obj.VersionID = v.public(bucket, key, obj.VersionID)
	}
	return obj, err
}

func (v *versions) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	obj, err := v.Backend.HeadObject(bucket, key)
	if err == nil && obj != nil {
		obj.VersionID = v.public(bucket, key, obj.VersionID)
	}
	return obj, err
}

func (v *versions) GetObjectVersion(bucket, key string, id gofakes3.VersionID, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	obj, err := v.Backend.GetObjectVersion(bucket, key, v.actual(bucket, key, id), rng)
	if err == nil && obj != nil {
		obj.VersionID = id
	}
	return obj, err
}

func (v *versions) HeadObjectVersion(bucket, key string, id gofakes3.VersionID) (*gofakes3.Object, error) {
	obj, err := v.Backend.HeadObjectVersion(bucket, key, v.actual(bucket, key, id))
	if err == nil && obj != nil {
		obj.VersionID = id
	}
	return obj, err
}

func (v *versions) DeleteObjectVersion(bucket, key string, id gofakes3.VersionID) (gofakes3.ObjectDeleteResult, error) {
	asked := id
	id = v.actual(bucket, key, id)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.forget(bucket, key, id)
	before, err := v.of(bucket, key)
	if err != nil {
		return v.Backend.DeleteObjectVersion(bucket, key, id)
	}
	current, next := latest(before)
	if current == nil || current.GetVersionID() != id || next == nil {
		res, err := v.Backend.DeleteObjectVersion(bucket, key, id)
		res.VersionID = asked
		return res, err
	}
	// The current version is going: the next newest takes its place. It
	// is made current first (s3mem cannot be left without a current
	// version even for a moment), then the two old entries go.
	res := gofakes3.ObjectDeleteResult{VersionID: asked}
	if _, marker := current.(*gofakes3.DeleteMarker); marker {
		res.IsDeleteMarker = true
	}
	if _, marker := next.(*gofakes3.DeleteMarker); marker {
		// A marker under it: the object stays deleted.
		if _, err := v.Backend.DeleteObject(bucket, key); err != nil {
			return res, err
		}
	} else {
		obj, err := v.Backend.GetObjectVersion(bucket, key, next.GetVersionID(), nil)
		if err != nil {
			return res, err
		}
		body, err := io.ReadAll(obj.Contents)
		obj.Contents.Close()
		if err != nil {
			return res, err
		}
		put, err := v.Backend.PutObject(bucket, key, obj.Metadata, bytes.NewReader(body), int64(len(body)), nil)
		if err != nil {
			return res, err
		}
		// The new entry is the old version to clients: its id and date.
		was := shownVersion{id: next.GetVersionID(), modified: next.(*gofakes3.Version).LastModified.Time}
		if s, ok := v.shown[versionRef{bucket, key, was.id}]; ok {
			was = s
		}
		v.forget(bucket, key, next.GetVersionID())
		v.shown[versionRef{bucket, key, put.VersionID}] = was
		v.stored[versionRef{bucket, key, was.id}] = put.VersionID
	}
	if _, err := v.Backend.DeleteObjectVersion(bucket, key, id); err != nil {
		return res, err
	}
	_, err = v.Backend.DeleteObjectVersion(bucket, key, next.GetVersionID())
	return res, err
}

// forget drops what is known of s3mem's version id, which is going; the
// caller holds v.mu.
func (v *versions) forget(bucket, key string, id gofakes3.VersionID) {
	ref := versionRef{bucket, key, id}
	if s, ok := v.shown[ref]; ok {
		delete(v.stored, versionRef{bucket, key, s.id})
		delete(v.shown, ref)
	}
}

// DeleteMultiVersions is DeleteObjects naming versions (how a tool removes
// many delete markers at once): each goes as DeleteObjectVersion does, so
// the version under a removed marker becomes current here too.
func (v *versions) DeleteMultiVersions(bucket string, objects ...gofakes3.ObjectID) (gofakes3.MultiDeleteResult, error) {
	var res gofakes3.MultiDeleteResult
	if ok, err := v.BucketExists(bucket); err != nil || !ok {
		return res, gofakes3.BucketNotFound(bucket)
	}
	for _, o := range objects {
		var err error
		if o.VersionID == "" {
			_, err = v.Backend.DeleteObject(bucket, o.Key)
		} else {
			_, err = v.DeleteObjectVersion(bucket, o.Key, gofakes3.VersionID(o.VersionID))
		}
		if err != nil {
			res.Error = append(res.Error, gofakes3.ErrorResultFromError(err))
			continue
		}
		res.Deleted = append(res.Deleted, o)
	}
	return res, nil
}

// ListBucketVersions lists as S3 does: each key's versions newest first
// (s3mem lists them in the order they were made), under the ids and
// dates clients know them by.
func (v *versions) ListBucketVersions(bucket string, prefix *gofakes3.Prefix, page *gofakes3.ListBucketVersionsPage) (*gofakes3.ListBucketVersionsResult, error) {
	res, err := v.Backend.ListBucketVersions(bucket, prefix, page)
	if err != nil || res == nil {
		return res, err
	}
	sort.SliceStable(res.Versions, func(i, j int) bool {
		ki, kj := itemKey(res.Versions[i]), itemKey(res.Versions[j])
		if ki != kj {
			return ki < kj
		}
		return res.Versions[i].GetVersionID() > res.Versions[j].GetVersionID()
	})
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, it := range res.Versions {
		if ver, ok := it.(*gofakes3.Version); ok {
			if s, ok := v.shown[versionRef{bucket, ver.Key, ver.VersionID}]; ok {
				ver.VersionID, ver.LastModified = s.id, gofakes3.NewContentTime(s.modified)
			}
		}
	}
	return res, nil
}

func itemKey(it gofakes3.VersionItem) string {
	switch x := it.(type) {
	case *gofakes3.Version:
		return x.Key
	case *gofakes3.DeleteMarker:
		return x.Key
	}
	return ""
}

// of lists one key's versions as s3mem holds them.
func (v *versions) of(bucket, key string) ([]gofakes3.VersionItem, error) {
	p := gofakes3.NewPrefix(&key, nil)
	list, err := v.Backend.ListBucketVersions(bucket, &p, nil)
	if err != nil {
		return nil, err
	}
	var out []gofakes3.VersionItem
	for _, it := range list.Versions {
		switch x := it.(type) {
		case *gofakes3.Version:
			if x.Key == key {
				out = append(out, it)
			}
		case *gofakes3.DeleteMarker:
			if x.Key == key {
				out = append(out, it)
			}
		}
	}
	return out, nil
}

// latest finds a key's current version and, of the others, the newest
// (s3mem's version ids sort in the order they were made).
func latest(items []gofakes3.VersionItem) (current, next gofakes3.VersionItem) {
	for _, it := range items {
		isLatest := false
		switch x := it.(type) {
		case *gofakes3.Version:
			isLatest = x.IsLatest
		case *gofakes3.DeleteMarker:
			isLatest = x.IsLatest
		}
		if isLatest && current == nil {
			current = it
			continue
		}
		if next == nil || it.GetVersionID() > next.GetVersionID() {
			next = it
		}
	}
	return current, next
}
