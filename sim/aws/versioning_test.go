package aws

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// A versioned bucket keeps what is overwritten and deleted: a delete
// leaves a marker, the old versions stay readable by id, and the trail
// names each call for what it is.
func TestVersionedBucketKeepsWhatWasDeleted(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	s3c := l.s3(l.analyst())
	bucket := aws.String("acme-site")
	if _, err := s3c.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: bucket,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	v, err := s3c.GetBucketVersioning(ctx, &awss3.GetBucketVersioningInput{Bucket: bucket})
	if err != nil || v.Status != s3types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning: %+v, %v", v, err)
	}
	for _, body := range []string{"v1 of the report", "v2 of the report"} {
		if _, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: bucket, Key: aws.String("reports/q3.csv"), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s3c.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: bucket, Key: aws.String("reports/q3.csv")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.GetObject(ctx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("reports/q3.csv")}); code(err) != "NoSuchKey" {
		t.Fatalf("a deleted object is still read: %v", err)
	}
	versions, err := s3c.ListObjectVersions(ctx, &awss3.ListObjectVersionsInput{Bucket: bucket, Prefix: aws.String("reports/")})
	if err != nil || len(versions.Versions) != 2 || len(versions.DeleteMarkers) != 1 {
		t.Fatalf("versions: %+v, %v", versions, err)
	}
	var first string
	for _, ver := range versions.Versions {
		if !*ver.IsLatest {
			first = *ver.VersionId
		}
	}
	if first == "" {
		first = *versions.Versions[len(versions.Versions)-1].VersionId
	}
	obj, err := s3c.GetObject(ctx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("reports/q3.csv"), VersionId: aws.String(first)})
	if err != nil {
		t.Fatalf("an old version by id: %v", err)
	}
	body, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !strings.HasPrefix(string(body), "v") {
		t.Fatalf("the old version holds %q", body)
	}
	// Deleting the marker brings the newest version back.
	marker := versions.DeleteMarkers[0].VersionId
	if _, err := s3c.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: bucket, Key: aws.String("reports/q3.csv"), VersionId: marker}); err != nil {
		t.Fatal(err)
	}
	obj, err = s3c.GetObject(ctx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("reports/q3.csv")})
	if err != nil {
		t.Fatalf("the object after its delete marker went: %v", err)
	}
	body, _ = io.ReadAll(obj.Body)
	obj.Body.Close()
	if string(body) != "v2 of the report" {
		t.Fatalf("restored %q", body)
	}
	// The version made current again keeps the id it was listed under.
	if *obj.VersionId != *versions.Versions[0].VersionId && *obj.VersionId != *versions.Versions[1].VersionId {
		t.Fatalf("the restored version has a new id %s, not one of those listed", *obj.VersionId)
	}
	again, err := s3c.ListObjectVersions(ctx, &awss3.ListObjectVersionsInput{Bucket: bucket, Prefix: aws.String("reports/")})
	if err != nil || len(again.Versions) != 2 || !*again.Versions[0].IsLatest || *again.Versions[0].VersionId != *obj.VersionId {
		t.Fatalf("after the marker went, the newest version is not listed first under its id: %+v, %v", again, err)
	}
	if !again.Versions[0].LastModified.After(*again.Versions[1].LastModified) && !again.Versions[0].LastModified.Equal(*again.Versions[1].LastModified) {
		t.Fatalf("versions out of order: %v then %v", again.Versions[0].LastModified, again.Versions[1].LastModified)
	}
	// Deleting the current version by its id rolls back to the one before.
	current := *obj.VersionId
	if _, err := s3c.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: bucket, Key: aws.String("reports/q3.csv"), VersionId: aws.String(current)}); err != nil {
		t.Fatal(err)
	}
	obj, err = s3c.GetObject(ctx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("reports/q3.csv")})
	if err != nil {
		t.Fatalf("the object after its current version went: %v", err)
	}
	body, _ = io.ReadAll(obj.Body)
	obj.Body.Close()
	if string(body) != "v1 of the report" {
		t.Fatalf("rolled back to %q", body)
	}

	// Deleted twice: removing the newer marker leaves the object deleted.
	for range 2 {
		if _, err := s3c.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: bucket, Key: aws.String("reports/q3.csv")}); err != nil {
			t.Fatal(err)
		}
	}
	versions, err = s3c.ListObjectVersions(ctx, &awss3.ListObjectVersionsInput{Bucket: bucket, Prefix: aws.String("reports/")})
	if err != nil || len(versions.DeleteMarkers) != 2 {
		t.Fatalf("two deletes: %+v, %v", versions, err)
	}
	for _, m := range versions.DeleteMarkers {
		if *m.IsLatest {
			marker = m.VersionId
		}
	}
	if _, err := s3c.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: bucket, Key: aws.String("reports/q3.csv"), VersionId: marker}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.GetObject(ctx, &awss3.GetObjectInput{Bucket: bucket, Key: aws.String("reports/q3.csv")}); code(err) != "NoSuchKey" {
		t.Fatalf("with a marker under the one removed, the object came back: %v", err)
	}
	versions, err = s3c.ListObjectVersions(ctx, &awss3.ListObjectVersionsInput{Bucket: bucket, Prefix: aws.String("reports/")})
	if err != nil || len(versions.DeleteMarkers) != 1 || len(versions.Versions) != 1 {
		t.Fatalf("after removing one of two markers: %+v, %v", versions, err)
	}

	records, _ := l.srv.acct.Trail.Since(0)
	names := map[string]bool{}
	for _, r := range records {
		names[r.EventName] = true
	}
	for _, want := range []string{"PutBucketVersioning", "GetBucketVersioning", "ListObjectVersions", "DeleteObject"} {
		if !names[want] {
			t.Errorf("the trail has no %s: %v", want, names)
		}
	}
	if names["GetBucketLocation"] {
		t.Error("a versioning call was logged as GetBucketLocation")
	}
}

