package modes

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/sim/browserdata"
	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.Register("laptop", runLaptop)
}

// laptopProfile is LAPTOP_PROFILE: a person's browser profile as a
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

// runLaptop writes the profile, then becomes the laptop's running
// programs with an environment holding nothing the profile does: an
// intruder on the laptop finds the session in the browser's files,
// encrypted, not in a process's environment. What runs is the person's
// browsing and, when IMPLANT_KEY is set, the malware that let the
// intruder in (implant.go).
func runLaptop(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("laptop", flag.ContinueOnError)
	serve := fs.Bool("serve", false, "run the laptop's programs (after the profile is written)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *serve {
		return serveLaptop(ctx)
	}
	text, err := labkit.Setting("LAPTOP_PROFILE")
	if err != nil {
		return err
	}
	browse, err := writeProfile(text, os.Getenv("HOME"), time.Now())
	if err != nil {
		return err
	}
	spec, _ := json.Marshal(browse)
	env := []string{"LAPTOP_BROWSE=" + string(spec)}
	for _, k := range []string{"PATH", "HOME", "LANG", "IMPLANT_KEY"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	return syscall.Exec(self, []string{filepath.Base(self), "laptop", "-serve"}, env)
}

// writeProfile writes the profile's files under home and says how the
// person browses.
func writeProfile(text, home string, now time.Time) (laptopBrowse, error) {
	var p laptopProfile
	if err := yaml.Unmarshal([]byte(text), &p); err != nil {
		return laptopBrowse{}, fmt.Errorf("LAPTOP_PROFILE: %v", err)
	}
	if p.Dir == "" || !filepath.IsLocal(p.Dir) || home == "" {
		return laptopBrowse{}, fmt.Errorf("LAPTOP_PROFILE: dir %q must be a folder under HOME", p.Dir)
	}
	dir := filepath.Join(home, p.Dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return laptopBrowse{}, err
	}
	var cookies []browserdata.Cookie
	for _, c := range p.Cookies {
		ago, err := labkit.Ago(orDefault(c.Ago, "1h"))
		if err != nil {
			return laptopBrowse{}, fmt.Errorf("LAPTOP_PROFILE: cookie %s: %v", c.Name, err)
		}
		set := now.Add(-ago)
		bc := browserdata.Cookie{Host: c.Host, Name: c.Name, Value: c.Value, Path: c.Path, HTTPOnly: c.HTTPOnly, Secure: c.Secure,
			SameSite: 1, Created: set, Accessed: now.Add(-time.Minute)}
		if c.Expires != "" {
			life, err := labkit.Ago(c.Expires)
			if err != nil {
				return laptopBrowse{}, fmt.Errorf("LAPTOP_PROFILE: cookie %s: %v", c.Name, err)
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

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func serveLaptop(ctx context.Context) error {
	var b laptopBrowse
	if err := json.Unmarshal([]byte(os.Getenv("LAPTOP_BROWSE")), &b); err != nil {
		return fmt.Errorf("LAPTOP_BROWSE: %v", err)
	}
	if key := os.Getenv("IMPLANT_KEY"); key != "" {
		ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", ":4444")
		if err != nil {
			return err
		}
		go func() { _ = serveImplant(ctx, ln, key) }()
	}
	if b.Dashboard == "" {
		<-ctx.Done()
		return nil
	}
	every, err := labkit.Ago(orDefault(b.Every, "90s"))
	if err != nil {
		return fmt.Errorf("LAPTOP_BROWSE: every: %v", err)
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
		req.Header.Set("User-Agent", orDefault(b.UserAgent, labkit.BrowserUA))
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
