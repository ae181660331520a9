package s3

import (
	"bytes"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/johannesboyne/gofakes3"

	"github.com/sakimori/sakimori/sim/aws/account"
)

// copySource reads a CopyObject's X-Amz-Copy-Source: bucket/key, URL-
// encoded or not, with an optional ?versionId=.
func copySource(header string) (bucket, key, version string, ok bool) {
	src, query, _ := strings.Cut(strings.TrimPrefix(header, "/"), "?")
	if decoded, err := url.PathUnescape(src); err == nil {
		src = decoded
	}
	bucket, key, ok = strings.Cut(src, "/")
	if q, err := url.ParseQuery(query); err == nil {
		version = q.Get("versionId")
	}
	return bucket, key, version, ok && bucket != "" && key != ""
}

// copySourceCurrent is a copy source naming the current object (no
// version).
func copySourceCurrent(header string) (bucket, key string, ok bool) {
	bucket, key, version, ok := copySource(header)
	return bucket, key, ok && version == ""
}

// copyVersion serves a CopyObject of a named version, which gofakes3 does
// not: how a responder puts an old version back on top. The caller needs
// s3:GetObjectVersion on the source as well as s3:PutObject on the target,
// as on S3.
func (s *Service) copyVersion(w http.ResponseWriter, c account.Caller, call s3Call, srcBucket, srcKey, version string) *account.APIError {
	src := s3Call{event: "GetObject", action: "s3:GetObjectVersion", bucket: srcBucket, Key: srcKey,
		resource: "arn:aws:s3:::" + srcBucket + "/" + srcKey, data: true, read: true}
	if e := s.authorizeS3(c, src, nil); e != nil {
		return e
	}
	obj, err := s.backend.GetObjectVersion(srcBucket, srcKey, gofakes3.VersionID(version), nil)
	if err != nil {
		if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
			return &account.APIError{Status: http.StatusNotFound, Code: "NoSuchBucket", Message: "The specified bucket does not exist"}
		}
		return &account.APIError{Status: http.StatusNotFound, Code: "NoSuchVersion", Message: "The specified version does not exist."}
	}
	if obj.IsDeleteMarker {
		return &account.APIError{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: "The source of a copy request may not specifically refer to a delete marker by version id."}
	}
	body, err := io.ReadAll(obj.Contents)
	obj.Contents.Close()
	if err != nil {
		return &account.APIError{Status: http.StatusInternalServerError, Code: "InternalError", Message: err.Error()}
	}
	put, err := s.backend.PutObject(call.bucket, call.Key, obj.Metadata, bytes.NewReader(body), int64(len(body)), nil)
	if err != nil {
		if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
			return &account.APIError{Status: http.StatusNotFound, Code: "NoSuchBucket", Message: "The specified bucket does not exist"}
		}
		return &account.APIError{Status: http.StatusInternalServerError, Code: "InternalError", Message: err.Error()}
	}
	made, err := s.backend.HeadObject(call.bucket, call.Key)
	if err != nil {
		return &account.APIError{Status: http.StatusInternalServerError, Code: "InternalError", Message: err.Error()}
	}
	w.Header().Set("x-amz-copy-source-version-id", version)
	if put.VersionID != "" {
		w.Header().Set("x-amz-version-id", string(made.VersionID))
	}
	w.Header().Set("Content-Type", "application/xml")
	_ = xml.NewEncoder(w).Encode(gofakes3.CopyObjectResult{ETag: `"` + hex.EncodeToString(made.Hash) + `"`,
		LastModified: gofakes3.NewContentTime(s.acct.Now())})
	return nil
}

// versioning answers GetBucketVersioning as S3 does: a bucket whose
// versioning was never set has an empty configuration, not empty fields.
func (s *Service) versioning(w http.ResponseWriter, bucket string) *account.APIError {
	cfg, err := s.backend.VersioningConfiguration(bucket)
	if err != nil {
		return &account.APIError{Status: http.StatusNotFound, Code: "NoSuchBucket", Message: "The specified bucket does not exist"}
	}
	w.Header().Set("Content-Type", "application/xml")
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName   xml.Name `xml:"VersioningConfiguration"`
		Xmlns     string   `xml:"xmlns,attr"`
		Status    string   `xml:"Status,omitempty"`
		MFADelete string   `xml:"MfaDelete,omitempty"`
	}{Xmlns: "http://s3.amazonaws.com/doc/2006-03-01/", Status: string(cfg.Status), MFADelete: string(cfg.MFADelete)})
	return nil
}
