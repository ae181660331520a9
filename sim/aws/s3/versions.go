package s3

import (
	"bytes"
	"io"
	"sync"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// versions is the in-memory backend with one fix S3's behaviour needs and
// s3mem lacks: deleting an object's current version (a delete marker,
// most often, which is how a deleted object is brought back) makes the
// newest remaining version current. s3mem leaves the object with no
// current version, and every later read of it fails. The promoted
// version's data is put back as a new current version, so its content,
// metadata and checksum are the old one's; only its version id is new.
type versions struct {
	*s3mem.Backend
	mu sync.Mutex // one delete and promotion at a time
}

func (v *versions) DeleteObjectVersion(bucket, key string, id gofakes3.VersionID) (gofakes3.ObjectDeleteResult, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	before, err := v.of(bucket, key)
	if err != nil {
		return v.Backend.DeleteObjectVersion(bucket, key, id)
	}
	current, next := latest(before)
	if current == nil || current.GetVersionID() != id || next == nil {
		return v.Backend.DeleteObjectVersion(bucket, key, id)
	}
	// The current version is going: the next newest takes its place. It
	// is made current first (s3mem cannot be left without a current
	// version even for a moment), then the two old entries go.
	res := gofakes3.ObjectDeleteResult{VersionID: id}
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
		if _, err := v.Backend.PutObject(bucket, key, obj.Metadata, bytes.NewReader(body), int64(len(body)), nil); err != nil {
			return res, err
		}
	}
	if _, err := v.Backend.DeleteObjectVersion(bucket, key, id); err != nil {
		return res, err
	}
	_, err = v.Backend.DeleteObjectVersion(bucket, key, next.GetVersionID())
	return res, err
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

// of lists one key's versions.
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
