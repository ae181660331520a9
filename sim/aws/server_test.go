package aws

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/sakimori/sakimori/sim/aws/account"
	"github.com/sakimori/sakimori/sim/aws/ec2"
)

const testWorld = `
account: "210987654321"
addresses: {"127.0.0.1": "198.51.100.23"}
users:
  - name: analyst
    keys: [{id: AKIAANALYST000000001, secret: analyst-secret}]
    policies:
      - name: responder
        document: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-customer-data/*"}]}'
  - name: intern
    keys: [{id: AKIAINTERN0000000001, secret: intern-secret}]
roles:
  - name: web-app-role
    policies:
      - name: app
        document: '{"Statement":{"Effect":"Allow","Action":["s3:List*","s3:GetObject"],"Resource":"*"}}'
instances:
  - {id: i-0a3f9c2e7b1d45e68, role: web-app-role, address: 10.0.1.15}
buckets:
  - name: acme-public
    acl: public-read
    objects: [{key: banner.txt, body: "Welcome to Acme"}]
  - name: acme-customer-data
    objects: [{key: flag.txt, body: "FLAG{test}"}]
  - name: acme-site
    policy: '{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-site/public/*"}}'
    objects: [{key: public/index.html, body: "<h1>hi</h1>"}, {key: private/notes.txt, body: "secret"}]
trail_bucket: acme-trail
`

type lab struct {
	srv *Server
	url string
}

func newLab(t *testing.T) *lab {
	t.Helper()
	w, err := account.ParseWorld(testWorld)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(w, "sim-key")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &lab{srv: srv, url: ts.URL}
}

func (l *lab) config(id, secret, token string) aws.Config {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(l.url), RetryMaxAttempts: 1}
	if id != "" {
		cfg.Credentials = credentials.NewStaticCredentialsProvider(id, secret, token)
	}
	return cfg
}

func (l *lab) analyst() aws.Config { return l.config("AKIAANALYST000000001", "analyst-secret", "") }

func (l *lab) s3(cfg aws.Config) *awss3.Client {
	return awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true })
}

// roleCreds takes the instance's role the way the metadata service does.
func (l *lab) roleConfig(t *testing.T) aws.Config {
	inst := l.srv.acct.Instances["i-0a3f9c2e7b1d45e68"]
	c, ok := ec2.Credentials(l.srv.acct, inst, "v2", "/latest/meta-data/iam/security-credentials/web-app-role")
	if !ok {
		t.Fatal("no instance credentials")
	}
	return l.config(c.AccessKeyID, c.SecretAccessKey, c.Token)
}

