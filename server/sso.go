package server

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/accounts/sso"
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/server/auth"
)

// ssoCookie keeps a sign-in's state in the browser that started it, so
// only that browser can finish it: a link to the callback sent to someone
// else signs nobody in. It must come back on the provider's cross-site
// redirect or POST (see sameSite); it holds nothing but the state.
const (
	ssoCookie = "sakimori_sso"
	ssoPath   = "/api/v1/auth/sso"
	ssoTTL    = 10 * time.Minute
)

// ssoAPI runs sign-ins through organisations' identity providers.
type ssoAPI struct {
	sso      *sso.Service
	sessions sessions
}

type ssoProviderPublic struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Protocol       string `json:"protocol"`
	OrganisationID string `json:"organisation_id"`
}

type ssoProviderPublicList struct {
	Providers []ssoProviderPublic `json:"providers"`
}

// providers lists the enabled providers, for the sign-in and discovery
// pages; nothing of their configuration beyond a name.
func (a ssoAPI) providers(c *fiber.Ctx) error {
	ps, err := a.sso.Providers(c.UserContext(), "")
	if err != nil {
		return err
	}
	out := ssoProviderPublicList{Providers: []ssoProviderPublic{}}
	for _, p := range ps {
		if p.Enabled {
			out.Providers = append(out.Providers, ssoProviderPublic{ID: p.ID, Name: p.Name, Protocol: string(p.Protocol), OrganisationID: p.OrganisationID})
		}
	}
	return c.JSON(out)
}

// start sends the browser to the provider.
func (a ssoAPI) start(c *fiber.Ctx) error {
	st, err := a.sso.Begin(c.UserContext(), c.Params("id"), "", strings.Clone(c.Query("return_to", "/")))
	if err != nil {
		return err
	}
	a.setCookie(c, st.State)
	return c.Redirect(st.RedirectURL, fiber.StatusSeeOther)
}

type ssoRedirectView struct {
	RedirectURL string `json:"redirect_url"`
}

// link starts linking a provider to the signed-in account; the page then
// sends the browser to the URL returned.
func (a ssoAPI) link(c *fiber.Ctx) error {
	st, err := a.sso.Begin(c.UserContext(), c.Params("id"), auth.PrincipalOf(c).UserID, "/security")
	if err != nil {
		return err
	}
	a.setCookie(c, st.State)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(ssoRedirectView{RedirectURL: st.RedirectURL})
}

// callback finishes a sign-in: the person lands on the page they started
// from, signed in with a refresh cookie the app then uses. A refusal lands
// on the sign-in page with its code, which the page says in plain words.
func (a ssoAPI) callback(c *fiber.Ctx) error {
	reply := url.Values{}
	for k, v := range c.Queries() {
		reply.Set(strings.Clone(k), strings.Clone(v))
	}
	return a.finish(c, reply)
}

// acs is the SAML Assertion Consumer Service: the IdP's Response comes
// by HTTP-POST, its RelayState being the sign-in's state.
func (a ssoAPI) acs(c *fiber.Ctx) error {
	reply := url.Values{
		"SAMLResponse": {strings.Clone(c.FormValue("SAMLResponse"))},
		"state":        {strings.Clone(c.FormValue("RelayState"))},
	}
	return a.finish(c, reply)
}

// metadata publishes the range's SAML service provider metadata.
func (a ssoAPI) metadata(c *fiber.Ctx) error {
	md, err := a.sso.Metadata(sso.SAML)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/samlmetadata+xml")
	return c.Send(md)
}

func (a ssoAPI) finish(c *fiber.Ctx, reply url.Values) error {
	browserState := strings.Clone(c.Cookies(ssoCookie))
	a.clearCookie(c)
	out, err := a.sso.Finish(c.UserContext(), reply.Get("state"), browserState, reply)
	c.Set(fiber.HeaderCacheControl, "no-store")
	if err != nil {
		return a.refused(c, err)
	}
	if !out.Linked {
		if !out.MultiFactor {
			step, err := a.secondStep(c, out.User)
			if err != nil || step != "" {
				return err
			}
		}
		refresh, err := a.sessions.accounts.StartSession(c.UserContext(), out.User, a.sessions.client(c))
		if err != nil {
			return err
		}
		a.sessions.setCookie(c, refresh)
	}
	return c.Redirect(out.ReturnTo, fiber.StatusSeeOther)
}

