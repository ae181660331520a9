package idp

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Okta's words for what the token endpoint refuses.
const (
	badClient = "Client authentication failed. Either the client or the client credentials are invalid."
	badCode   = "The authorization code is invalid or has expired."
)

// token redeems an authorization code, once and within its minute, for
// an access token and an ID token. A code that comes back after it was
// redeemed is someone replaying it: it is refused, and the access token
// it bought is revoked, as RFC 6749 (4.1.2) advises.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be read.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	app, claimed := s.clientOf(r)
	if app == nil {
		s.tokenFailed(v, unknownActor(claimed), nil, "invalid_client")
		oauthError(w, http.StatusUnauthorized, "invalid_client", badClient)
		return
	}
	if gt := r.PostFormValue("grant_type"); gt != "authorization_code" {
		s.tokenFailed(v, appActor(app), nil, "unsupported_grant_type")
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type",
			"The authorization grant type is not supported by the authorization server. Configured grant types: [authorization_code].")
		return
	}
	g := s.codes[r.PostFormValue("code")]
	if g == nil || g.app != app || s.now().Sub(g.issued) > codeTTL {
		s.tokenFailed(v, appActor(app), nil, "invalid_grant")
		oauthError(w, http.StatusBadRequest, "invalid_grant", badCode)
		return
	}
	if g.used {
		delete(s.access, g.accessToken)
		s.tokenFailed(v, appActor(app), g.session, "invalid_grant: the authorization code was already redeemed")
		oauthError(w, http.StatusBadRequest, "invalid_grant", badCode)
		return
	}
	g.used = true // a failed attempt spends the code too, so PKCE cannot be guessed at
	if why := checkRedemption(r, g); why != "" {
		s.tokenFailed(v, appActor(app), g.session, "invalid_grant")
		oauthError(w, http.StatusBadRequest, "invalid_grant", why)
		return
	}
	s.issueTokens(w, r, v, g)
}

func checkRedemption(r *http.Request, g *grant) string {
	if r.PostFormValue("redirect_uri") != g.redirectURI {
		return "The 'redirect_uri' does not match the redirection URI used in the authorization request."
	}
	if g.challenge != "" {
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.challenge)) != 1 {
			return "PKCE verification failed."
		}
	}
	return ""
}

// issueTokens answers a redeemed code; s.mu is held.
func (s *Server) issueTokens(w http.ResponseWriter, r *http.Request, v *visit, g *grant) {
	now, ss := s.now(), g.session
	at := randomToken(64)
	s.access[at] = &grant{app: g.app, session: ss, scope: g.scope, issued: now}
	g.accessToken = at
	idToken, err := s.keys.sign(idClaims{
		Issuer: s.issuerFor(r), Subject: ss.User.ID, Audience: g.app.ClientID,
		IssuedAt: now.Unix(), Expiry: now.Add(tokenTTL).Unix(), AuthTime: ss.Created.Unix(), AMR: ss.amr(),
		Email: ss.User.Login, Name: ss.User.Name, PreferredUsername: ss.User.Login, SID: ss.ID,
		Nonce: g.nonce, ATHash: atHash(at), JTI: "ID." + randomToken(43), Version: 1,
	})
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "The ID token could not be signed.")
		return
	}
	for _, kind := range []struct{ eventType, message string }{
		{"app.oauth2.token.grant.access_token", "OAuth2 access token is granted"},
		{"app.oauth2.token.grant.id_token", "OIDC id token is granted"},
	} {
		s.record(v, Event{EventType: kind.eventType, DisplayMessage: kind.message, Actor: appActor(g.app), Outcome: success(),
			AuthenticationContext: AuthenticationContext{ExternalSessionID: ExternalID(ss.ID)},
			Target:                []Target{userTarget(ss.User), appTarget(g.app)}})
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": int(tokenTTL.Seconds()),
		"access_token": at, "scope": strings.Join(g.scope, " "), "id_token": idToken})
}

func (s *Server) tokenFailed(v *visit, actor Actor, ss *Session, reason string) {
	e := Event{EventType: "app.oauth2.token.grant", DisplayMessage: "OAuth2 token request", Actor: actor, Outcome: outcome(ResultFailure, reason)}
	if ss != nil {
		e.AuthenticationContext.ExternalSessionID = ExternalID(ss.ID)
		e.Target = []Target{userTarget(ss.User)}
	}
	s.record(v, e)
}

// clientOf authenticates the client by client_secret_basic or, failing
// that, client_secret_post, and returns the client id it claimed. Basic
// credentials are form-encoded by OAuth clients (RFC 6749 2.3.1) and
// plain by curl -u; either is taken.
func (s *Server) clientOf(r *http.Request) (*App, string) {
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	for _, try := range [][2]string{{id, secret}, unescaped(id, secret)} {
		if a := s.app(try[0]); a != nil && try[1] != "" && subtle.ConstantTimeCompare([]byte(a.secret), []byte(try[1])) == 1 {
			return a, a.ClientID
		}
	}
	return nil, id
}

func unescaped(id, secret string) [2]string {
	uid, err1 := url.QueryUnescape(id)
	usecret, err2 := url.QueryUnescape(secret)
	if err1 != nil || err2 != nil {
		return [2]string{}
	}
	return [2]string{uid, usecret}
}

// userinfo answers with the claims the access token's scopes allow.
// Access tokens outlive the session they came from, as Okta's do.
func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.access[tok]
	if tok == "" || g == nil || s.now().Sub(g.issued) > tokenTTL {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="The access token is invalid."`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "The access token is invalid.")
		return
	}
	u := g.session.User
	claims := map[string]any{"sub": u.ID}
	if slices.Contains(g.scope, "profile") {
		given, family, _ := strings.Cut(u.Name, " ")
		claims["name"], claims["preferred_username"], claims["given_name"], claims["family_name"] = u.Name, u.Login, given, family
	}
	if slices.Contains(g.scope, "email") {
		claims["email"], claims["email_verified"] = u.Login, true
	}
	writeJSON(w, http.StatusOK, claims)
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}
