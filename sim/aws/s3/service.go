package s3

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/sakimori/sakimori/sim/aws/account"
	"github.com/sakimori/sakimori/sim/gitrepo"
)

// Service is the object store of one account.
type Service struct {
	acct        *account.Account
	backend     *versions
	objects     http.Handler
	trailBucket string // reading it does not add to the trail
	// originals are the MD5 sums of the objects the world began with, by
	// bucket and key: what a restore is checked against.
	originals map[string]map[string]string
}

// New makes the buckets and first objects of w (and w's trail bucket).
func New(a *account.Account, w *account.World) (*Service, error) {
	clock := &worldClock{now: a.Now}
	backend := newVersions(s3mem.New(s3mem.WithTimeSource(clock)))
	s := &Service{
		acct: a, backend: backend, trailBucket: w.TrailBucket, originals: map[string]map[string]string{},
		objects: gofakes3.New(backend, gofakes3.WithAutoBucket(false), gofakes3.WithTimeSkewLimit(0)).Server(),
	}
	buckets := w.Buckets
	if w.TrailBucket != "" {
		buckets = append(buckets, account.BucketDef{Name: w.TrailBucket})
		a.Buckets[w.TrailBucket] = &account.Bucket{Policy: trailBucketPolicy(w.TrailBucket, a.ID)}
	}
	for _, b := range buckets {
		if err := backend.CreateBucket(b.Name); err != nil {
			return nil, err
		}
		if b.Versioned {
			if err := backend.SetVersioningConfiguration(b.Name, gofakes3.VersioningConfiguration{Status: gofakes3.VersioningEnabled}); err != nil {
				return nil, err
			}
		}
		s.originals[b.Name] = map[string]string{}
		objects := b.Objects
		if b.GitFolder != "" {
			objects = append(objects, gitObjects(b)...)
		}
		for _, o := range objects {
			clock.back(account.Age(o.Ago))
			err := s.Put(b.Name, o.Key, map[string]string{"Content-Type": contentType(o.Key)}, []byte(o.Body))
			clock.back(0)
			if err != nil {
				return nil, err
			}
			sum := md5.Sum([]byte(o.Body))
			s.originals[b.Name][o.Key] = hex.EncodeToString(sum[:])
		}
	}
	return s, nil
}

// Put writes an object as the account itself does (CloudTrail delivering
// its logs), with no caller, check or record.
func (s *Service) Put(bucket, key string, meta map[string]string, body []byte) error {
	_, err := s.backend.PutObject(bucket, key, meta, bytes.NewReader(body), int64(len(body)), nil)
	return err
}

// gitObjects publish a repository's .git folder, built from a scripted
// history: a site deployed with its history.
func gitObjects(b account.BucketDef) []account.ObjectDef {
	changes := make([]gitrepo.Change, len(b.History))
	for i, c := range b.History {
		changes[i] = gitrepo.Change{Author: c.Author, When: c.When, Message: c.Message, Files: c.Files}
	}
	var out []account.ObjectDef
	for path, data := range gitrepo.Build(changes).Files() {
		out = append(out, account.ObjectDef{Key: b.GitFolder + path, Body: string(data)})
	}
	return out
}

func contentType(key string) string {
	switch {
	case strings.HasSuffix(key, ".html"):
		return "text/html"
	case strings.HasSuffix(key, ".json"):
		return "application/json"
	}
	return "text/plain"
}

// Originals are the MD5 sums of the objects the world began with, by
// bucket and key.
func (s *Service) Originals() map[string]map[string]string { return s.originals }

// Current is the MD5 sum of each named key's current version in bucket,
// left out for a key with none (deleted, or under a delete marker).
func (s *Service) Current(bucket string, keys map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for key := range keys {
		obj, err := s.backend.HeadObject(bucket, key)
		switch {
		case err == nil:
			out[key] = hex.EncodeToString(obj.Hash)
		case gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey):
		case gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket):
			return out, nil // the bucket itself was deleted
		default:
			return nil, err
		}
	}
	return out, nil
}

// worldClock is the object store's time: the account's, except while the
// world's first objects are put, when it reads as long before the lab's
// start as each object's age says, so their versions carry the story's
// dates.
type worldClock struct {
	now func() time.Time
	mu  sync.Mutex
	ago time.Duration
}

func (c *worldClock) back(d time.Duration) {
	c.mu.Lock()
	c.ago = d
	c.mu.Unlock()
}

func (c *worldClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now().Add(-c.ago)
}

func (c *worldClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// trailBucketPolicy is the policy CloudTrail's console puts on a trail's
// bucket: the service may check the bucket's ACL and write the account's
// logs. (The console's also asks for the bucket-owner-full-control ACL,
// a condition the emulated policies do not evaluate, so it is left out.)
func trailBucketPolicy(bucket, account string) string {
	return `{"Version": "2012-10-17", "Statement": [
  {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
   "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::` + bucket + `"},
  {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
   "Action": "s3:PutObject", "Resource": "arn:aws:s3:::` + bucket + `/AWSLogs/` + account + `/*"}]}`
}
