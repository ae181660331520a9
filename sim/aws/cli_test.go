package aws

import (
	"encoding/json"
	"strings"
	"testing"
)

// The calls the deepened labs added, from the real AWS CLI: EC2 in another
// region (signed for it with --region), stopping a miner, the instance
// profile associations, an object's ACL and a bucket's website.
func TestRegionalAndNewCallsFromTheAWSCLI(t *testing.T) {
	l := newLab(t)
	out, err := l.awsCLI(t, "--region", "ap-northeast-1", "ec2", "run-instances", "--image-id", "ami-miner", "--instance-type", "p3.16xlarge", "--count", "2")
	var run struct{ Instances []struct{ InstanceId string } }
	if err != nil || json.Unmarshal([]byte(out), &run) != nil || len(run.Instances) != 2 {
		t.Fatalf("run-instances in ap-northeast-1: %v\n%s", err, out)
	}
	id := run.Instances[0].InstanceId
	steps := []struct {
		args      []string
		want      string
		wantError bool
	}{
		{[]string{"ec2", "describe-instances", "--instance-ids", id}, "InvalidInstanceID.NotFound", true},
		{[]string{"--region", "ap-northeast-1", "ec2", "describe-instances", "--instance-ids", id}, `"AvailabilityZone": "ap-northeast-1a"`, false},
		{[]string{"--region", "ap-northeast-1", "ec2", "stop-instances", "--instance-ids", id}, `"Name": "stopping"`, false},
		{[]string{"ec2", "describe-iam-instance-profile-associations"}, `"Arn": "arn:aws:iam::210987654321:instance-profile/web-app-role"`, false},
		{[]string{"s3api", "get-object-acl", "--bucket", "acme-public", "--key", "banner.txt"}, `"URI": "http://acs.amazonaws.com/groups/global/AllUsers"`, false},
		{[]string{"s3api", "get-bucket-website", "--bucket", "acme-public"}, "NoSuchWebsiteConfiguration", true},
	}
	for _, s := range steps {
		out, err := l.awsCLI(t, s.args...)
		if (err != nil) != s.wantError || !strings.Contains(out, s.want) {
			t.Fatalf("aws %s: %v\n%s", strings.Join(s.args, " "), err, out)
		}
	}
}
