package modes

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/sim/browserdata"
	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.Register("laptop", runLaptop)
}

// laptopProfile is the laptop's settings file: a person's browser profile as a
// stealer finds it on their Linux laptop, and how they use it.
type laptopProfile struct {
	// Dir is the profile's folder under HOME: Chrome's
	// .config/google-chrome/Default, or Chromium's .config/chromium/Default.
	Dir       string         `yaml:"dir"`
	Cookies   []laptopCookie `yaml:"cookies"`
	Bookmarks []struct {
		Name string `yaml:"name"`
		URL  string `yaml:"url"`
	} `yaml:"bookmarks"`
	Browse laptopBrowse `yaml:"browse"`
}

type laptopCookie struct {
	Host     string `yaml:"host"`
	Name     string `yaml:"name"`
	Value    string `yaml:"value"`
	Path     string `yaml:"path"`
	HTTPOnly bool   `yaml:"httponly"`
	Secure   bool   `yaml:"secure"`
	// Ago is when it was set; Expires, when set, how long it lasts from
	// then (a persistent cookie); empty, a session cookie.
	Ago     string `yaml:"ago"`
	Expires string `yaml:"expires"`
}

// laptopBrowse is the person at work: every so often they open their
// identity provider's dashboard and sign in to an app through it, with
// the session their browser holds.
type laptopBrowse struct {
	Dashboard string `yaml:"dashboard" json:"dashboard"` // http://acme.okta.example/app/UserHome
	App       string `yaml:"app" json:"app"`             // an app's sign-in: http://ci/users/auth/openid_connect
	Every     string `yaml:"every" json:"every"`
	UserAgent string `yaml:"user_agent" json:"user_agent"`
	Profile   string `json:"profile"` // the profile's folder, filled in
}

// runLaptop writes the profile, then runs the laptop's programs: the
// person's browsing and, when IMPLANT_KEY is set, the malware that let the
// intruder in (implant.go). The profile comes from a file the host starts
// with (-profile), removed once read, so that an intruder on the laptop
// finds the session only in the browser's files, encrypted: not in the
// settings file, and not in any process's environment, where the engine's
// init process would keep it.
func runLaptop(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("laptop", flag.ContinueOnError)
	from := fs.String("profile", "", "the profile's settings file, removed once read")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := readProfile(*from)
	if err != nil {
		return err
	}
	return serveLaptop(ctx, b)
}

// readProfile writes the profile from its settings file, which it then
// removes, or says how the person browses on a host already set up (the
// host restarted: the file is gone, the profile is there).
func readProfile(from string) (laptopBrowse, error) {
	home := os.Getenv("HOME")
	done := filepath.Join(home, ".laptop-browse.json")
	text, err := os.ReadFile(from)
	if errors.Is(err, os.ErrNotExist) {
		var b laptopBrowse
		data, err := os.ReadFile(done)
		if err != nil {
			return b, fmt.Errorf("laptop: no profile at %s, and none written before: %w", from, err)
		}
		return b, json.Unmarshal(data, &b)
	}
	if err != nil {
		return laptopBrowse{}, err
	}
	b, err := writeProfile(string(text), home, time.Now())
	if err != nil {
		return laptopBrowse{}, err
	}
	if err := os.Remove(from); err != nil {
		return laptopBrowse{}, fmt.Errorf("laptop: the profile's settings must not stay readable: %w", err)
	}
	data, _ := json.Marshal(b)
	return b, os.WriteFile(done, data, 0o600)
}

