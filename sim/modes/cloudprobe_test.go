package modes

import (
	"encoding/xml"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/sakimori/sakimori/sim/aws"
	"github.com/sakimori/sakimori/sim/aws/account"
	"github.com/sakimori/sakimori/sim/aws/client"
)

const probeWorld = `
account: "204817365521"
users:
  - name: svc-backup
    ago: 700d
    keys: [{id: AKIAEXAMPLESVCBACKUP, secret: backup-secret}]
    policies: [{name: all, document: '{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}'}]
  - name: ops-admin
    keys: [{id: AKIAEXAMPLEOPSADMIN1, secret: ops-secret, ago: 400d}]
buckets:
  - name: records
    versioned: true
    policy: '{"Statement": [{"Sid": "Backup", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::204817365521:user/svc-backup"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::records/*"}]}'
    objects:
      - {key: customers.csv, body: "id,name\n1,old\n"}
      - {key: customers.csv, body: "id,name\n1,Aiko\n"}
      - {key: invoices.csv, body: "n,total\n1,100\n"}
instances:
  - {id: i-0aaaaaaaaaaaaaaa1, type: p3.16xlarge}
trail_bucket: trail-logs
`

// cloudLab is an emulated cloud with the probes pointed at it.
func cloudLab(t *testing.T) (intruder *client.Client, probe func(args ...string) int, trailLen func() int) {
	t.Helper()
	w, err := account.ParseWorld(probeWorld)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := aws.New(w, "sim-key")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	t.Setenv("CLOUDSIM_CLOUD", ts.URL)
	t.Setenv("CLOUDSIM_KEY", "sim-key")
	intruder = &client.Client{Endpoint: ts.URL, Creds: &client.Credentials{AccessKeyID: "AKIAEXAMPLESVCBACKUP", SecretAccessKey: "backup-secret"}}
	probe = func(args ...string) int { return probeCloud(args) }
	trailLen = func() int { records, _ := srv.Trail().Since(0); return len(records) }
	return intruder, probe, trailLen
}

// mustDo takes a call's two results and fails the test unless it worked.
func mustDo(t *testing.T) func(client.Result, error) client.Result {
	return func(res client.Result, err error) client.Result {
		t.Helper()
		return must(t, res, err)
	}
}

func must(t *testing.T, res client.Result, err error) client.Result {
	t.Helper()
	if err != nil || !res.OK() {
		t.Fatalf("%v %v: %s", res, err, res.Body)
	}
	return res
}

