package imds_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	awsimds "github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	simaws "github.com/sakimori/sakimori/sim/aws"
	"github.com/sakimori/sakimori/sim/aws/account"
	"github.com/sakimori/sakimori/sim/aws/imds"
)

const world = `
account: "210987654321"
roles:
  - name: web-app-role
    policies: [{name: app, document: '{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}'}]
users:
  - name: admin
    keys: [{id: AKIAADMIN00000000001, secret: admin-secret}]
    policies: [{name: all, document: '{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}'}]
instances:
  - {id: i-0a3f9c2e7b1d45e68, role: web-app-role, address: 10.0.1.15}
`

// setup runs a cloud and an instance's metadata service, as in a lab.
func setup(t *testing.T) (cloudURL, metaURL string) {
	t.Helper()
	w, err := account.ParseWorld(world)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := simaws.New(w, "sim-key")
	if err != nil {
		t.Fatal(err)
	}
	c := httptest.NewServer(srv)
	t.Cleanup(c.Close)
	m := httptest.NewServer(imds.New(&imds.Remote{Endpoint: c.URL, SimKey: "sim-key", InstanceID: "i-0a3f9c2e7b1d45e68"}))
	t.Cleanup(m.Close)
	return c.URL, m.URL
}

func do(t *testing.T, method, url string, header map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestTheSDKTakesInstanceCredentials(t *testing.T) {
	cloudURL, metaURL := setup(t)
	ctx := context.Background()
	client := awsimds.New(awsimds.Options{Endpoint: metaURL})
	doc, err := client.GetInstanceIdentityDocument(ctx, &awsimds.GetInstanceIdentityDocumentInput{})
	if err != nil || doc.InstanceID != "i-0a3f9c2e7b1d45e68" || doc.AccountID != "210987654321" {
		t.Fatalf("identity document: %+v %v", doc, err)
	}
	provider := ec2rolecreds.New(func(o *ec2rolecreds.Options) { o.Client = client })
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(cloudURL), Credentials: aws.NewCredentialsCache(provider)}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != "arn:aws:sts::210987654321:assumed-role/web-app-role/i-0a3f9c2e7b1d45e68" {
		t.Fatalf("the metadata credentials are %s", *id.Arn)
	}
}

func TestVersionOneAndTokens(t *testing.T) {
	cloudURL, metaURL := setup(t)
	creds := metaURL + "/latest/meta-data/iam/security-credentials/web-app-role"

	status, body := do(t, "GET", creds, nil)
	if status != 200 {
		t.Fatalf("IMDSv1 while tokens are optional: %d", status)
	}
	var doc map[string]string
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Code", "LastUpdated", "Type", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"} {
		if doc[k] == "" {
			t.Errorf("credentials document lacks %s: %s", k, body)
		}
	}
	if doc["Type"] != "AWS-HMAC" || !strings.HasPrefix(doc["AccessKeyId"], "ASIA") {
		t.Errorf("document: %v", doc)
	}

	for _, ttl := range []string{"0", "21601", "", "abc"} {
		if status, _ := do(t, "PUT", metaURL+"/latest/api/token", map[string]string{imds.TTLHeader: ttl}); status != 400 {
			t.Errorf("ttl %q: %d, want 400", ttl, status)
		}
	}
	if status, _ := do(t, "PUT", metaURL+"/latest/api/token", map[string]string{imds.TTLHeader: "60", "X-Forwarded-For": "1.2.3.4"}); status != 403 {
		t.Errorf("a token request through a proxy: %d, want 403", status)
	}
	if status, _ := do(t, "GET", metaURL+"/latest/api/token", nil); status != 405 {
		t.Errorf("GET of the token path: %d, want 405", status)
	}
	status, token := do(t, "PUT", metaURL+"/latest/api/token", map[string]string{imds.TTLHeader: "21600"})
	if status != 200 || token == "" {
		t.Fatalf("token: %d", status)
	}
	if status, _ := do(t, "GET", creds, map[string]string{imds.TokenHeader: "forged"}); status != 401 {
		t.Errorf("a forged token: %d, want 401", status)
	}

	// The hardening: tokens required turns version 1 away, not version 2.
	admin := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(cloudURL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAADMIN00000000001", "admin-secret", "")}
	if _, err := ec2.NewFromConfig(admin).ModifyInstanceMetadataOptions(context.Background(), &ec2.ModifyInstanceMetadataOptionsInput{
		InstanceId: aws.String("i-0a3f9c2e7b1d45e68"), HttpTokens: ec2types.HttpTokensStateRequired}); err != nil {
		t.Fatal(err)
	}
	if status, _ := do(t, "GET", metaURL+"/latest/meta-data/", nil); status != 401 {
		t.Errorf("tokenless GET after tokens required: %d, want 401", status)
	}
	if status, _ := do(t, "GET", creds, map[string]string{imds.TokenHeader: token}); status != 200 {
		t.Errorf("IMDSv2 after tokens required: %d, want 200", status)
	}
	if status, _ := do(t, "GET", metaURL+"/latest/meta-data/nothing-here", map[string]string{imds.TokenHeader: token}); status != 404 {
		t.Errorf("an unknown path: %d, want 404", status)
	}
}

// The service's root lists its versions, and the instance profile's id is
// the one DescribeInstances shows for the instance.
func TestRootVersionsAndOneInstanceProfileID(t *testing.T) {
	cloud, meta := setup(t)
	if code, body := do(t, "GET", meta+"/", nil); code != 200 || !strings.HasSuffix(body, "\nlatest") || !strings.HasPrefix(body, "1.0\n") {
		t.Fatalf("root: %d %q", code, body)
	}
	_, info := do(t, "GET", meta+"/latest/meta-data/iam/info", nil)
	var doc struct{ InstanceProfileId string }
	if err := json.Unmarshal([]byte(info), &doc); err != nil {
		t.Fatal(err)
	}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(cloud), Credentials: credentials.NewStaticCredentialsProvider("AKIAADMIN00000000001", "admin-secret", "")}
	out, err := ec2.NewFromConfig(cfg).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if shown := *out.Reservations[0].Instances[0].IamInstanceProfile.Id; shown != doc.InstanceProfileId || shown == "" {
		t.Fatalf("DescribeInstances says %q, the metadata service %q", shown, doc.InstanceProfileId)
	}
}