// writeProfile writes the profile's files under home and says how the
// person browses.
func writeProfile(text, home string, now time.Time) (laptopBrowse, error) {
	var p laptopProfile
	if err := yaml.Unmarshal([]byte(text), &p); err != nil {
		return laptopBrowse{}, fmt.Errorf("laptop profile: %v", err)
	}
	if p.Dir == "" || !filepath.IsLocal(p.Dir) || home == "" {
		return laptopBrowse{}, fmt.Errorf("laptop profile: dir %q must be a folder under HOME", p.Dir)
	}
	dir := filepath.Join(home, p.Dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return laptopBrowse{}, err
	}
	var cookies []browserdata.Cookie
	for _, c := range p.Cookies {
		ago, err := labkit.Ago(cmp.Or(c.Ago, "1h"))
		if err != nil {
			return laptopBrowse{}, fmt.Errorf("laptop profile: cookie %s: %v", c.Name, err)
		}
		set := now.Add(-ago)
		bc := browserdata.Cookie{Host: c.Host, Name: c.Name, Value: c.Value, Path: c.Path, HTTPOnly: c.HTTPOnly, Secure: c.Secure,
			SameSite: 1, Created: set, Accessed: now.Add(-time.Minute)}
		if c.Expires != "" {
			life, err := labkit.Ago(c.Expires)
			if err != nil {
				return laptopBrowse{}, fmt.Errorf("laptop profile: cookie %s: %v", c.Name, err)
			}
			bc.Expires = set.Add(life)
		}
		cookies = append(cookies, bc)
	}
	if err := browserdata.WriteCookies(filepath.Join(dir, "Cookies"), cookies); err != nil {
		return laptopBrowse{}, err
	}
	var marks []browserdata.Bookmark
	for i, b := range p.Bookmarks {
		marks = append(marks, browserdata.Bookmark{Name: b.Name, URL: b.URL, Added: now.Add(-time.Duration(300-i) * 24 * time.Hour)})
	}
	if err := browserdata.WriteBookmarks(filepath.Join(dir, "Bookmarks"), marks); err != nil {
		return laptopBrowse{}, err
	}
	p.Browse.Profile = dir
	return p.Browse, nil
}

func serveLaptop(ctx context.Context, b laptopBrowse) error {
	if key := os.Getenv("IMPLANT_KEY"); key != "" {
		ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", ":4444")
		if err != nil {
			return err
		}
		go func() {
			if err := serveImplant(ctx, ln, key); err != nil {
				labkit.Logger.Error("the implant stopped", "err", err)
			}
		}()
	}
	if b.Dashboard == "" {
		<-ctx.Done()
		return nil
	}
	every, err := labkit.Ago(cmp.Or(b.Every, "90s"))
	if err != nil {
		return fmt.Errorf("laptop profile: every: %v", err)
	}
	signedOut := false
	for labkit.Sleep(ctx, every) {
		if signedOut {
			continue // until they sign in again, which this person does tomorrow
		}
		in, err := browseOnce(b)
		switch {
		case err != nil:
			labkit.Logger.Warn("browsing", "err", err)
		case !in:
			labkit.Logger.Info("the identity provider asks to sign in again: the person stops for today")
			signedOut = true
		}
	}
	return nil
}

// browseOnce is one visit with the browser's own cookies, read from its
// database: the dashboard, then signing in to the app through it. It says
// whether the session still held.
func browseOnce(b laptopBrowse) (bool, error) {
	cookies, err := browserdata.ReadCookies(filepath.Join(b.Profile, "Cookies"))
	if err != nil {
		return false, err
	}
	jar, _ := cookiejar.New(nil)
	for _, c := range cookies {
		u := &url.URL{Scheme: "http", Host: strings.TrimPrefix(c.Host, "."), Path: "/"}
		jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: c.Path}})
	}
	hc := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	get := func(u string) (*http.Response, error) {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("User-Agent", cmp.Or(b.UserAgent, labkit.BrowserUA))
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return resp, err
	}
	resp, err := get(b.Dashboard)
	if err != nil {
		return false, err
	}
	if resp.Request.URL.Path == "/login" {
		return false, nil
	}
	if b.App != "" {
		if _, err := get(b.App); err != nil {
			return true, err
		}
	}
	return true, nil
}
