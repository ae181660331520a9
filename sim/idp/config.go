// Package idp is a lab's identity provider, shaped like Okta: people sign
// in on its pages with a password and, where they have one, an
// authenticator app's code; applications sign them in through OpenID
// Connect's authorization code flow on Okta's paths; an admin's API token
// lists users and their sessions, ends sessions and turns on session
// binding; and everything is written to a System Log with Okta's field
// names, served to admins on Okta's path and to the platform in the common
// telemetry format.
//
// A browser's session is the sid cookie and nothing else, as with a real
// IdP, so a cookie copied off a laptop works from anywhere until the
// session ends or binding refuses it. That is the point of the labs that
// use it.
package idp

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"
	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/sim/labkit"
)

// World is CLOUDSIM_IDP: the organisation as a scenario sets it up.
type World struct {
	// Org is the organisation's name, shown on its pages.
	Org string `yaml:"org"`
	// Issuer is the URL relying parties know the IdP by
	// (http://acme.okta.lab). Empty: the scheme and host of each request,
	// which holds while every party reaches the IdP by one name.
	Issuer string `yaml:"issuer"`
	// Addresses maps a lab host's address to the one the IdP shows in its
	// log, as sim/ci does, so a story's addresses stay fixed.
	Addresses map[string]string `yaml:"addresses"`
	Users     []UserDef         `yaml:"users"`
	Apps      []AppDef          `yaml:"apps"`
	APITokens []TokenDef        `yaml:"api_tokens"`
	Sessions  []SessionDef      `yaml:"sessions"`
}

// UserDef is a person. Login is an email address, as Okta's are.
type UserDef struct {
	Login    string `yaml:"login"`
	Name     string `yaml:"name"`
	Password string `yaml:"password"`
	Admin    bool   `yaml:"admin"`
	// TOTPSecret is the base32 secret of the person's authenticator app;
	// when set, signing in takes its code as well as the password.
	TOTPSecret string `yaml:"totp_secret"`
}

// AppDef is an application that signs people in with OpenID Connect.
type AppDef struct {
	ClientID     string   `yaml:"client_id"`
	ClientSecret string   `yaml:"client_secret"`
	Name         string   `yaml:"name"`
	RedirectURIs []string `yaml:"redirect_uris"`
}

// TokenDef is an API token, made by (and acting as) User.
type TokenDef struct {
	Name  string `yaml:"name"`
	Token string `yaml:"token"`
	User  string `yaml:"user"`
}

// SessionDef is a session open when the lab starts: someone already
// signed in on their laptop.
type SessionDef struct {
	// ID is the sid cookie's value, which a story may plant in a browser
	// profile for an intruder to steal.
	ID   string `yaml:"id"`
	User string `yaml:"user"`
	// IP is where it was made from: a lab host's address (shown through
	// Addresses) or an address outside the lab, as it is.
	IP        string `yaml:"ip"`
	UserAgent string `yaml:"user_agent"`
	// Ago is how long before the lab starts it was made (labkit.Ago).
	Ago string `yaml:"ago"`
	// MFA says the person gave a second factor when signing in.
	MFA bool `yaml:"mfa"`
}

// minSessionID keeps planted cookies as unguessable as the IdP's own.
const minSessionID = 40

// ParseWorld reads CLOUDSIM_IDP and refuses what could not run.
func ParseWorld(text string) (*World, error) {
	var w World
	if err := yaml.Unmarshal([]byte(text), &w); err != nil {
		return nil, fmt.Errorf("CLOUDSIM_IDP: %v", err)
	}
	if err := w.check(); err != nil {
		return nil, fmt.Errorf("CLOUDSIM_IDP: %v", err)
	}
	return &w, nil
}

func (w *World) check() error {
	if w.Issuer != "" {
		u, err := url.Parse(w.Issuer)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.HasSuffix(w.Issuer, "/") {
			return fmt.Errorf("issuer %q is not a URL like https://acme.okta.lab", w.Issuer)
		}
	}
	for from, to := range w.Addresses {
		if _, err := netip.ParseAddr(from); err != nil {
			return fmt.Errorf("addresses: %v", err)
		}
		if _, err := netip.ParseAddr(to); err != nil {
			return fmt.Errorf("addresses: %v", err)
		}
	}
	users := map[string]bool{}
	for _, u := range w.Users {
		if u.Login == "" || u.Password == "" {
			return fmt.Errorf("user %q needs a login and a password", u.Login)
		}
		if users[strings.ToLower(u.Login)] {
			return fmt.Errorf("user %s is there twice", u.Login)
		}
		users[strings.ToLower(u.Login)] = true
		if u.TOTPSecret != "" {
			if _, err := totp.GenerateCodeCustom(u.TOTPSecret, time.Now(), totpOpts); err != nil {
				return fmt.Errorf("user %s: totp_secret is not base32: %v", u.Login, err)
			}
		}
	}
	if err := checkApps(w.Apps); err != nil {
		return err
	}
	for _, t := range w.APITokens {
		if t.Token == "" || !users[strings.ToLower(t.User)] {
			return fmt.Errorf("api token %q needs a value and one of the users", t.Name)
		}
	}
	return checkSessions(w.Sessions, users)
}

func checkApps(apps []AppDef) error {
	ids := map[string]bool{}
	for _, a := range apps {
		if a.ClientID == "" || a.ClientSecret == "" || ids[a.ClientID] {
			return fmt.Errorf("app %q needs a client_id of its own and a client_secret", a.Name)
		}
		ids[a.ClientID] = true
		if len(a.RedirectURIs) == 0 {
			return fmt.Errorf("app %s has no redirect_uris", a.ClientID)
		}
		for _, ru := range a.RedirectURIs {
			if u, err := url.Parse(ru); err != nil || u.Scheme == "" || u.Host == "" || u.Fragment != "" {
				return fmt.Errorf("app %s: redirect URI %q is not an absolute URL", a.ClientID, ru)
			}
		}
	}
	return nil
}

func checkSessions(sessions []SessionDef, users map[string]bool) error {
	ids := map[string]bool{}
	for _, s := range sessions {
		if len(s.ID) < minSessionID || strings.Trim(s.ID, base62) != "" || ids[s.ID] {
			return fmt.Errorf("session %.12q…: an id needs %d or more letters and digits, and one of its own", s.ID, minSessionID)
		}
		ids[s.ID] = true
		if !users[strings.ToLower(s.User)] {
			return fmt.Errorf("session of %q: no such user", s.User)
		}
		if _, err := netip.ParseAddr(s.IP); err != nil {
			return fmt.Errorf("session of %s: ip: %v", s.User, err)
		}
		if _, err := labkit.Ago(orDefault(s.Ago, defaultSessionAgo)); err != nil {
			return fmt.Errorf("session of %s: %v", s.User, err)
		}
	}
	return nil
}

// defaultSessionAgo: a session a story does not date was opened this
// morning.
const defaultSessionAgo = "2h"

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
