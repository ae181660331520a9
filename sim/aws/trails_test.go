package aws

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
)

// delivered reads every log file the trail has written to its bucket and
// returns the names of the events in them.
func (l *lab) delivered(t *testing.T) map[string]int {
	t.Helper()
	l.srv.delivery.Once()
	ctx := context.Background()
	s3c := l.s3(l.analyst())
	files, err := s3c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("acme-trail")})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for _, f := range files.Contents {
		obj, err := s3c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("acme-trail"), Key: f.Key})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		var body io.Reader = bytes.NewReader(raw)
		if zr, err := gzip.NewReader(bytes.NewReader(raw)); err == nil {
			body = zr
		}
		var file struct{ Records []struct{ EventName string } }
		if err := json.NewDecoder(body).Decode(&file); err != nil {
			t.Fatalf("%s: %v", *f.Key, err)
		}
		for _, r := range file.Records {
			names[r.EventName]++
		}
	}
	return names
}

// A stopped trail has a gap: what happens while it is stopped is in the
// event history but in none of its files, and both ends of the gap are.
// Event selectors that leave out management events leave them out of the
// files too; a deleted trail is gone until created again.
func TestStoppingTheTrailLeavesAGap(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(l.analyst())
	sts := awssts.NewFromConfig(l.analyst())
	name := aws.String(TrailName)

	status, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: name})
	if err != nil || !*status.IsLogging {
		t.Fatalf("a new lab's trail: %+v, %v", status, err)
	}
	if _, err := ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: name}); err != nil {
		t.Fatal(err)
	}
	if _, err := sts.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	status, err = ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: name})
	if err != nil || *status.IsLogging || status.StopLoggingTime == nil {
		t.Fatalf("a stopped trail: %+v, %v", status, err)
	}
	arn := "arn:aws:cloudtrail:us-east-1:210987654321:trail/" + TrailName
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(arn)}); err != nil {
		t.Fatalf("start by ARN: %v", err)
	}
	got := l.delivered(t)
	if got["StopLogging"] != 1 || got["StartLogging"] != 1 || got["GetCallerIdentity"] != 0 || got["GetTrailStatus"] != 1 {
		t.Fatalf("the files hold %v: want both ends of the gap and nothing from inside it", got)
	}
	history, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("GetCallerIdentity")}}})
	if err != nil || len(history.Events) != 1 {
		t.Fatalf("the event history lacks the call made in the gap: %+v, %v", history, err)
	}

	// Selectors that leave out management events.
	_, err = ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: name,
		EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(false)}}})
	if err != nil {
		t.Fatal(err)
	}
	sel, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: name})
	if err != nil || len(sel.EventSelectors) != 1 || *sel.EventSelectors[0].IncludeManagementEvents {
		t.Fatalf("selectors: %+v, %v", sel, err)
	}
	_, _ = sts.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	// Even the ends of a gap are management events: with them left out,
	// a stop and a start leave nothing in the files.
	for _, call := range []func() error{
		func() error { _, err := ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: name}); return err },
		func() error { _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: name}); return err },
	} {
		if err := call(); err != nil {
			t.Fatal(err)
		}
	}
	if got := l.delivered(t); got["GetCallerIdentity"] != 0 || got["GetEventSelectors"] != 0 || got["StopLogging"] != 1 || got["StartLogging"] != 1 {
		t.Fatalf("management events reached the files with management events off: %v", got)
	}
	if _, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: name,
		EventSelectors: []cttypes.EventSelector{{ReadWriteType: "Sometimes"}}}); code(err) != "InvalidEventSelectorsException" {
		t.Fatalf("a bad read-write type: %v", err)
	}

	// Deleted, then made again: not logging until started.
	if _, err := ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: name}); err != nil {
		t.Fatal(err)
	}
	trails, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(trails.TrailList) != 0 {
		t.Fatalf("trails after delete: %+v, %v", trails, err)
	}
	if _, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: name}); code(err) != "TrailNotFoundException" {
		t.Fatalf("status of a deleted trail: %v", err)
	}
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: name, S3BucketName: aws.String("no-such-bucket")}); code(err) != "S3BucketDoesNotExistException" {
		t.Fatalf("a trail to a missing bucket: %v", err)
	}
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: name, S3BucketName: aws.String("acme-trail"), IsMultiRegionTrail: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if status, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: name}); err != nil || *status.IsLogging {
		t.Fatalf("a new trail logs before it is started: %+v, %v", status, err)
	}

	// Someone without the permission cannot stop it.
	intern := cloudtrail.NewFromConfig(l.config("AKIAINTERN0000000001", "intern-secret", ""))
	if _, err := intern.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: name}); code(err) != "AccessDeniedException" {
		t.Fatalf("an intern stopping the trail: %v", err)
	}
}

