package aws

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
)

// The calls a responder makes with the real AWS CLI answer as on AWS.

func TestLookupEventsKeepsToItsTimeRange(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	_, _ = awssts.NewFromConfig(l.analyst()).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	ct := cloudtrail.NewFromConfig(l.analyst())
	count := func(start, end time.Time) int {
		out, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: &start, EndTime: &end})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Events)
	}
	now := time.Now()
	if n := count(now.Add(-time.Hour), now.Add(time.Hour)); n == 0 {
		t.Fatal("no events in the hour around now")
	}
	if n := count(now.Add(time.Hour), now.Add(2*time.Hour)); n != 0 {
		t.Fatalf("%d events from the future", n)
	}
	if n := count(now.Add(-3*time.Hour), now.Add(-2*time.Hour)); n != 0 {
		t.Fatalf("%d events from before the lab", n)
	}
	if _, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour))}); code(err) != "InvalidTimeRangeException" {
		t.Fatalf("an end before the start: %v", err)
	}
}

func TestResponderCallsAnswer(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	iam := awsiam.NewFromConfig(l.analyst())
	roles, err := iam.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("web-app-role")})
	if err != nil || len(roles.AttachedPolicies) != 0 {
		t.Fatalf("attached role policies: %+v, %v", roles, err)
	}
	if _, err := iam.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("nope")}); code(err) != "NoSuchEntity" {
		t.Fatalf("an unknown role: %v", err)
	}
	users, err := iam.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: aws.String("analyst")})
	if err != nil || len(users.AttachedPolicies) != 0 {
		t.Fatalf("attached user policies: %+v, %v", users, err)
	}
	trails, err := cloudtrail.NewFromConfig(l.analyst()).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(trails.TrailList) != 1 || *trails.TrailList[0].S3BucketName != "acme-trail" || !*trails.TrailList[0].IsMultiRegionTrail {
		t.Fatalf("trails: %+v, %v", trails, err)
	}
	regions, err := awsec2.NewFromConfig(l.analyst()).DescribeRegions(ctx, &awsec2.DescribeRegionsInput{})
	if err != nil || len(regions.Regions) < 10 {
		t.Fatalf("regions: %+v, %v", regions, err)
	}
}

func TestSessionTokenOfAUser(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	out, err := awssts.NewFromConfig(l.analyst()).GetSessionToken(ctx, &awssts.GetSessionTokenInput{})
	if err != nil || !strings.HasPrefix(*out.Credentials.AccessKeyId, "ASIA") {
		t.Fatalf("session token: %+v, %v", out, err)
	}
	c := out.Credentials
	session := l.config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	who, err := awssts.NewFromConfig(session).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || *who.Arn != "arn:aws:iam::210987654321:user/analyst" {
		t.Fatalf("the session is the user's: %+v, %v", who, err)
	}
	if _, err := awssts.NewFromConfig(l.config(*c.AccessKeyId, *c.SecretAccessKey, "")).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{}); code(err) != "InvalidClientTokenId" {
		t.Fatalf("a session key without its token: %v", err)
	}
	if _, err := awssts.NewFromConfig(session).GetSessionToken(ctx, &awssts.GetSessionTokenInput{}); code(err) != "AccessDenied" {
		t.Fatalf("a session asking for another: %v", err)
	}
	keys, _ := awsiam.NewFromConfig(l.analyst()).ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{})
	if len(keys.AccessKeyMetadata) != 1 {
		t.Fatalf("sessions listed as access keys: %+v", keys.AccessKeyMetadata)
	}
}

