package ci

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// SSODef signs people in through the organisation's identity provider
// with OpenID Connect, as GitLab's OmniAuth openid_connect provider does.
// The CI's own session then rides in a cookie: whoever holds the cookie
// is the user, with no second factor asked again.
type SSODef struct {
	Issuer       string `yaml:"issuer"` // the identity provider's address, as the CI reaches it
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	// RequireSignIn closes the web view to anyone not signed in.
	RequireSignIn bool `yaml:"require_sign_in"`
}

// sessionCookie is GitLab's own name for its session.
const sessionCookie = "_gitlab_session"

// webSession is a signed-in browser.
type webSession struct {
	ID      string
	User    *User
	Created time.Time
}

// sso is the relying party, made on first use: the identity provider may
// come up after the CI does.
type sso struct {
	def      SSODef
	once     sync.Mutex
	provider *gooidc.Provider
}

func (o *sso) ready(ctx context.Context) (*gooidc.Provider, error) {
	o.once.Lock()
	defer o.once.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	p, err := gooidc.NewProvider(ctx, o.def.Issuer)
	if err != nil {
		return nil, err
	}
	o.provider = p
	return p, nil
}

func (o *sso) config(p *gooidc.Provider, r *http.Request) *oauth2.Config {
	return &oauth2.Config{ClientID: o.def.ClientID, ClientSecret: o.def.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: "http://" + r.Host + "/users/auth/openid_connect/callback", Scopes: []string{gooidc.ScopeOpenID, "profile", "email"}}
}

var signInPage = template.Must(template.New("").Parse(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Sign in · {{.Site}}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:28rem;margin:4rem auto;color:#222}a.button{display:inline-block;background:#292961;color:#fff;padding:.6rem 1rem;border-radius:4px;text-decoration:none}</style>
<h1>{{.Site}}</h1>{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}<p><a class="button" href="auth/openid_connect">Sign in with single sign-on</a></p>`))

// serveSSO answers /users/...: the sign-in page, the hand-off to the
// identity provider and its callback, and sign-out.
func (s *Server) serveSSO(w http.ResponseWriter, r *http.Request, rest []string) {
	if s.sso == nil {
		http.NotFound(w, r)
		return
	}
	switch strings.Join(rest, "/") {
	case "sign_in", "auth":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = signInPage.Execute(w, map[string]string{"Site": s.name, "Error": r.URL.Query().Get("error")})
	case "auth/openid_connect":
		p, err := s.sso.ready(r.Context())
		if err != nil {
			http.Error(w, "The identity provider cannot be reached: "+err.Error(), http.StatusBadGateway)
			return
		}
		state := randomHex(16)
		http.SetCookie(w, &http.Cookie{Name: "oidc_state", Value: state, Path: "/users/auth", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 600})
		http.Redirect(w, r, s.sso.config(p, r).AuthCodeURL(state), http.StatusFound)
	case "auth/openid_connect/callback":
		s.ssoCallback(w, r)
	case "sign_out":
		if c, err := r.Cookie(sessionCookie); err == nil {
			s.mu.Lock()
			delete(s.sessions, c.Value)
			s.mu.Unlock()
		}
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
		http.Redirect(w, r, "sign_in", http.StatusFound)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request) {
	fail := func(why string) {
		s.mu.Lock()
		s.logAccess(r, caller{}, http.StatusUnauthorized, "web", "")
		s.mu.Unlock()
		http.Redirect(w, r, "../../sign_in?error="+strings.ReplaceAll(why, " ", "+"), http.StatusFound)
	}
	state, err := r.Cookie("oidc_state")
	if err != nil || state.Value == "" || state.Value != r.URL.Query().Get("state") {
		fail("Could not authenticate you from OpenIDConnect because \"Csrf detected\".")
		return
	}
	p, err := s.sso.ready(r.Context())
	if err != nil {
		fail("The identity provider cannot be reached.")
		return
	}
	tok, err := s.sso.config(p, r).Exchange(r.Context(), r.URL.Query().Get("code"))
	if err != nil {
		fail("Could not authenticate you from OpenIDConnect because \"Invalid credentials\".")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := p.Verifier(&gooidc.Config{ClientID: s.sso.def.ClientID}).Verify(r.Context(), raw)
	if err != nil {
		fail("Could not authenticate you from OpenIDConnect because \"Invalid id token\".")
		return
	}
	var claims struct {
		PreferredUsername string `json:"preferred_username"`
		Email             string `json:"email"`
	}
	_ = idt.Claims(&claims)
	login := claims.PreferredUsername
	if login == "" {
		login, _, _ = strings.Cut(claims.Email, "@")
	}
	login, _, _ = strings.Cut(login, "@")
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[login]
	if u == nil {
		s.logAccess(r, caller{}, http.StatusForbidden, "web", "")
		http.Error(w, fmt.Sprintf("403 Forbidden: no account here for %s", login), http.StatusForbidden)
		return
	}
	sess := &webSession{ID: randomHex(16), User: u, Created: s.now().UTC()}
	s.sessions[sess.ID] = sess
	s.logAccess(r, caller{session: sess}, http.StatusFound, "web", "")
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.ID, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "../../../", http.StatusFound)
}

// webSessionOf is the signed-in session a request's cookie names.
func (s *Server) webSessionOf(r *http.Request) *webSession {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	return s.sessions[c.Value]
}