// awsCLI runs the real AWS CLI against the lab as the analyst: the
// workstation image's when SAKIMORI_TEST_WORKSTATION=1 (sharing this
// machine's loopback), else this machine's; skipped where neither is.
func (l *lab) awsCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return l.awsCLIWith(t, "", args...)
}

// awsCLIWith is awsCLI with stdin.
func (l *lab) awsCLIWith(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	args = append([]string{"--endpoint-url", l.url, "--region", "us-east-1", "--output", "json"}, args...)
	env := []string{"AWS_ACCESS_KEY_ID=AKIAANALYST000000001", "AWS_SECRET_ACCESS_KEY=analyst-secret", "AWS_PAGER=", "HOME=" + t.TempDir()}
	var cmd *exec.Cmd
	if os.Getenv("SAKIMORI_TEST_WORKSTATION") == "1" {
		run := []string{"run", "--rm", "-i", "--network", "host"}
		for _, e := range env[:3] {
			run = append(run, "-e", e)
		}
		cmd = exec.Command("docker", append(append(run, "sakimori-lab/workstation:latest", "aws"), args...)...)
	} else {
		bin, err := exec.LookPath("aws")
		if err != nil {
			t.Skip("the AWS CLI is not installed")
		}
		cmd = exec.Command(bin, args...)
		cmd.Env = append(env, "PATH="+os.Getenv("PATH"))
	}
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The responder's and the intruder's trail calls, from the real CLI.
func TestTrailCallsFromTheAWSCLI(t *testing.T) {
	l := newLab(t)
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"cloudtrail", "describe-trails"}, `"S3BucketName": "acme-trail"`},
		{[]string{"cloudtrail", "get-trail-status", "--name", TrailName}, `"IsLogging": true`},
		{[]string{"cloudtrail", "stop-logging", "--name", TrailName}, ""},
		{[]string{"cloudtrail", "get-trail-status", "--name", TrailName}, `"IsLogging": false`},
		{[]string{"cloudtrail", "put-event-selectors", "--trail-name", TrailName, "--event-selectors",
			`[{"ReadWriteType": "All", "IncludeManagementEvents": false}]`}, `"IncludeManagementEvents": false`},
		{[]string{"cloudtrail", "get-event-selectors", "--trail-name", TrailName}, `"IncludeManagementEvents": false`},
		{[]string{"cloudtrail", "start-logging", "--name", TrailName}, ""},
		{[]string{"cloudtrail", "delete-trail", "--name", TrailName}, ""},
		{[]string{"cloudtrail", "describe-trails"}, `"trailList": []`},
		{[]string{"cloudtrail", "create-trail", "--name", TrailName, "--s3-bucket-name", "acme-trail", "--is-multi-region-trail"}, `"S3BucketName": "acme-trail"`},
		{[]string{"cloudtrail", "start-logging", "--name", TrailName}, ""},
		{[]string{"cloudtrail", "get-trail-status", "--name", TrailName}, `"IsLogging": true`},
	}
	for _, s := range steps {
		out, err := l.awsCLI(t, s.args...)
		if err != nil || !strings.Contains(out, s.want) {
			t.Fatalf("aws %s: %v\n%s", strings.Join(s.args, " "), err, out)
		}
	}
	out, err := l.awsCLI(t, "cloudtrail", "get-trail-status", "--name", "another-trail")
	if err == nil || !strings.Contains(out, "TrailNotFoundException") {
		t.Fatalf("an unknown trail: %v\n%s", err, out)
	}
}
