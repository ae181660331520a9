package aws

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// EC2 is regional: instances started in another region are not seen,
// described or terminated from the home one; their records name their
// region, land in its folder of the trail, and show in its event history
// only. This is what hides a miner from a responder who looks at one
// region.
func TestEC2IsRegional(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	tokyo := l.analyst()
	tokyo.Region = "ap-northeast-1"
	home := awsec2.NewFromConfig(l.analyst())
	away := awsec2.NewFromConfig(tokyo)

	run, err := away.RunInstances(ctx, &awsec2.RunInstancesInput{ImageId: aws.String("ami-miner"), MinCount: aws.Int32(2), MaxCount: aws.Int32(2), InstanceType: "p3.16xlarge"})
	if err != nil {
		t.Fatal(err)
	}
	id := *run.Instances[0].InstanceId
	if az := *run.Instances[0].Placement.AvailabilityZone; az != "ap-northeast-1a" {
		t.Fatalf("started in %s", az)
	}

	all, err := home.DescribeInstances(ctx, &awsec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all.Reservations {
		for _, i := range r.Instances {
			if *i.InstanceId == id {
				t.Fatalf("the home region lists %s, started in ap-northeast-1", id)
			}
		}
	}
	var apiErr smithy.APIError
	if _, err := home.DescribeInstances(ctx, &awsec2.DescribeInstancesInput{InstanceIds: []string{id}}); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidInstanceID.NotFound" {
		t.Fatalf("describing %s from the home region: %v", id, err)
	}
	if _, err := home.TerminateInstances(ctx, &awsec2.TerminateInstancesInput{InstanceIds: []string{id}}); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidInstanceID.NotFound" {
		t.Fatalf("terminating %s from the home region: %v", id, err)
	}
	there, err := away.DescribeInstances(ctx, &awsec2.DescribeInstancesInput{})
	if err != nil || len(there.Reservations) != 1 || len(there.Reservations[0].Instances) != 2 {
		t.Fatalf("ap-northeast-1 lists %+v, %v", there, err)
	}
	if _, err := away.TerminateInstances(ctx, &awsec2.TerminateInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatalf("terminating %s in its region: %v", id, err)
	}

	// The trail's file for the region, and its event history.
	l.srv.delivery.Once()
	files, err := l.s3(l.analyst()).ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("acme-trail")})
	if err != nil {
		t.Fatal(err)
	}
	folders := map[string]bool{}
	for _, f := range files.Contents {
		parts := strings.Split(*f.Key, "/")
		folders[parts[3]] = true
	}
	if !folders["ap-northeast-1"] || !folders["us-east-1"] {
		t.Fatalf("the trail's region folders: %v", folders)
	}
	lookup := func(cfg aws.Config) int {
		out, err := cloudtrail.NewFromConfig(cfg).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
			LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("RunInstances")}}})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Events)
	}
	if n := lookup(l.analyst()); n != 0 {
		t.Fatalf("the home region's event history shows %d RunInstances", n)
	}
	if n := lookup(tokyo); n != 1 {
		t.Fatalf("ap-northeast-1's event history shows %d RunInstances", n)
	}
	records, _ := l.srv.acct.Trail.Since(0)
	for _, r := range records {
		if r.EventName == "RunInstances" && r.AWSRegion != "ap-northeast-1" {
			t.Fatalf("RunInstances recorded in %s", r.AWSRegion)
		}
	}
}

// A request signed for a region that does not exist is refused, in each
// service's words, and makes nothing.
func TestAnUnknownRegionIsRefused(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	moon := l.analyst()
	moon.Region = "moon-1"
	_, err := awsec2.NewFromConfig(moon).RunInstances(ctx, &awsec2.RunInstancesInput{ImageId: aws.String("ami-miner"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AuthFailure" || !strings.Contains(apiErr.ErrorMessage(), "valid region") {
		t.Fatalf("EC2 signed for moon-1: %v", err)
	}
	for id, i := range l.srv.acct.Instances {
		if i.Region == "moon-1" {
			t.Fatalf("%s was started in moon-1", id)
		}
	}
	if _, err := l.s3(moon).ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("acme-public")}); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AuthorizationHeaderMalformed" {
		t.Fatalf("S3 signed for moon-1: %v", err)
	}
}
