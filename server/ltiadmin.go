package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/lti"
)

// ltiAdminAPI lets range admins register organisations' learning
// platforms, revoke them, rotate the range's keys, and send grades now.
type ltiAdminAPI struct {
	lti     *lti.Service
	cohorts *cohorts.Service
	audit   audit.Recorder
}

type ltiPlatformView struct {
	ID             string    `json:"id"`
	OrganisationID string    `json:"organisation_id"`
	Name           string    `json:"name"`
	Issuer         string    `json:"issuer"`
	ClientID       string    `json:"client_id"`
	DeploymentIDs  []string  `json:"deployment_ids"`
	AuthURL        string    `json:"auth_url"`
	TokenURL       string    `json:"token_url"`
	JWKSURL        string    `json:"jwks_url"`
	Revoked        bool      `json:"revoked"`
	CreatedAt      time.Time `json:"created_at"`
}

func ltiPlatformViewOf(p lti.Platform) ltiPlatformView {
	return ltiPlatformView{ID: p.ID, OrganisationID: p.OrganisationID, Name: p.Name, Issuer: p.Issuer, ClientID: p.ClientID,
		DeploymentIDs: p.DeploymentIDs, AuthURL: p.AuthURL, TokenURL: p.TokenURL, JWKSURL: p.JWKSURL, Revoked: p.Revoked, CreatedAt: p.CreatedAt}
}

// ltiToolView is what an LMS admin enters when adding the range by hand.
type ltiToolView struct {
	LoginURL  string   `json:"login_url"`
	LaunchURL string   `json:"launch_url"`
	JWKSURL   string   `json:"jwks_url"`
	Redirects []string `json:"redirect_uris"`
	DeepLink  string   `json:"deep_link_url"`
	Scopes    []string `json:"scopes"`
}

type ltiPlatformList struct {
	Tool      ltiToolView       `json:"tool"`
	Platforms []ltiPlatformView `json:"platforms"`
}

func (a ltiAdminAPI) list(c *fiber.Ctx) error {
	o, err := a.cohorts.Organisation(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	ps, err := a.lti.Platforms(c.UserContext(), o.ID)
	if err != nil {
		return err
	}
	out := ltiPlatformList{Platforms: []ltiPlatformView{}, Tool: ltiToolView{
		LoginURL: a.lti.LoginURL(), LaunchURL: a.lti.LaunchURL(), JWKSURL: a.lti.JWKSURL(), Redirects: []string{a.lti.LaunchURL()},
		DeepLink: a.lti.LaunchURL(), Scopes: []string{lti.ScopeLineItem, lti.ScopeScore, lti.ScopeMemberships},
	}}
	for _, p := range ps {
		out.Platforms = append(out.Platforms, ltiPlatformViewOf(p))
	}
	return c.JSON(out)
}

type ltiPlatformRequest struct {
	Name          string   `json:"name"`
	Issuer        string   `json:"issuer"`
	ClientID      string   `json:"client_id"`
	DeploymentIDs []string `json:"deployment_ids"`
	AuthURL       string   `json:"auth_url"`
	TokenURL      string   `json:"token_url"`
	JWKSURL       string   `json:"jwks_url"`
}

func (a ltiAdminAPI) create(c *fiber.Ctx) error {
	var req ltiPlatformRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := a.cohorts.Organisation(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	p, err := a.lti.Register(c.UserContext(), lti.Platform{OrganisationID: o.ID, Name: req.Name, Issuer: req.Issuer, ClientID: req.ClientID,
		DeploymentIDs: req.DeploymentIDs, AuthURL: req.AuthURL, TokenURL: req.TokenURL, JWKSURL: req.JWKSURL})
	if err != nil {
		return err
	}
	if err := recordAction(c, a.audit, audit.Entry{Action: audit.LTIPlatformChange, TargetKind: "lti_platform", TargetID: p.ID,
		Detail: map[string]string{"change": "registered"}}); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(ltiPlatformViewOf(p))
}

func (a ltiAdminAPI) revoke(c *fiber.Ctx) error {
	p, err := a.lti.Revoke(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if err := recordAction(c, a.audit, audit.Entry{Action: audit.LTIPlatformChange, TargetKind: "lti_platform", TargetID: p.ID,
		Detail: map[string]string{"change": "revoked"}}); err != nil {
		return err
	}
	return c.JSON(ltiPlatformViewOf(p))
}

type ltiPublishView struct {
	Sent int `json:"sent"`
}

// publish sends a platform's changed grades now, rather than at the next
// round.
func (a ltiAdminAPI) publish(c *fiber.Ctx) error {
	n, err := a.lti.PublishPlatform(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(ltiPublishView{Sent: n})
}

type ltiKeyView struct {
	KeyID string `json:"kid"`
}

// rotate makes a new signing key; the old one stays published for the
// grace period.
func (a ltiAdminAPI) rotate(c *fiber.Ctx) error {
	kid, err := a.lti.Rotate(c.UserContext())
	if err != nil {
		return err
	}
	if err := recordAction(c, a.audit, audit.Entry{Action: audit.LTIKeyRotate, TargetKind: "lti_key", TargetID: kid}); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(ltiKeyView{KeyID: kid})
}

type ltiRosterView struct {
	Courses  int `json:"courses"`
	Enrolled int `json:"enrolled"`
	Skipped  int `json:"skipped"`
}

// roster syncs a platform's course rosters into their cohorts now (NRPS).
func (a ltiAdminAPI) roster(c *fiber.Ctx) error {
	r, err := a.lti.SyncRoster(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(ltiRosterView{Courses: r.Courses, Enrolled: r.Enrolled, Skipped: r.Skipped})
}