// The checks of a trail blinded and brought back, each false before the
// harm and while it lasts, true once undone, and none of them in the trail.
func TestCloudProbesFollowTheHarmAndItsUndoing(t *testing.T) {
	in, probe, trailLen := cloudLab(t)
	cloudtrail := func(action string, body any) {
		t.Helper()
		res, err := in.JSON("cloudtrail", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."+action, body)
		must(t, res, err)
	}

	// Before anything happened, nothing has been undone.
	for _, args := range [][]string{{"trail-complete"}, {"keys-deleted", "-by", "svc-backup"}, {"restored", "records"}} {
		if code := probe(args...); code != 1 {
			t.Fatalf("%v passed before the harm: %d", args, code)
		}
	}
	if code := probe("no-outside-grant"); code != 1 {
		t.Fatalf("no-outside-grant passed before anyone was let in: %d", code)
	}
	// An admin adding object events to a complete trail is no tampering.
	cloudtrail("PutEventSelectors", map[string]any{"TrailName": aws.TrailName, "EventSelectors": []map[string]any{{"ReadWriteType": "All", "IncludeManagementEvents": true,
		"DataResources": []map[string]any{{"Type": "AWS::S3::Object", "Values": []string{"arn:aws:s3"}}}}}})
	if code := probe("trail-complete"); code != 1 {
		t.Fatal("trail-complete passed after a change that kept the trail whole")
	}

	cloudtrail("StopLogging", map[string]string{"Name": aws.TrailName})
	made := mustDo(t)(in.Query("iam", "CreateAccessKey", url.Values{"UserName": {"ops-admin"}}))
	var key struct {
		ID string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
	}
	if err := xml.Unmarshal(made.Body, &key); err != nil || key.ID == "" {
		t.Fatalf("no key made: %v %s", err, made.Body)
	}
	grant := `{"Statement": [{"Sid": "Backup", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::204817365521:user/svc-backup"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::records/*"},
	  {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::739215604118:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::records/*"}]}`
	mustDo(t)(in.S3("PUT", "/records?policy", []byte(grant)))
	mustDo(t)(in.S3("DELETE", "/records/customers.csv", nil))
	mustDo(t)(in.S3("DELETE", "/records/invoices.csv", nil))
	cloudtrail("PutEventSelectors", map[string]any{"TrailName": aws.TrailName, "EventSelectors": []map[string]any{{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": false}}})

	for _, args := range [][]string{{"trail-complete"}, {"keys-deleted", "-by", "svc-backup"}, {"no-outside-grant"}, {"restored", "records"}} {
		if code := probe(args...); code != 1 {
			t.Fatalf("%v passed while the harm stands: %d", args, code)
		}
	}
	if code := probe("did", "-user", "svc-backup", "-for-other-user", "CreateAccessKey"); code != 0 {
		t.Fatalf("a key made for another user not seen: %d", code)
	}
	if code := probe("did", "-user", "svc-backup", "-outside", "PutBucketPolicy"); code != 0 {
		t.Fatalf("a policy letting an outsider in not seen: %d", code)
	}
	if code := probe("did", "-user", "svc-backup", "-after", "StopLogging", "StartLogging"); code != 1 {
		t.Fatal("a start credited before any")
	}
	if code := probe("did", "-user", "ops-admin", "StopLogging"); code != 1 {
		t.Fatalf("a call credited to someone who never made it: %d", code)
	}

	// The undoing.
	before := trailLen()
	cloudtrail("StartLogging", map[string]string{"Name": aws.TrailName})
	if code := probe("trail-complete"); code != 1 {
		t.Fatal("a trail logging only reads passed as complete")
	}
	if code := probe("did", "-user", "svc-backup", "-after", "StopLogging", "StartLogging"); code != 0 {
		t.Fatal("a start after a stop not seen")
	}
	cloudtrail("PutEventSelectors", map[string]any{"TrailName": aws.TrailName, "EventSelectors": []map[string]any{{"ReadWriteType": "All", "IncludeManagementEvents": true}}})
	mustDo(t)(in.Query("iam", "DeleteAccessKey", url.Values{"UserName": {"ops-admin"}, "AccessKeyId": {key.ID}}))
	mustDo(t)(in.S3("PUT", "/records?policy", []byte(`{"Statement": [{"Sid": "Backup", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::204817365521:user/svc-backup"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::records/*"}]}`)))
	undelete(t, in, "customers.csv")
	if code := probe("restored", "records"); code != 1 {
		t.Fatal("restored passed with one object still deleted")
	}
	undelete(t, in, "invoices.csv")
	before += 8 // the undoing above: eight calls, two of them listing versions
	if code := probe("no-outside-grant"); code != 0 {
		t.Fatalf("the account's own principal counted as an outsider: %d", code)
	}
	for _, args := range [][]string{{"trail-complete"}, {"keys-deleted", "-by", "svc-backup"}, {"no-outside-grant"}, {"restored", "records"}} {
		if code := probe(args...); code != 0 {
			t.Fatalf("%v failed once undone: %d", args, code)
		}
	}
	if trailLen() != before {
		t.Fatalf("the probes are in the trail: %d records, want %d", trailLen(), before)
	}

	// An outside account the organisation trusts may stay when named.
	mustDo(t)(in.S3("PUT", "/records?policy", []byte(`{"Statement": [{"Sid": "OrgBackupVault", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::380219475601:role/org-backup-vault"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::records/*"}]}`)))
	if code := probe("no-outside-grant"); code != 1 {
		t.Fatal("an outside account passed unnamed")
	}
	if code := probe("no-outside-grant", "-allow", "111122223333,380219475601"); code != 0 {
		t.Fatal("a trusted outside account failed the check")
	}

	// A restore from the wrong version is not a restore.
	mustDo(t)(in.S3("PUT", "/records/customers.csv", []byte("id,name\n1,old\n")))
	if code := probe("restored", "records"); code != 1 {
		t.Fatal("an older version put back passed as restored")
	}
}

// undelete removes the delete marker over key, as a responder does with
// aws s3api delete-object --version-id.
func undelete(t *testing.T, c *client.Client, key string) {
	t.Helper()
	res := mustDo(t)(c.S3("GET", "/records?versions&prefix="+key, nil))
	var list struct {
		Markers []struct {
			Key, VersionId string
			IsLatest       bool
		} `xml:"DeleteMarker"`
	}
	if err := xml.Unmarshal(res.Body, &list); err != nil {
		t.Fatal(err)
	}
	for _, m := range list.Markers {
		if m.Key == key && m.IsLatest {
			mustDo(t)(c.S3("DELETE", "/records/"+key+"?versionId="+url.QueryEscape(m.VersionId), nil))
			return
		}
	}
	t.Fatalf("no delete marker over %s: %s", key, res.Body)
}

// A check's own AWS calls carry the simulator key and stay out of the
// trail; without the key they are recorded as anyone's.
func TestChecksWithTheSimKeyAreNotRecorded(t *testing.T) {
	_, _, trailLen := cloudLab(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEOPSADMIN1")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "ops-secret")
	before := trailLen()
	if code := probeAWS([]string{"sts", "GetCallerIdentity", "ok"}); code != 0 {
		t.Fatalf("probe failed: %d", code)
	}
	if trailLen() != before {
		t.Fatal("a check with the simulator key was recorded")
	}
	t.Setenv("CLOUDSIM_KEY", "a-guess")
	if code := probeAWS([]string{"sts", "GetCallerIdentity", "ok"}); code != 0 {
		t.Fatalf("probe failed: %d", code)
	}
	if trailLen() != before+1 {
		t.Fatal("a request with a wrong simulator key was left out of the trail")
	}
}

func TestCloudProbeRunning(t *testing.T) {
	in, probe, _ := cloudLab(t)
	if code := probe("running", "-type", "p3.16xlarge", "-max", "0", "-ended", "1"); code != 1 {
		t.Fatal("a running miner passed")
	}
	mustDo(t)(in.Query("ec2", "TerminateInstances", url.Values{"InstanceId.1": {"i-0aaaaaaaaaaaaaaa1"}}))
	if code := probe("running", "-type", "p3.16xlarge", "-max", "0", "-ended", "1"); code != 0 {
		t.Fatal("a terminated miner still counted")
	}
	if code := probe("running"); code != 2 {
		t.Fatal("running without -type was not a usage error")
	}
	if code := probe("sideways"); code != 2 {
		t.Fatal("an unknown check was not a usage error")
	}
}

// -creds file: checks with credentials kept in a file, such as the ones an
// intruder stole; no file, or one without a key, cannot be checked.
func TestProbeWithCredentialsFromAFile(t *testing.T) {
	cloudLab(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{"AccessKeyId": "AKIAEXAMPLEOPSADMIN1", "SecretAccessKey": "ops-secret", "Token": ""}`)
	wrong := write("wrong.json", `{"AccessKeyId": "AKIAEXAMPLEOPSADMIN1", "SecretAccessKey": "not-it"}`)
	empty := write("empty.json", `{}`)
	if code := probeAWS([]string{"-creds", "file:" + good, "sts", "GetCallerIdentity", "ok"}); code != 0 {
		t.Fatalf("the file's credentials: exit %d", code)
	}
	if code := probeAWS([]string{"-creds", "file:" + wrong, "sts", "GetCallerIdentity", "ok"}); code != 1 {
		t.Fatalf("a wrong secret passed: exit %d", code)
	}
	for _, p := range []string{empty, filepath.Join(dir, "missing.json")} {
		if code := probeAWS([]string{"-creds", "file:" + p, "sts", "GetCallerIdentity", "InvalidClientTokenId"}); code != 2 {
			t.Fatalf("%s: exit %d, want 2", p, code)
		}
	}
}

// An overwrite is harm too (a skimmer put into a site's script), and
// -prefix narrows the objects that must be as they began.
func TestRestoredAfterAnOverwrite(t *testing.T) {
	in, probe, _ := cloudLab(t)
	if code := probe("restored", "-prefix", "invoices", "records"); code != 1 {
		t.Fatal("restored passed before any harm")
	}
	mustDo(t)(in.S3("PUT", "/records/customers.csv", []byte("id,name\n1,Mallory\n")))
	if code := probe("restored", "-prefix", "invoices", "records"); code != 1 {
		t.Fatal("an overwrite outside the prefix counted as harm under it")
	}
	mustDo(t)(in.S3("PUT", "/records/invoices.csv", []byte("n,total\n1,100\n<script src=//x.example/s.js>\n")))
	if code := probe("restored", "-prefix", "invoices", "records"); code != 1 {
		t.Fatal("an overwritten object passed as restored")
	}
	mustDo(t)(in.S3("PUT", "/records/invoices.csv", []byte("n,total\n1,100\n")))
	if code := probe("restored", "-prefix", "invoices", "records"); code != 0 {
		t.Fatal("the original content put back did not pass")
	}
	if code := probe("restored", "records"); code != 1 {
		t.Fatal("without -prefix, the overwritten customers.csv passed")
	}
}
