package vendorsite

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/sakimori/sakimori/sim/aws/client"
	"github.com/sakimori/sakimori/sim/labkit"
)

// releaseAgent is the release pipeline's own CLI, as the store's trail
// records it.
const releaseAgent = "aws-cli/2.1.28 Python/3.8.8 Linux/5.4.0-1040-azure exe/x86_64.ubuntu.20 prompt/off command/s3.cp"

// cdnAgent is how the site's CDN reads its origin.
const cdnAgent = "Amazon CloudFront"

const objectPath = "/" + Bucket + "/" + Object

// Publish releases the genuine uploader to the store unless an uploader
// is there already: a restarted site must not undo what someone has since
// written in its place. It tries again every second until the store
// answers, and returns when the uploader is there or ctx ends.
func (s *Site) Publish(ctx context.Context) error {
	for tries := 1; ; tries++ {
		published, err := s.publishOnce()
		switch {
		case err == nil && published:
			labkit.Logger.Info("uploader released", "object", "s3://"+Bucket+"/"+Object, "version", Version)
			return nil
		case err == nil:
			labkit.Logger.Info("uploader already in the store, left as it is", "object", "s3://"+Bucket+"/"+Object)
			return nil
		case tries == 1 || tries%30 == 0:
			labkit.Logger.Warn("store not ready", "store", s.cfg.Store, "tries", tries, "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.retry):
		}
	}
}

// publishOnce reports whether it wrote the uploader; an error means the
// store could not tell.
func (s *Site) publishOnce() (bool, error) {
	release := &client.Client{Endpoint: s.cfg.Store, Creds: &s.cfg.Release, UserAgent: releaseAgent}
	head, err := release.S3(http.MethodHead, objectPath, nil)
	if err != nil {
		return false, err
	}
	switch head.Status {
	case http.StatusOK:
		return false, nil
	case http.StatusNotFound:
	default:
		return false, fmt.Errorf("head %s: %s", objectPath, head)
	}
	// If-None-Match keeps the write from replacing an uploader put there
	// between the look and the write.
	release.Header = http.Header{"X-Amz-Acl": {"public-read"}, "If-None-Match": {"*"}, "Content-Type": {"text/x-shellscript"}}
	put, err := release.S3(http.MethodPut, objectPath, []byte(s.cfg.Script))
	if err != nil {
		return false, err
	}
	switch {
	case put.OK():
		return true, nil
	case put.Status == http.StatusPreconditionFailed:
		return false, nil
	}
	return false, fmt.Errorf("put %s: %s", objectPath, put)
}

// originError is the store's refusal, passed on as the CDN passes it.
type originError struct{ status int }

func (e originError) Error() string { return fmt.Sprintf("origin answered %d", e.status) }

// current reads the uploader as anyone can, from the store, each time:
// the site caches nothing, so a changed object is what the next build
// downloads.
func (s *Site) current() ([]byte, error) {
	cdn := &client.Client{Endpoint: s.cfg.Store, UserAgent: cdnAgent}
	res, err := cdn.S3(http.MethodGet, objectPath, nil)
	if err != nil {
		return nil, err
	}
	if !res.OK() {
		return nil, originError{res.Status}
	}
	return res.Body, nil
}