func code(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

func TestCallerIdentityAndSignatures(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	out, err := awssts.NewFromConfig(l.analyst()).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Arn != "arn:aws:iam::210987654321:user/analyst" || *out.Account != "210987654321" {
		t.Fatalf("identity: %s %s", *out.Arn, *out.Account)
	}
	role, err := awssts.NewFromConfig(l.roleConfig(t)).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *role.Arn != "arn:aws:sts::210987654321:assumed-role/web-app-role/i-0a3f9c2e7b1d45e68" {
		t.Fatalf("the instance's session is %s", *role.Arn)
	}
	bad := map[string]aws.Config{
		"SignatureDoesNotMatch": l.config("AKIAANALYST000000001", "wrong-secret", ""),
		"InvalidClientTokenId":  l.config("AKIAUNKNOWN000000001", "x", ""),
	}
	for want, cfg := range bad {
		_, err := awssts.NewFromConfig(cfg).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
		if code(err) != want {
			t.Errorf("want %s, got %v", want, err)
		}
	}
	// A session key without its token is not the session.
	rc := l.roleConfig(t)
	v, _ := rc.Credentials.Retrieve(ctx)
	_, err = awssts.NewFromConfig(l.config(v.AccessKeyID, v.SecretAccessKey, "")).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if code(err) != "InvalidClientTokenId" {
		t.Errorf("a session key without its token: %v", err)
	}
}

func TestAssumeRole(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	out, err := awssts.NewFromConfig(l.analyst()).AssumeRole(ctx, &awssts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::210987654321:role/web-app-role"), RoleSessionName: aws.String("ir")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	id, err := awssts.NewFromConfig(l.config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || !strings.HasSuffix(*id.Arn, "assumed-role/web-app-role/ir") {
		t.Fatalf("assumed: %v %v", id, err)
	}
	_, err = awssts.NewFromConfig(l.config("AKIAINTERN0000000001", "intern-secret", "")).AssumeRole(ctx, &awssts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::210987654321:role/web-app-role"), RoleSessionName: aws.String("x")})
	if code(err) != "AccessDenied" {
		t.Fatalf("a user with no policy assumed the role: %v", err)
	}
}

func TestRolePolicyHardening(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	role := l.s3(l.roleConfig(t))
	if _, err := role.ListBuckets(ctx, &awss3.ListBucketsInput{}); err != nil {
		t.Fatalf("the role should list buckets at first: %v", err)
	}
	admin := awsiam.NewFromConfig(l.analyst())
	_, err := admin.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("web-app-role"), PolicyName: aws.String("bad"),
		PolicyDocument: aws.String(`{"Statement":{"Effect":"Deny"}}`)})
	if code(err) != "MalformedPolicyDocument" {
		t.Fatalf("a malformed policy: %v", err)
	}
	_, err = admin.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("web-app-role"), PolicyName: aws.String("no-listing"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := role.ListBuckets(ctx, &awss3.ListBucketsInput{}); code(err) != "AccessDenied" {
		t.Fatalf("explicit deny should win: %v", err)
	}
	names, err := admin.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: aws.String("web-app-role")})
	if err != nil || strings.Join(names.PolicyNames, ",") != "app,no-listing" {
		t.Fatalf("policies: %v %v", names, err)
	}
	if _, err := admin.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("nope"), PolicyName: aws.String("x")}); code(err) != "NoSuchEntity" {
		t.Fatalf("unknown role: %v", err)
	}
	intern := awsiam.NewFromConfig(l.config("AKIAINTERN0000000001", "intern-secret", ""))
	if _, err := intern.ListUsers(ctx, &awsiam.ListUsersInput{}); code(err) != "AccessDenied" {
		t.Fatalf("a user with no policy listed users: %v", err)
	}
	users, err := admin.ListUsers(ctx, &awsiam.ListUsersInput{})
	if err != nil || len(users.Users) != 2 {
		t.Fatalf("users: %v %v", users, err)
	}
}

func TestAccessKeysCanBeTurnedOff(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	admin := awsiam.NewFromConfig(l.analyst())
	keys, err := admin.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("intern")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].AccessKeyId != "AKIAINTERN0000000001" {
		t.Fatalf("keys: %v %v", keys, err)
	}
	if _, err := admin.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("intern"),
		AccessKeyId: aws.String("AKIAINTERN0000000001"), Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	_, err = awssts.NewFromConfig(l.config("AKIAINTERN0000000001", "intern-secret", "")).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if code(err) != "InvalidClientTokenId" {
		t.Fatalf("an inactive key still works: %v", err)
	}
}