// Terminated instances shut down first, and the trail's RunInstances
// record lists the instances it made.
func TestInstancesShutDownAndLaunchesAreListed(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	c := awsec2.NewFromConfig(l.analyst())
	run, err := c.RunInstances(ctx, &awsec2.RunInstancesInput{ImageId: aws.String("ami-miner"), MinCount: aws.Int32(2), MaxCount: aws.Int32(2), InstanceType: "p3.16xlarge"})
	if err != nil {
		t.Fatal(err)
	}
	records, _ := l.srv.acct.Trail.Since(0)
	var listed []string
	for _, r := range records {
		if r.EventName == "RunInstances" {
			for _, item := range r.ResponseElements["instancesSet"].(map[string]any)["items"].([]any) {
				listed = append(listed, item.(map[string]any)["instanceId"].(string))
			}
		}
	}
	if len(listed) != 2 || listed[0] != *run.Instances[0].InstanceId || listed[1] != *run.Instances[1].InstanceId {
		t.Fatalf("RunInstances lists %v", listed)
	}
	id := *run.Instances[0].InstanceId
	term, err := c.TerminateInstances(ctx, &awsec2.TerminateInstancesInput{InstanceIds: []string{id}})
	if err != nil || term.TerminatingInstances[0].CurrentState.Name != ec2types.InstanceStateNameShuttingDown {
		t.Fatalf("terminate: %+v, %v", term, err)
	}
	state := func() ec2types.InstanceStateName {
		out, err := c.DescribeInstances(ctx, &awsec2.DescribeInstancesInput{InstanceIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Reservations[0].Instances[0].State.Name
	}
	if s := state(); s != ec2types.InstanceStateNameShuttingDown {
		t.Fatalf("just after terminate: %s", s)
	}
	l.srv.acct.Instances[id].Ended = time.Now().Add(-time.Minute)
	if s := state(); s != ec2types.InstanceStateNameTerminated {
		t.Fatalf("a minute after terminate: %s", s)
	}
}

// Nothing of the emulator or the lab's network shows: the buckets' owner
// is the account, with no display name (S3 no longer sends one), and the
// trail names S3's host, not the address the request went to.
func TestNoEmulatorOrLabAddressInWhatS3Shows(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	out, err := l.s3(l.analyst()).ListBuckets(ctx, nil)
	if err != nil || out.Owner == nil || *out.Owner.ID != "210987654321" || out.Owner.DisplayName != nil || len(out.Buckets) != 4 {
		t.Fatalf("list-buckets: %+v, %v", out, err)
	}
	if _, err := l.s3(l.analyst()).GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("acme-public"), Key: aws.String("banner.txt")}); err != nil {
		t.Fatal(err)
	}
	records, _ := l.srv.acct.Trail.Since(0)
	host := strings.TrimPrefix(l.url, "http://")
	for _, r := range records {
		if r.EventSource != "s3.amazonaws.com" {
			continue
		}
		if r.RequestParameters["Host"] != "s3.us-east-1.amazonaws.com" || strings.Contains(fmt.Sprint(r.RequestParameters), host) {
			t.Fatalf("%s names the lab's host: %v", r.EventName, r.RequestParameters)
		}
		if _, named := r.RequestParameters["bucketName"]; r.EventName == "ListBuckets" && named {
			t.Fatalf("ListBuckets names a bucket: %v", r.RequestParameters)
		}
	}
	// The trail's bucket lets CloudTrail write, as the console sets it up,
	// and that service is no outsider.
	policy, err := l.s3(l.analyst()).GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: aws.String("acme-trail")})
	if err != nil || !strings.Contains(*policy.Policy, `"Service": "cloudtrail.amazonaws.com"`) {
		t.Fatalf("the trail bucket's policy: %v, %v", policy, err)
	}
}

// IAM's quota holds a user to two access keys, and users are in no group.
func TestAccessKeyQuotaAndGroups(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	iam := awsiam.NewFromConfig(l.analyst())
	if _, err := iam.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("intern")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("intern")}); code(err) != "LimitExceeded" {
		t.Fatalf("a third key: %v", err)
	}
	groups, err := iam.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("intern")})
	if err != nil || len(groups.Groups) != 0 {
		t.Fatalf("groups: %+v, %v", groups, err)
	}
	if _, err := iam.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("nobody")}); code(err) != "NoSuchEntity" {
		t.Fatalf("groups of no one: %v", err)
	}
}

