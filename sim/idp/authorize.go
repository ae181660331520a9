package idp

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// grant is what an authorization code or an access token stands for.
type grant struct {
	app         *App
	session     *Session // the sign-in it came from; it may have ended since
	redirectURI string
	scope       []string
	nonce       string
	challenge   string // PKCE S256, if the client sent one
	issued      time.Time
	used        bool   // a code, once redeemed
	accessToken string // what a code was redeemed for, revoked if the code comes back
}

// authorize answers /oauth2/v1/authorize: a browser with a session is
// sent back to the app with a code; one without is sent to sign in first
// and comes back here. Problems with the client or its redirect URI are
// shown on a page, never sent to an unchecked address.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	v, q := visitOf(r), r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	app := s.app(q.Get("client_id"))
	if app == nil || !slices.Contains(app.RedirectURIs, q.Get("redirect_uri")) {
		why := "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings."
		if app == nil {
			why = "Invalid value for 'client_id' parameter."
		}
		s.record(v, Event{EventType: "app.oauth2.authorize.code", DisplayMessage: "OAuth2 authorization code request",
			Actor: unknownActor(""), Outcome: outcome(ResultFailure, why)})
		s.render(w, http.StatusBadRequest, "error", page{Org: s.org, Error: why})
		return
	}
	if code, why := checkAuthorizeRequest(q); code != "" {
		s.authorizeEvent(v, app, v.session, outcome(ResultFailure, code))
		sendBack(w, r, url.Values{"error": {code}, "error_description": {why}})
		return
	}
	ss := v.session
	if ss == nil || s.sessions[ss.ID] != ss {
		if q.Get("prompt") == "none" {
			sendBack(w, r, url.Values{"error": {"login_required"}, "error_description": {"The client specified not to prompt, but the user is not logged in."}})
			return
		}
		http.Redirect(w, r, "/login?from="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
		return
	}
	s.pruneGrants()
	code := randomToken(43)
	s.codes[code] = &grant{app: app, session: ss, redirectURI: q.Get("redirect_uri"), scope: strings.Fields(q.Get("scope")),
		nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), issued: s.now()}
	sso := sessionEvent(ss, "user.authentication.sso", "User single sign on to app", success())
	sso.Target = []Target{appTarget(app)}
	s.record(v, sso)
	s.authorizeEvent(v, app, ss, success())
	sendBack(w, r, url.Values{"code": {code}})
}

// sendBack redirects the browser to the app's (checked) redirect URI
// with params and the request's state.
func sendBack(w http.ResponseWriter, r *http.Request, params url.Values) {
	q := r.URL.Query()
	u, _ := url.Parse(q.Get("redirect_uri")) // one of the app's, which ParseWorld checked
	query := u.Query()
	for k, vals := range params {
		query[k] = vals
	}
	if st := q.Get("state"); st != "" {
		query.Set("state", st)
	}
	u.RawQuery = query.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// checkAuthorizeRequest returns the OAuth error of a request the IdP will
// not grant, and Okta's words for it.
func checkAuthorizeRequest(q url.Values) (code, why string) {
	switch {
	case q.Get("response_type") != "code":
		return "unsupported_response_type", "The response type is not supported by the authorization server. Configured response types: [code]."
	case !validScopes(strings.Fields(q.Get("scope"))):
		return "invalid_scope", "One or more scopes are not configured for the authorization server resource, or 'openid' is missing."
	case q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256":
		return "invalid_request", "'code_challenge_method' must be S256."
	}
	return "", ""
}

func (s *Server) authorizeEvent(v *visit, app *App, ss *Session, o Outcome) {
	e := Event{EventType: "app.oauth2.authorize.code", DisplayMessage: "OAuth2 authorization code request", Actor: unknownActor(""),
		Outcome: o, Target: []Target{appTarget(app)}}
	if ss != nil {
		e.Actor = userActor(ss.User)
		e.AuthenticationContext.ExternalSessionID = ExternalID(ss.ID)
	}
	s.record(v, e)
}

// pruneGrants forgets codes long past their minute (a replay within a
// while is still recognised and logged as one) and expired access
// tokens; s.mu is held.
func (s *Server) pruneGrants() {
	now := s.now()
	for k, g := range s.codes {
		if now.Sub(g.issued) > 10*codeTTL {
			delete(s.codes, k)
		}
	}
	for k, g := range s.access {
		if now.Sub(g.issued) > tokenTTL {
			delete(s.access, k)
		}
	}
}