// secondStep asks for the range's own second factor after a provider's
// sign-in that did not assert one, as after a right password: the person
// lands on the sign-in page at the factor step, or at setting one up when
// their role requires it. The step rides in the address's fragment, which
// browsers never send to a server nor in a Referer; it is short-lived and
// single-use besides. "" when no step is needed.
func (a ssoAPI) secondStep(c *fiber.Ctx, u accounts.User) (string, error) {
	f, err := a.sessions.accounts.SecondFactorFor(c.UserContext(), u)
	if err != nil {
		return "", err
	}
	var step any
	switch {
	case f.Challenge != "":
		step = mfaChallengeView{MFARequired: true, Challenge: f.Challenge, Methods: f.Methods, ExpiresAt: f.ExpiresAt}
	case f.EnrolmentRequired:
		token, exp, err := a.sessions.tokens.IssueEnrolment(u)
		if err != nil {
			return "", err
		}
		step = mfaEnrolmentView{EnrolmentRequired: true, EnrolmentToken: token, TokenType: "Bearer", ExpiresAt: exp, User: viewOf(u)}
	default:
		return "", nil
	}
	body, err := json.Marshal(step)
	if err != nil {
		return "", err
	}
	to := "/signin#sso_step=" + base64.RawURLEncoding.EncodeToString(body)
	return to, c.Redirect(to, fiber.StatusSeeOther)
}

// refused sends the browser to the sign-in page with the refusal's code.
// Failures the range itself had go to the error handler like any other;
// refusals are recorded for the provider's admins.
func (a ssoAPI) refused(c *fiber.Ctx, err error) error {
	f, ok := fault.As(err)
	if !ok || f.Kind == fault.Internal {
		return err
	}
	return c.Redirect("/signin?sso_error="+url.QueryEscape(f.Code), fiber.StatusSeeOther)
}

type ssoLogoutRequest struct {
	ProviderID string `json:"provider_id"`
}

// logoutURL says where to send a person signing out of a provider that
// asks for RP-initiated logout; "" when it does not.
func (a ssoAPI) logoutURL(c *fiber.Ctx) error {
	var req ssoLogoutRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	to, err := a.sso.LogoutURL(c.UserContext(), req.ProviderID, "", "/")
	if errors.Is(err, sso.ErrProviderNotFound) {
		return err
	}
	if err != nil {
		to = "" // the local sign-out stands even if the provider is away
	}
	return c.JSON(ssoRedirectView{RedirectURL: to})
}

type ssoIdentityView struct {
	Issuer     string    `json:"issuer"`
	ProviderID string    `json:"provider_id"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
}

type ssoIdentityList struct {
	Identities []ssoIdentityView `json:"identities"`
}

// identities lists the providers linked to the signed-in account.
func (a ssoAPI) identities(c *fiber.Ctx) error {
	ids, err := a.sso.Identities(c.UserContext(), auth.PrincipalOf(c).UserID)
	if err != nil {
		return err
	}
	out := ssoIdentityList{Identities: []ssoIdentityView{}}
	for _, id := range ids {
		out.Identities = append(out.Identities, ssoIdentityView{Issuer: id.Issuer, ProviderID: id.ProviderID, CreatedAt: id.CreatedAt, LastUsedAt: id.LastUsedAt})
	}
	return c.JSON(out)
}

func (a ssoAPI) setCookie(c *fiber.Ctx, state string) {
	c.Cookie(&fiber.Cookie{
		Name: ssoCookie, Value: state, Path: ssoPath, Expires: time.Now().Add(ssoTTL), HTTPOnly: true,
		Secure: a.sessions.opt.SecureCookies, SameSite: a.sameSite(),
	})
}

// sameSite lets the state cookie come back on the IdP's cross-site POST
// (SAML's HTTP-POST binding), which SameSite=Lax would not send; browsers
// take SameSite=None only with Secure, so over plain http (a range tried
// on localhost, its IdP beside it on the same site) it stays Lax.
func (a ssoAPI) sameSite() string {
	if a.sessions.opt.SecureCookies {
		return fiber.CookieSameSiteNoneMode
	}
	return fiber.CookieSameSiteLaxMode
}

func (a ssoAPI) clearCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: ssoCookie, Value: "", Path: ssoPath, MaxAge: -1, Expires: time.Unix(0, 0), HTTPOnly: true,
		Secure: a.sessions.opt.SecureCookies, SameSite: a.sameSite(),
	})
}