// The recovery a responder makes with the real CLI: versioning on, an
// object deleted, its versions listed, the delete marker removed, the
// object back as it was.
func TestVersionRecoveryFromTheAWSCLI(t *testing.T) {
	l := newLab(t)
	steps := []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"s3api", "put-bucket-versioning", "--bucket", "acme-site", "--versioning-configuration", "Status=Enabled"}, ""},
		{"", []string{"s3api", "get-bucket-versioning", "--bucket", "acme-site"}, `"Status": "Enabled"`},
		{"quarterly figures\n", []string{"s3", "cp", "-", "s3://acme-site/reports/q3.csv"}, ""},
		{"", []string{"s3", "rm", "s3://acme-site/reports/q3.csv"}, "delete: s3://acme-site/reports/q3.csv"},
		{"", []string{"s3api", "list-object-versions", "--bucket", "acme-site", "--prefix", "reports/", "--query", "DeleteMarkers[0].VersionId", "--output", "text"}, ""},
	}
	var marker string
	for _, s := range steps {
		out, err := l.awsCLIWith(t, s.stdin, s.args...)
		if err != nil || !strings.Contains(out, s.want) {
			t.Fatalf("aws %s: %v\n%s", strings.Join(s.args, " "), err, out)
		}
		marker = strings.TrimSpace(out)
	}
	if marker == "" || marker == "None" {
		t.Fatal("no delete marker listed")
	}
	if out, err := l.awsCLI(t, "s3api", "delete-object", "--bucket", "acme-site", "--key", "reports/q3.csv", "--version-id", marker); err != nil {
		t.Fatalf("delete the marker: %v\n%s", err, out)
	}
	out, err := l.awsCLI(t, "s3", "cp", "s3://acme-site/reports/q3.csv", "-")
	if err != nil || out != "quarterly figures\n" {
		t.Fatalf("the object after recovery: %v\n%q", err, out)
	}

	// A bucket never versioned says nothing of versioning, as on S3.
	if out, err := l.awsCLI(t, "s3api", "get-bucket-versioning", "--bucket", "acme-public"); err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("get-bucket-versioning of a bucket never versioned: %v\n%q", err, out)
	}
	// An old version copied back on top: the textbook restore.
	if out, err := l.awsCLIWith(t, "ransomed\n", "s3", "cp", "-", "s3://acme-site/reports/q3.csv"); err != nil {
		t.Fatalf("overwrite: %v\n%s", err, out)
	}
	oldest, err := l.awsCLI(t, "s3api", "list-object-versions", "--bucket", "acme-site", "--prefix", "reports/q3.csv", "--query", "Versions[-1].VersionId", "--output", "text")
	if err != nil {
		t.Fatalf("list: %v\n%s", err, oldest)
	}
	if out, err := l.awsCLI(t, "s3api", "copy-object", "--bucket", "acme-site", "--key", "reports/q3.csv",
		"--copy-source", "acme-site/reports/q3.csv?versionId="+strings.TrimSpace(oldest)); err != nil || !strings.Contains(out, "CopyObjectResult") {
		t.Fatalf("copy-object of a version: %v\n%s", err, out)
	}
	if out, err := l.awsCLI(t, "s3", "cp", "s3://acme-site/reports/q3.csv", "-"); err != nil || out != "quarterly figures\n" {
		t.Fatalf("after copying the old version back: %v\n%q", err, out)
	}
	if out, err := l.awsCLI(t, "s3api", "copy-object", "--bucket", "acme-site", "--key", "reports/q3.csv",
		"--copy-source", "acme-site/reports/q3.csv?versionId=3/no-such-version"); err == nil || !strings.Contains(out, "NoSuchVersion") {
		t.Fatalf("copy-object of a version that is not there: %v\n%s", err, out)
	}

	// Deleted in bulk (s3 rm --recursive sends DeleteObjects), read by
	// version, and brought back in bulk by removing the markers with
	// delete-objects, as a responder with many objects does.
	if out, err := l.awsCLI(t, "s3", "rm", "--recursive", "s3://acme-site/reports/"); err != nil || !strings.Contains(out, "delete: s3://acme-site/reports/q3.csv") {
		t.Fatalf("s3 rm --recursive: %v\n%s", err, out)
	}
	out, err = l.awsCLI(t, "s3api", "list-object-versions", "--bucket", "acme-site", "--prefix", "reports/",
		"--query", "[DeleteMarkers[?IsLatest].VersionId | [0], Versions[?IsLatest==`false`].VersionId | [0]]", "--output", "text")
	fields := strings.Fields(out)
	if err != nil || len(fields) != 2 {
		t.Fatalf("the marker and the version under it: %v\n%s", err, out)
	}
	marker, version := fields[0], fields[1]
	if out, err := l.awsCLI(t, "s3api", "get-object", "--bucket", "acme-site", "--key", "reports/q3.csv", "--version-id", version, "/dev/null"); err != nil || !strings.Contains(out, version) {
		t.Fatalf("get-object by version: %v\n%s", err, out)
	}
	if out, err := l.awsCLI(t, "s3api", "delete-objects", "--bucket", "acme-site", "--delete",
		`{"Objects": [{"Key": "reports/q3.csv", "VersionId": "`+marker+`"}]}`); err != nil || !strings.Contains(out, marker) {
		t.Fatalf("delete-objects of the marker: %v\n%s", err, out)
	}
	out, err = l.awsCLI(t, "s3", "cp", "s3://acme-site/reports/q3.csv", "-")
	if err != nil || out != "quarterly figures\n" {
		t.Fatalf("the object after a bulk recovery: %v\n%q", err, out)
	}
}

