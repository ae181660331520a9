package server

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/lti"
	"github.com/sakimori/sakimori/server/auth"
)

// ltiAPI is the range as an LTI 1.3 tool: a platform's login initiation,
// its launch, the range's keys, and the deep-link reply an instructor
// picks.
type ltiAPI struct {
	lti      *lti.Service
	sessions sessions
	audit    audit.Recorder
}

// login answers a platform's third-party login initiation (GET or POST)
// by sending the browser to the platform's authorization endpoint.
func (a ltiAPI) login(c *fiber.Ctx) error {
	v := func(k string) string { return strings.Clone(c.FormValue(k, c.Query(k))) }
	to, state, err := a.lti.Login(c.UserContext(), lti.Initiation{
		Issuer: v("iss"), ClientID: v("client_id"), LoginHint: v("login_hint"), MessageHint: v("lti_message_hint"),
		TargetLinkURI: v("target_link_uri"), DeploymentID: v("lti_deployment_id"),
	})
	if err != nil {
		return err
	}
	a.bindState(c, state)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Redirect(to, fiber.StatusFound)
}

// ltiStateCookie binds a launch's state to the browser that started it, so
// a launch form carried to another browser signs nobody in there. The
// platform's form_post is cross-site: the cookie must be SameSite=None,
// which browsers take only when Secure, so over plain http (development)
// there is no binding and the state alone, single-use, stands.
const ltiStateCookie = "sakimori_lti_"

func stateCookieName(state string) string {
	return ltiStateCookie + state[:12] // one per launch in flight, so two tabs do not clash
}

func (a ltiAPI) bindState(c *fiber.Ctx, state string) {
	if !a.sessions.opt.SecureCookies {
		return
	}
	c.Cookie(&fiber.Cookie{Name: stateCookieName(state), Value: state, Path: "/api/v1/lti/launch", MaxAge: 600,
		HTTPOnly: true, Secure: true, SameSite: fiber.CookieSameSiteNoneMode})
}

// boundState says whether the launch comes from the browser its state was
// given to; it takes the cookie away either way.
func (a ltiAPI) boundState(c *fiber.Ctx, state string) bool {
	if !a.sessions.opt.SecureCookies {
		return true
	}
	if len(state) < 12 {
		return false
	}
	name := stateCookieName(state)
	held := c.Cookies(name)
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/api/v1/lti/launch", MaxAge: -1, HTTPOnly: true, Secure: true,
		SameSite: fiber.CookieSameSiteNoneMode})
	return held == state
}

// launch takes the platform's form_post: it checks the id_token, admits
// the person into the cohort bound to the course, and sends them on to be
// signed in and land on the assignment, the class, or the deep-link picker.
func (a ltiAPI) launch(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	state := strings.Clone(c.FormValue("state"))
	if !a.boundState(c, state) {
		return lti.ErrStateUnknown
	}
	l, err := a.lti.Validate(c.UserContext(), state, strings.Clone(c.FormValue("id_token")))
	if err != nil {
		return err
	}
	in, err := a.lti.Land(c.UserContext(), l)
	if err != nil {
		return err
	}
	// The session starts at the next, same-site GET: a browser drops a
	// SameSite cookie set in answer to the platform's cross-site POST.
	return c.Redirect("/api/v1/lti/enter?code="+url.QueryEscape(a.lti.Entry(in.User.ID, landingPath(in))), fiber.StatusSeeOther)
}

// enter takes a launch's way in: it signs the person in and sends them to
// the page the launch was for.
func (a ltiAPI) enter(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	u, path, err := a.lti.TakeEntry(c.UserContext(), strings.Clone(c.Query("code")))
	if err != nil {
		return err
	}
	refresh, err := a.sessions.accounts.StartSession(c.UserContext(), u, a.sessions.client(c))
	if err != nil {
		return err
	}
	a.sessions.setCookie(c, refresh)
	// The app's landing page marks that this browser now holds a session,
	// then goes on; the path rides in the fragment, never sent to a server.
	return c.Redirect("/lti/landed#to="+url.QueryEscape(path), fiber.StatusSeeOther)
}

// landingPath is the page a launch lands on: the picker for a deep
// linking request, the class for its instructors, and for a learner their
// home page, which lists what is assigned to them. The deep-link ticket
// goes in the fragment, so it is never sent to a server or logged.
func landingPath(in lti.Landing) string {
	switch {
	case in.Ticket != "":
		return "/lti/deep-link?cohort=" + in.CohortID + "#ticket=" + in.Ticket
	case in.Instructor:
		return "/cohorts/" + in.CohortID
	default:
		return "/"
	}
}

// jwks publishes the range's public keys.
func (a ltiAPI) jwks(c *fiber.Ctx) error {
	set, err := a.lti.JWKS(c.UserContext())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/jwk-set+json")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(set)
}

type ltiDeepLinkRequest struct {
	Ticket       string `json:"ticket"`
	AssignmentID string `json:"assignment_id"`
}

type ltiDeepLinkView struct {
	ReturnURL string `json:"return_url"`
	JWT       string `json:"jwt"`
}

// deepLink signs the reply to a deep linking request with the assignment
// the instructor picked; the page posts it to the platform.
func (a ltiAPI) deepLink(c *fiber.Ctx) error {
	var req ltiDeepLinkRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := a.lti.DeepLink(c.UserContext(), auth.PrincipalOf(c).UserID, req.Ticket, req.AssignmentID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(ltiDeepLinkView{ReturnURL: out.ReturnURL, JWT: out.JWT})
}
