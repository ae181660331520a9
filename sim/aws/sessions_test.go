package aws

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/sakimori/sakimori/sim/aws/ec2"
)

// Hardening the metadata service does not take back credentials already
// stolen: they work until they expire, or until the role's older sessions
// are revoked (a Deny on aws:TokenIssueTime, as the console writes). The
// instance then gets fresh credentials, which work.
func TestRevokingOlderSessionsStopsStolenCredentials(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	stolen := l.roleConfig(t)
	read := func(cfg aws.Config) error {
		_, err := l.s3(cfg).GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("acme-customer-data"), Key: aws.String("flag.txt")})
		return err
	}
	if err := read(stolen); err != nil {
		t.Fatalf("the stolen session before the revoke: %v", err)
	}
	// The session was taken an hour ago; the revoke is for a minute ago.
	for _, k := range l.srv.acct.Keys {
		if k.Role != nil {
			k.Created = time.Now().Add(-time.Hour)
		}
	}
	revoke := `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` +
		time.Now().Add(-time.Minute).UTC().Format(time.RFC3339) + `"}}}}`
	if _, err := awsiam.NewFromConfig(l.analyst()).PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("web-app-role"),
		PolicyName: aws.String("AWSRevokeOlderSessions"), PolicyDocument: aws.String(revoke)}); err != nil {
		t.Fatal(err)
	}
	var apiErr smithy.APIError
	if err := read(stolen); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Fatalf("the stolen session after the revoke: %v", err)
	}
	fresh := l.roleConfig(t)
	keyOf := func(cfg aws.Config) string { c, _ := cfg.Credentials.Retrieve(ctx); return c.AccessKeyID }
	if keyOf(fresh) == keyOf(stolen) {
		t.Fatal("the metadata service handed out the revoked session again")
	}
	if err := read(fresh); err != nil {
		t.Fatalf("the instance's fresh session: %v", err)
	}
	inst := l.srv.acct.Instances["i-0a3f9c2e7b1d45e68"]
	again, _ := ec2.Credentials(l.srv.acct, inst, "v2", "/")
	if keyOf(fresh) != again.AccessKeyID {
		t.Fatalf("the instance's session changed again without a policy change: %s, then %s", keyOf(fresh), again.AccessKeyID)
	}
}

// A listing narrowed by s3:prefix, from the AWS SDK: the prefix the
// policy names is listed, any other is refused.
func TestListingNarrowedByPrefix(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::acme-customer-data",
		"Condition":{"StringLike":{"s3:prefix":["exports/*"]}}}}`
	if _, err := awsiam.NewFromConfig(l.analyst()).PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("intern"),
		PolicyName: aws.String("exports-only"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	intern := l.s3(l.config("AKIAINTERN0000000001", "intern-secret", ""))
	if _, err := intern.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("acme-customer-data"), Prefix: aws.String("exports/2019")}); err != nil {
		t.Fatalf("the allowed prefix: %v", err)
	}
	var apiErr smithy.APIError
	for _, p := range []*string{aws.String("secrets/"), nil} {
		if _, err := intern.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("acme-customer-data"), Prefix: p}); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
			t.Fatalf("prefix %v: %v", p, err)
		}
	}
}

// Who calls reaches a policy's string conditions on every path: a user's
// aws:username on an IAM call, a role session's aws:PrincipalArn (the
// role's, as IAM evaluates it) on an S3 read.
func TestConditionsOnWhoCalls(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	admin := awsiam.NewFromConfig(l.analyst())
	put := func(user string) {
		doc := `{"Statement":{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:username":"` + user + `"}}}}`
		if _, err := admin.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("intern"), PolicyName: aws.String("self"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	intern := awsiam.NewFromConfig(l.config("AKIAINTERN0000000001", "intern-secret", ""))
	put("intern")
	if _, err := intern.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("a condition naming the caller: %v", err)
	}
	put("someone-else")
	var apiErr smithy.APIError
	if _, err := intern.ListUsers(ctx, &awsiam.ListUsersInput{}); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Fatalf("a condition naming another user: %v", err)
	}
	deny := `{"Statement":{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/web-app-role"}}}}`
	if _, err := admin.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("web-app-role"), PolicyName: aws.String("no-reads"), PolicyDocument: aws.String(deny)}); err != nil {
		t.Fatal(err)
	}
	_, err := l.s3(l.roleConfig(t)).GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("acme-public"), Key: aws.String("banner.txt")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Fatalf("a role session under a Deny on its role's ARN: %v", err)
	}
}