func TestObjectStorageAccess(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	anon := l.s3(l.config("", "", ""))
	list, err := anon.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("acme-public")})
	if err != nil || len(list.Contents) != 1 {
		t.Fatalf("anonymous listing of a public-read bucket: %v %v", list, err)
	}
	if _, err := anon.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("acme-customer-data")}); code(err) != "AccessDenied" {
		t.Fatalf("anonymous listing of a private bucket: %v", err)
	}
	if _, err := anon.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("acme-site"), Key: aws.String("public/index.html")}); err != nil {
		t.Fatalf("a bucket policy granting public reads: %v", err)
	}
	if _, err := anon.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("acme-site"), Key: aws.String("private/notes.txt")}); code(err) != "AccessDenied" {
		t.Fatalf("outside the policy's prefix: %v", err)
	}
	role := l.s3(l.roleConfig(t))
	obj, err := role.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("acme-customer-data"), Key: aws.String("flag.txt")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(obj.Body)
	if string(body) != "FLAG{test}" {
		t.Fatalf("body %q", body)
	}
	analyst := l.s3(l.analyst())
	if _, err := analyst.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("acme-customer-data"), Key: aws.String("flag.txt")}); code(err) != "AccessDenied" {
		t.Fatalf("the analyst's explicit deny: %v", err)
	}
	if _, err := analyst.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("acme-public"), Key: aws.String("notes/a.txt"),
		Body: strings.NewReader("written by the SDK")}); err != nil {
		t.Fatalf("put: %v", err)
	}
	got, err := anon.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("acme-public"), Key: aws.String("notes/a.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(got.Body); string(b) != "written by the SDK" {
		t.Fatalf("read back %q", b)
	}
	// The hardening of Open by Default: block public access.
	if _, err := analyst.PutPublicAccessBlock(ctx, &awss3.PutPublicAccessBlockInput{Bucket: aws.String("acme-public"),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
			BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := anon.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("acme-public")}); code(err) != "AccessDenied" {
		t.Fatalf("a blocked bucket is still public: %v", err)
	}
	if _, err := analyst.PutBucketAcl(ctx, &awss3.PutBucketAclInput{Bucket: aws.String("acme-public"), ACL: s3types.BucketCannedACLPublicRead}); code(err) != "AccessDenied" {
		t.Fatalf("a public ACL on a blocked bucket: %v", err)
	}
	public := `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-public/*"}}`
	if _, err := analyst.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String("acme-public"), Policy: aws.String(public)}); code(err) != "AccessDenied" {
		t.Fatalf("a public policy on a blocked bucket: %v", err)
	}
	private := `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"s3:*","Resource":"*"}}`
	if _, err := analyst.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String("acme-public"), Policy: aws.String(private)}); err != nil {
		t.Fatalf("an account-only policy (Resource \"*\") on a blocked bucket: %v", err)
	}
	pol, err := analyst.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: aws.String("acme-site")})
	if err != nil || !strings.Contains(*pol.Policy, "public/*") {
		t.Fatalf("policy: %v %v", pol, err)
	}
	if _, err := analyst.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: aws.String("acme-customer-data")}); code(err) != "NoSuchBucketPolicy" {
		t.Fatalf("no policy: %v", err)
	}
}

