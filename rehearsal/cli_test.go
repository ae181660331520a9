package rehearsal_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/rehearsal"
)

// The real AWS CLI against the emulated cloud, for the calls the
// scenarios' own solutions do not make: each answer must parse in the
// CLI's own models (XML and JSON shapes, error codes, URL-encoded policy
// documents, presigned URLs).
func TestAWSCLIAgainstTheEmulatedCloud(t *testing.T) {
	rg, _ := rangeOf(t, 1)
	inst := runningLab(t, rg, "metadata-heist")
	// Each line: a command, then what its output must contain.
	checks := []struct{ cmd, want string }{
		{`aws iam list-users --query 'Users[].UserName' --output text`, "analyst"},
		{`aws iam list-roles --query 'Roles[].RoleName' --output text`, "web-app-role"},
		{`aws iam list-role-policies --role-name web-app-role --output text`, "app-storage"},
		{`aws iam get-role-policy --role-name web-app-role --policy-name app-storage --query 'PolicyDocument.Statement[0].Action[0]' --output text`, "s3:ListAllMyBuckets"},
		{`aws iam list-access-keys --user-name analyst --query 'AccessKeyMetadata[0].Status' --output text`, "Active"},
		{`aws iam get-user --query User.Arn --output text`, "arn:aws:iam::210987654321:user/analyst"},
		{`aws sts assume-role --role-arn arn:aws:iam::210987654321:role/web-app-role --role-session-name responder 2>&1 || true`, "AccessDenied"},
		{`aws iam put-role-policy --role-name web-app-role --policy-name bad --policy-document '{"Statement":{"Effect":"Nope"}}' 2>&1 || true`, "MalformedPolicyDocument"},
		{`aws ec2 describe-instances --query 'Reservations[0].Instances[0].MetadataOptions.HttpTokens' --output text`, "optional"},
		{`aws ec2 describe-instances --instance-ids i-0nope 2>&1 || true`, "InvalidInstanceID.NotFound"},
		{`aws s3api get-bucket-acl --bucket acme-public --query 'Grants[1].Grantee.URI' --output text`, "http://acs.amazonaws.com/groups/global/AllUsers"},
		{`aws s3api get-bucket-policy --bucket acme-public 2>&1 || true`, "NoSuchBucketPolicy"},
		{`aws s3api put-public-access-block --bucket acme-app-assets --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true && aws s3api get-public-access-block --bucket acme-app-assets --query PublicAccessBlockConfiguration.RestrictPublicBuckets`, "true"},
		{`curl -s "$(aws s3 presign s3://acme-public/banner.txt --expires-in 60)"`, "Acme: previews for every link."},
		{`aws s3 cp s3://acme-customer-data/flag.txt - 2>&1 || true`, "(403) when calling the HeadObject operation"}, // HEAD errors have no body, on AWS too
		{`aws s3 ls s3://acme-public --no-sign-request`, "banner.txt"},
		{`aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=analyst --max-results 50 --query 'Events[].EventName' --output text`, "ListUsers"},
		{`AWS_ACCESS_KEY_ID=AKIAEXAMPLEEXAMPLE00 AWS_SECRET_ACCESS_KEY=x aws sts get-caller-identity 2>&1 || true`, "InvalidClientTokenId"},
		// What a responder reaches for first (issue: labs 1-3 as a trainee found them).
		{`n=$(aws cloudtrail lookup-events --start-time "$(date -u -d '-1 hour' +%FT%TZ)" --end-time "$(date -u -d '+1 hour' +%FT%TZ)" --query 'length(Events)' --output text); [ "$n" -gt 0 ] && echo some`, "some"},
		{`aws cloudtrail lookup-events --start-time "$(date -u -d '+1 hour' +%FT%TZ)" --query 'length(Events)' --output text`, "0"},
		{`aws iam list-attached-role-policies --role-name web-app-role --output json`, `"AttachedPolicies": []`},
		{`aws iam list-attached-user-policies --user-name analyst --output json`, `"AttachedPolicies": []`},
		{`aws cloudtrail describe-trails --query 'trailList[0].S3BucketName' --output text`, "acme-cloudtrail-logs"},
		{`aws sts get-session-token --query Credentials.AccessKeyId --output text`, "ASIA"},
		{`aws ec2 describe-regions --query "Regions[?RegionName=='us-east-1'].RegionName" --output text`, "us-east-1"},
		{`a=$(aws ec2 describe-instances --query 'Reservations[0].Instances[0].IamInstanceProfile.Id' --output text); b=$(curl -s "$WEB/fetch?url=http://169.254.169.254/latest/meta-data/iam/info" | jq -r .InstanceProfileId); [ "$a" = "$b" ] && echo "same:$a"`, "same:AIPA"},
		{`curl -s "$WEB/fetch?url=http://169.254.169.254/"`, "latest"},
		{`aws ec2 run-instances --image-id ami-0abc --instance-type t3.micro --count 1 --query 'Instances[0].InstanceId' --output text > /tmp/i && aws ec2 terminate-instances --instance-ids "$(cat /tmp/i)" --query 'TerminatingInstances[0].CurrentState.Name' --output text`, "shutting-down"},
	}
	for _, c := range checks {
		out := runIn(t, rg, inst.ID, `export AWS_PROFILE=analyst; aws() { command aws --endpoint-url "$CLOUD" "$@"; }; `+c.cmd)
		if !strings.Contains(out, c.want) {
			t.Errorf("%s\n  want %q in: %s", c.cmd, c.want, strings.TrimSpace(out))
		}
	}
}

// runningLab launches a scenario for a new trainee, waits for it to run,
// and stops it when the test ends.
func runningLab(t *testing.T, rg *rehearsal.Range, scenario string) labs.Instance {
	t.Helper()
	ctx := context.Background()
	trainee, err := rg.Trainee(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := rg.Labs.Launch(ctx, trainee, scenario)
	if err != nil {
		t.Fatal(err)
	}
	actor := labs.Actor{UserID: trainee}
	t.Cleanup(func() { _, _ = rg.Labs.Stop(context.Background(), actor, inst.ID) })
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(300 * time.Millisecond) {
		got, err := rg.Labs.Lab(ctx, actor, inst.ID)
		if err != nil || got.State == labs.StateFailed || time.Now().After(deadline) {
			t.Fatalf("lab: %+v %v", got, err)
		}
		if got.State == labs.StateRunning {
			return got
		}
	}
}

// runIn runs a script in the lab's workstation and returns its output.
func runIn(t *testing.T, rg *rehearsal.Range, lab, script string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := rg.Driver.Exec(ctx, lab, "workstation", driver.ExecRequest{Command: []string{"bash", "-c", script}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.CloseWrite()
	out, _ := io.ReadAll(s)
	_, _ = s.Wait(ctx)
	return string(out)
}
