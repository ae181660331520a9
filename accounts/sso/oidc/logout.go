package oidc

import (
	"context"
	"net/url"

	"github.com/sakimori/sakimori/accounts/sso"
)

var _ sso.Logouts = (*Flow)(nil)

// LogoutURL is the provider's end-session page (RP-initiated logout), with
// the way back to the range; "" when the provider has none.
func (f *Flow) LogoutURL(ctx context.Context, p sso.Provider, idToken, returnTo string) (string, error) {
	op, err := f.provider(ctx, p.Issuer)
	if err != nil {
		return "", err
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := op.Claims(&meta); err != nil || meta.EndSession == "" {
		return "", nil
	}
	u, err := url.Parse(meta.EndSession)
	if err != nil {
		return "", nil
	}
	q := u.Query()
	q.Set("client_id", p.ClientID)
	q.Set("post_logout_redirect_uri", f.publicURL+returnTo)
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