func TestInstancesAndMetadataOptions(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	c := awsec2.NewFromConfig(l.analyst())
	out, err := c.DescribeInstances(ctx, &awsec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	inst := out.Reservations[0].Instances[0]
	if *inst.InstanceId != "i-0a3f9c2e7b1d45e68" || inst.MetadataOptions.HttpTokens != ec2types.HttpTokensStateOptional || *inst.PrivateIpAddress != "10.0.1.15" {
		t.Fatalf("instance: %+v", inst)
	}
	if _, err := c.ModifyInstanceMetadataOptions(ctx, &awsec2.ModifyInstanceMetadataOptionsInput{InstanceId: aws.String("i-0a3f9c2e7b1d45e68"),
		HttpTokens: ec2types.HttpTokensStateRequired}); err != nil {
		t.Fatal(err)
	}
	if l.srv.acct.Instances["i-0a3f9c2e7b1d45e68"].HTTPTokens != "required" {
		t.Fatal("tokens not required after the change")
	}
	if _, err := c.DescribeInstances(ctx, &awsec2.DescribeInstancesInput{InstanceIds: []string{"i-nope"}}); code(err) != "InvalidInstanceID.NotFound" {
		t.Fatalf("unknown instance: %v", err)
	}
	run, err := c.RunInstances(ctx, &awsec2.RunInstancesInput{ImageId: aws.String("ami-miner"), MinCount: aws.Int32(2), MaxCount: aws.Int32(2), InstanceType: "p3.16xlarge"})
	if err != nil || len(run.Instances) != 2 {
		t.Fatalf("run: %v %v", run, err)
	}
	term, err := c.TerminateInstances(ctx, &awsec2.TerminateInstancesInput{InstanceIds: []string{*run.Instances[0].InstanceId}})
	if err != nil || term.TerminatingInstances[0].CurrentState.Name != ec2types.InstanceStateNameShuttingDown {
		t.Fatalf("terminate: %v %v", term, err)
	}
	if _, err := c.TerminateInstances(ctx, &awsec2.TerminateInstancesInput{InstanceIds: []string{"i-0a3f9c2e7b1d45e68"}}); code(err) != "OperationNotPermitted" {
		t.Fatalf("the lab's own instance must stay: %v", err)
	}
	if _, err := awsec2.NewFromConfig(l.config("AKIAINTERN0000000001", "intern-secret", "")).DescribeInstances(ctx, &awsec2.DescribeInstancesInput{}); code(err) != "UnauthorizedOperation" {
		t.Fatalf("ec2 without permission: %v", err)
	}
}

func TestAuditTrail(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	role := l.roleConfig(t)
	creds, _ := role.Credentials.Retrieve(ctx)
	_, _ = awssts.NewFromConfig(role).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	_, _ = l.s3(role).ListBuckets(ctx, &awss3.ListBucketsInput{})
	_, _ = l.s3(role).GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("acme-customer-data"), Key: aws.String("flag.txt")})

	out, err := cloudtrail.NewFromConfig(l.analyst()).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyAccessKeyId, AttributeValue: aws.String(creds.AccessKeyID)}}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range out.Events {
		names = append(names, *e.EventName)
		if !strings.Contains(*e.CloudTrailEvent, `"sourceIPAddress":"198.51.100.23"`) {
			t.Errorf("the address map is not applied: %s", *e.CloudTrailEvent)
		}
	}
	// Newest first; data events (GetObject) are not in LookupEvents.
	if strings.Join(names, ",") != "ListBuckets,GetCallerIdentity" {
		t.Fatalf("events by key: %v", names)
	}
	records, _ := l.srv.acct.Trail.Since(0)
	var delivery, read bool
	for _, r := range records {
		if r.EventName == "InstanceMetadataCredentials" && r.AdditionalEventData["imdsVersion"] == "v2" && r.ResponseElements["accessKeyId"] == creds.AccessKeyID {
			delivery = true
		}
		if r.EventName == "GetObject" && r.EventCategory == "Data" && r.UserIdentity.Type == "AssumedRole" {
			read = true
		}
	}
	if !delivery || !read {
		t.Fatalf("the trail lacks the metadata delivery (%v) or the data event (%v)", delivery, read)
	}
	l.srv.delivery.Once()
	files, err := l.s3(l.analyst()).ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("acme-trail"), Prefix: aws.String("AWSLogs/210987654321/CloudTrail/us-east-1/")})
	if err != nil || len(files.Contents) != 1 || !strings.HasSuffix(*files.Contents[0].Key, ".json.gz") {
		t.Fatalf("trail delivery: %v %v", files, err)
	}
}

// The platform reads the whole trail on the simulator's channel, with the
// lab's key only.
func TestTrailForGrading(t *testing.T) {
	l := newLab(t)
	_, _ = awssts.NewFromConfig(l.analyst()).GetCallerIdentity(context.Background(), &awssts.GetCallerIdentityInput{})
	get := func(key string) (int, string) {
		req, _ := http.NewRequest("GET", l.url+"/_sim/trail", nil)
		if key != "" {
			req.Header.Set("X-Sakimori-Sim-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, _ := get(""); status != 404 {
		t.Fatalf("the trail without the key: %d", status)
	}
	if status, _ := get("wrong"); status != 404 {
		t.Fatalf("the trail with a wrong key: %d", status)
	}
	status, body := get("sim-key")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if status != 200 || len(lines) != 1 || !strings.Contains(lines[0], `"eventName":"GetCallerIdentity"`) || !strings.Contains(lines[0], `"userName":"analyst"`) {
		t.Fatalf("trail: %d %q", status, body)
	}
}