// The rest of what an intruder with an admin's key does, and a responder
// undoes, from the real CLI: a second access key, a bucket policy that
// grants an outside account, and the bucket copied out with s3 sync.
func TestBackdoorCallsFromTheAWSCLI(t *testing.T) {
	l := newLab(t)
	dir := t.TempDir()
	out, err := l.awsCLI(t, "iam", "create-access-key", "--user-name", "intern", "--query", "AccessKey.AccessKeyId", "--output", "text")
	key := strings.TrimSpace(out)
	if err != nil || !strings.HasPrefix(key, "AKIA") {
		t.Fatalf("create-access-key: %v\n%s", err, out)
	}
	if out, err := l.awsCLI(t, "iam", "list-access-keys", "--user-name", "intern"); err != nil || !strings.Contains(out, key) {
		t.Fatalf("list-access-keys: %v\n%s", err, out)
	}
	if out, err := l.awsCLI(t, "iam", "list-users"); err != nil || !strings.Contains(out, `"UserName": "intern"`) {
		t.Fatalf("list-users: %v\n%s", err, out)
	}
	if out, err := l.awsCLI(t, "iam", "delete-access-key", "--user-name", "intern", "--access-key-id", key); err != nil {
		t.Fatalf("delete-access-key: %v\n%s", err, out)
	}
	if out, err := l.awsCLI(t, "iam", "list-access-keys", "--user-name", "intern"); err != nil || strings.Contains(out, key) {
		t.Fatalf("the deleted key is still listed: %v\n%s", err, out)
	}
	outside := `{"Version":"2012-10-17","Statement":[{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::acme-customer-data","arn:aws:s3:::acme-customer-data/*"]}]}`
	if out, err := l.awsCLI(t, "s3api", "put-bucket-policy", "--bucket", "acme-customer-data", "--policy", outside); err != nil {
		t.Fatalf("put-bucket-policy with an outside account: %v\n%s", err, out)
	}
	if out, err := l.awsCLI(t, "s3api", "get-bucket-policy", "--bucket", "acme-customer-data", "--query", "Policy", "--output", "text"); err != nil || !strings.Contains(out, "999988887777") {
		t.Fatalf("get-bucket-policy: %v\n%s", err, out)
	}
	target := dir // the workstation's CLI writes inside its own container
	if os.Getenv("SAKIMORI_TEST_WORKSTATION") == "1" {
		target = "/tmp/site"
	}
	if out, err := l.awsCLI(t, "s3", "sync", "s3://acme-site", target); err != nil || !strings.Contains(out, "download: s3://acme-site/public/index.html") {
		t.Fatalf("s3 sync: %v\n%s", err, out)
	}
}

