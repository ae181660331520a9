package lti

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// registrationTTL is how long a Dynamic Registration URL an admin made
// may be used.
const registrationTTL = 7 * 24 * time.Hour

type registrationClaims struct {
	OrganisationID string `json:"o"`
	Expires        int64  `json:"e"`
	Nonce          string `json:"n"`
}

const registrationOwner = "lti-dynamic-registration"

// RegistrationURL makes the URL an LMS admin pastes to add the range
// (IMS LTI Dynamic Registration) for the organisation; it holds a sealed
// token naming the organisation, usable once within a week.
func (s *Service) RegistrationURL(orgID string) (string, time.Time) {
	exp := s.now().Add(registrationTTL)
	b, _ := json.Marshal(registrationClaims{OrganisationID: orgID, Expires: exp.Unix(), Nonce: random()})
	return s.base + "/api/v1/lti/register/" + s.sealer.Seal(string(b), registrationOwner), exp
}

// platformConfig is what a platform's openid-configuration says.
type platformConfig struct {
	Issuer        string `json:"issuer"`
	Authorization string `json:"authorization_endpoint"`
	Token         string `json:"token_endpoint"`
	JWKS          string `json:"jwks_uri"`
	Registration  string `json:"registration_endpoint"`
	Platform      struct {
		Product string `json:"product_family_code"`
	} `json:"https://purl.imsglobal.org/spec/lti-platform-configuration"`
}

// RegisterDynamically answers a platform's Dynamic Registration: it
// fetches the platform's configuration, whose issuer must be the origin
// the configuration came from; posts the tool's registration with the
// platform's one-time token; and registers the platform the client id
// and deployment it returned name.
func (s *Service) RegisterDynamically(ctx context.Context, token, configURL, registrationToken string) (Platform, error) {
	plain, err := s.sealer.Open(token, registrationOwner)
	var rc registrationClaims
	if err != nil || json.Unmarshal([]byte(plain), &rc) != nil || s.now().Unix() > rc.Expires {
		return Platform{}, ErrRegistrationInvalid
	}
	if !webURL(configURL) {
		return Platform{}, ErrRegistrationFailed
	}
	var cfg platformConfig
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, configURL, nil)
	if err != nil {
		return Platform{}, ErrRegistrationFailed
	}
	if err := s.do(req, &cfg); err != nil {
		return Platform{}, errors.Join(ErrRegistrationFailed, err)
	}
	if cfg.Issuer == "" || !strings.HasPrefix(configURL, strings.TrimSuffix(cfg.Issuer, "/")+"/") || !webURL(cfg.Registration) {
		return Platform{}, ErrRegistrationFailed
	}
	if fresh, err := s.store.Remember(ctx, "lti-dynreg:"+rc.Nonce, time.Unix(rc.Expires, 0)); err != nil {
		return Platform{}, err
	} else if !fresh {
		return Platform{}, ErrRegistrationInvalid
	}
	client, deployment, err := s.postRegistration(ctx, cfg.Registration, registrationToken)
	if err != nil {
		return Platform{}, err
	}
	name := cfg.Platform.Product
	if u, err := url.Parse(cfg.Issuer); err == nil && name == "" {
		name = u.Host
	}
	return s.Register(ctx, Platform{OrganisationID: rc.OrganisationID, Name: name, Issuer: cfg.Issuer, ClientID: client,
		DeploymentIDs: []string{deployment}, AuthURL: cfg.Authorization, TokenURL: cfg.Token, JWKSURL: cfg.JWKS})
}

const toolConfig = "https://purl.imsglobal.org/spec/lti-tool-configuration"

func (s *Service) postRegistration(ctx context.Context, endpoint, token string) (client, deployment string, err error) {
	host := s.base
	if u, err := url.Parse(s.base); err == nil {
		host = u.Host
	}
	body, _ := json.Marshal(map[string]any{
		"application_type": "web", "response_types": []string{"id_token"}, "grant_types": []string{"implicit", "client_credentials"},
		"initiate_login_uri": s.LoginURL(), "redirect_uris": []string{s.LaunchURL()}, "client_name": "Sakimori",
		"jwks_uri": s.JWKSURL(), "token_endpoint_auth_method": "private_key_jwt",
		"scope": strings.Join([]string{ScopeLineItem, ScopeScore, ScopeMemberships}, " "),
		toolConfig: map[string]any{
			"domain": host, "target_link_uri": s.LaunchURL(), "claims": []string{"iss", "sub", "name", "email"},
			"messages": []map[string]any{{"type": DeepLinkingMsg, "target_link_uri": s.LaunchURL()}},
		},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", "", ErrRegistrationFailed
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	var out struct {
		ClientID string `json:"client_id"`
		Tool     struct {
			Deployment string `json:"deployment_id"`
		} `json:"https://purl.imsglobal.org/spec/lti-tool-configuration"`
	}
	if err := s.do(req, &out); err != nil {
		return "", "", errors.Join(ErrRegistrationFailed, err)
	}
	if out.ClientID == "" || out.Tool.Deployment == "" {
		return "", "", ErrRegistrationFailed
	}
	return out.ClientID, out.Tool.Deployment, nil
}