// A key that does not exist, or was deactivated, is refused in each
// service's own words, and the same words for both: the caller cannot tell
// a deactivated key from one never made.
func TestUnknownAndInactiveKeysAnswerAsAWSDoes(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	made, err := awsiam.NewFromConfig(l.analyst()).CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id, secret := *made.AccessKey.AccessKeyId, *made.AccessKey.SecretAccessKey
	if _, err := awsiam.NewFromConfig(l.analyst()).UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{AccessKeyId: &id, Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []aws.Config{l.config("AKIAUNKNOWN000000001", "x", ""), l.config(id, secret, "")} {
		_, err := awssts.NewFromConfig(cfg).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
		if code(err) != "InvalidClientTokenId" || !strings.Contains(err.Error(), "The security token included in the request is invalid.") {
			t.Errorf("STS: %v", err)
		}
		_, err = awsec2.NewFromConfig(cfg).DescribeInstances(ctx, &awsec2.DescribeInstancesInput{})
		if code(err) != "AuthFailure" || !strings.Contains(err.Error(), "AWS was not able to validate the provided access credentials") {
			t.Errorf("EC2: %v", err)
		}
		_, err = l.s3(cfg).ListBuckets(ctx, &awss3.ListBucketsInput{})
		if code(err) != "InvalidAccessKeyId" || !strings.Contains(err.Error(), "does not exist in our records") {
			t.Errorf("S3: %v", err)
		}
	}
}

// A responder may stop a miner rather than terminate it, keeping its disks
// for evidence: stopping, then stopped; started again, running. A
// terminated one can be neither; the lab's own hosts may not be stopped;
// one unknown id changes nothing.
func TestInstancesStopAndStart(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	c := awsec2.NewFromConfig(l.analyst())
	run, err := c.RunInstances(ctx, &awsec2.RunInstancesInput{ImageId: aws.String("ami-miner"), MinCount: aws.Int32(2), MaxCount: aws.Int32(2), InstanceType: "p3.16xlarge"})
	if err != nil {
		t.Fatal(err)
	}
	a, b := *run.Instances[0].InstanceId, *run.Instances[1].InstanceId
	if _, err := c.StopInstances(ctx, &awsec2.StopInstancesInput{InstanceIds: []string{a, "i-0000000000000dead"}}); code(err) != "InvalidInstanceID.NotFound" {
		t.Fatalf("stopping with an unknown id: %v", err)
	}
	state := func(id string) ec2types.InstanceStateName {
		out, err := c.DescribeInstances(ctx, &awsec2.DescribeInstancesInput{InstanceIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Reservations[0].Instances[0].State.Name
	}
	if s := state(a); s != ec2types.InstanceStateNameRunning {
		t.Fatalf("a call with an unknown id changed %s: %s", a, s)
	}
	stop, err := c.StopInstances(ctx, &awsec2.StopInstancesInput{InstanceIds: []string{a}})
	if err != nil || stop.StoppingInstances[0].CurrentState.Name != ec2types.InstanceStateNameStopping {
		t.Fatalf("stop: %+v, %v", stop, err)
	}
	l.srv.acct.Instances[a].Ended = time.Now().Add(-time.Minute)
	if s := state(a); s != ec2types.InstanceStateNameStopped {
		t.Fatalf("a minute after stop: %s", s)
	}
	if _, err := c.StartInstances(ctx, &awsec2.StartInstancesInput{InstanceIds: []string{a}}); err != nil {
		t.Fatal(err)
	}
	if s := state(a); s != ec2types.InstanceStateNameRunning {
		t.Fatalf("after start: %s", s)
	}
	if _, err := c.TerminateInstances(ctx, &awsec2.TerminateInstancesInput{InstanceIds: []string{b}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.StopInstances(ctx, &awsec2.StopInstancesInput{InstanceIds: []string{b}}); code(err) != "IncorrectInstanceState" {
		t.Fatalf("stopping a terminated instance: %v", err)
	}
	if _, err := c.StopInstances(ctx, &awsec2.StopInstancesInput{InstanceIds: []string{"i-0a3f9c2e7b1d45e68"}}); code(err) != "OperationNotPermitted" {
		t.Fatalf("stopping the lab's own host: %v", err)
	}
}

// Which role each instance runs as, by association: the instance's
// profile, as DescribeInstances names it; filters narrow the answer.
func TestInstanceProfileAssociations(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	c := awsec2.NewFromConfig(l.analyst())
	out, err := c.DescribeIamInstanceProfileAssociations(ctx, &awsec2.DescribeIamInstanceProfileAssociationsInput{})
	if err != nil || len(out.IamInstanceProfileAssociations) != 1 {
		t.Fatalf("%+v, %v", out, err)
	}
	as := out.IamInstanceProfileAssociations[0]
	if *as.InstanceId != "i-0a3f9c2e7b1d45e68" || *as.IamInstanceProfile.Arn != "arn:aws:iam::210987654321:instance-profile/web-app-role" || as.State != "associated" {
		t.Fatalf("association: %+v %+v", as, *as.IamInstanceProfile)
	}
	desc, _ := c.DescribeInstances(ctx, &awsec2.DescribeInstancesInput{InstanceIds: []string{"i-0a3f9c2e7b1d45e68"}})
	if got := *desc.Reservations[0].Instances[0].IamInstanceProfile.Id; got != *as.IamInstanceProfile.Id {
		t.Fatalf("profile id %s here, %s in DescribeInstances", *as.IamInstanceProfile.Id, got)
	}
	none, err := c.DescribeIamInstanceProfileAssociations(ctx, &awsec2.DescribeIamInstanceProfileAssociationsInput{
		Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: []string{"i-0000000000000dead"}}}})
	if err != nil || len(none.IamInstanceProfileAssociations) != 0 {
		t.Fatalf("filtered to another instance: %+v, %v", none, err)
	}
}

// Object ACLs: an object reads as its bucket's ACL says until its own is
// set (PutObjectAcl, or an upload's canned ACL); a private bucket may
// still serve a public-read object, and a public one keep one private.
func TestObjectACLs(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	admin, anon := l.s3(l.analyst()), l.s3(l.config("", "", ""))
	readable := func(key string) bool {
		_, err := anon.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("acme-public"), Key: aws.String(key)})
		return err == nil
	}
	acl, err := admin.GetObjectAcl(ctx, &awss3.GetObjectAclInput{Bucket: aws.String("acme-public"), Key: aws.String("banner.txt")})
	if err != nil || len(acl.Grants) != 2 || !readable("banner.txt") {
		t.Fatalf("banner.txt in a public-read bucket: %+v, %v", acl, err)
	}
	if _, err := admin.PutObjectAcl(ctx, &awss3.PutObjectAclInput{Bucket: aws.String("acme-public"), Key: aws.String("banner.txt"), ACL: s3types.ObjectCannedACLPrivate}); err != nil {
		t.Fatal(err)
	}
	if readable("banner.txt") {
		t.Fatal("a private object in a public-read bucket was read anonymously")
	}
	if _, err := admin.PutBucketAcl(ctx, &awss3.PutBucketAclInput{Bucket: aws.String("acme-public"), ACL: s3types.BucketCannedACLPrivate}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("acme-public"), Key: aws.String("index.html"), Body: strings.NewReader("<h1>hi</h1>"), ACL: s3types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	if !readable("index.html") {
		t.Fatal("an object uploaded public-read to a private bucket was refused")
	}
	if _, err := anon.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("acme-public")}); code(err) != "AccessDenied" {
		t.Fatalf("listing a private bucket anonymously: %v", err)
	}
	if _, err := admin.GetObjectAcl(ctx, &awss3.GetObjectAclInput{Bucket: aws.String("acme-public"), Key: aws.String("missing.txt")}); code(err) != "NoSuchKey" {
		t.Fatalf("the ACL of a missing object: %v", err)
	}
}