// A ransomware-style overwrite then delete is undone as on S3: the marker
// and the intruder's version are removed by the ids they were listed
// under, in either order, and the record is current again under its own
// id; a version's head reads whether or not it is current.
func TestOverwriteThenDeleteIsUndoneByListedIDs(t *testing.T) {
	for _, markerFirst := range []bool{true, false} {
		l := newLab(t)
		ctx := context.Background()
		s3c := l.s3(l.analyst())
		bucket, key := aws.String("acme-site"), aws.String("records/customers.csv")
		if _, err := s3c.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: bucket,
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
		put := func(body string) string {
			out, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: bucket, Key: key, Body: strings.NewReader(body)})
			if err != nil {
				t.Fatal(err)
			}
			return *out.VersionId
		}
		record := put("id,name\n1001,Aiko\n")
		scrambled := put("ACME-7F3K-2291 scrambled")
		del, err := s3c.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: bucket, Key: key})
		if err != nil || del.VersionId == nil {
			t.Fatalf("delete: %+v, %v", del, err)
		}
		if _, err := s3c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: bucket, Key: key, VersionId: aws.String(record)}); err != nil {
			t.Fatalf("the head of a version under a marker: %v", err)
		}
		order := []string{*del.VersionId, scrambled}
		if !markerFirst {
			order = []string{scrambled, *del.VersionId}
		}
		for _, id := range order {
			if _, err := s3c.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: bucket, Key: key, VersionId: aws.String(id)}); err != nil {
				t.Fatal(err)
			}
		}
		obj, err := s3c.GetObject(ctx, &awss3.GetObjectInput{Bucket: bucket, Key: key})
		if err != nil {
			t.Fatalf("marker first %v: the record after the undoing: %v", markerFirst, err)
		}
		body, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		if string(body) != "id,name\n1001,Aiko\n" || *obj.VersionId != record {
			t.Fatalf("marker first %v: current is %q under %s, want the record under %s", markerFirst, body, *obj.VersionId, record)
		}
		list, err := s3c.ListObjectVersions(ctx, &awss3.ListObjectVersionsInput{Bucket: bucket, Prefix: aws.String("records/")})
		if err != nil || len(list.Versions) != 1 || len(list.DeleteMarkers) != 0 || *list.Versions[0].VersionId != record {
			t.Fatalf("marker first %v: versions left: %+v, %v", markerFirst, list, err)
		}
	}
}

// A copy reads its source: a caller who may write the target but not read
// the source is refused, for the current object and for a named version
// alike (s3:GetObject, s3:GetObjectVersion), and nothing is written.
func TestCopyNeedsReadingTheSource(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	s3c := l.s3(l.analyst())
	// The analyst may not read the customer data's objects (the world's
	// policy) nor, from here on, their versions.
	if _, err := awsiam.NewFromConfig(l.analyst()).PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("analyst"), PolicyName: aws.String("no-versions"),
		PolicyDocument: aws.String(`{"Statement":{"Effect":"Deny","Action":"s3:GetObjectVersion","Resource":"arn:aws:s3:::acme-customer-data/*"}}`)}); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"acme-customer-data/flag.txt", "acme-customer-data/flag.txt?versionId=null"} {
		_, err := s3c.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("acme-public"), Key: aws.String("copied.txt"), CopySource: aws.String(src)})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
			t.Errorf("copying %s: %v", src, err)
		}
		if _, err := s3c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("acme-public"), Key: aws.String("copied.txt")}); err == nil {
			t.Fatalf("copying %s wrote the target", src)
		}
	}
}