// A bucket's website configuration: the world's index document, or S3's
// error for a bucket with none; put and deleted as on S3.
func TestBucketWebsite(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	s3c := l.s3(l.analyst())
	if _, err := s3c.GetBucketWebsite(ctx, &awss3.GetBucketWebsiteInput{Bucket: aws.String("acme-public")}); code(err) != "NoSuchWebsiteConfiguration" {
		t.Fatalf("a bucket with no website: %v", err)
	}
	if _, err := s3c.PutBucketWebsite(ctx, &awss3.PutBucketWebsiteInput{Bucket: aws.String("acme-public"),
		WebsiteConfiguration: &s3types.WebsiteConfiguration{IndexDocument: &s3types.IndexDocument{Suffix: aws.String("home.html")}}}); err != nil {
		t.Fatal(err)
	}
	out, err := s3c.GetBucketWebsite(ctx, &awss3.GetBucketWebsiteInput{Bucket: aws.String("acme-public")})
	if err != nil || *out.IndexDocument.Suffix != "home.html" {
		t.Fatalf("the website put: %+v, %v", out, err)
	}
	if _, err := s3c.DeleteBucketWebsite(ctx, &awss3.DeleteBucketWebsiteInput{Bucket: aws.String("acme-public")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.GetBucketWebsite(ctx, &awss3.GetBucketWebsiteInput{Bucket: aws.String("acme-public")}); code(err) != "NoSuchWebsiteConfiguration" {
		t.Fatalf("after delete: %v", err)
	}
}
