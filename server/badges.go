package server

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/badges"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/server/auth"
)

// badgesAPI serves the range's Open Badges: the public documents a
// verifier dereferences, each badge's credential for anyone with its link,
// a trainee's own badges, and revocation and thresholds for admins.
type badgesAPI struct {
	badges   *badges.Service
	accounts *accounts.Service
	cohorts  *cohorts.Service
	earnings *badgeEarnings // nil without labs and scoring: nothing new is earned
	audit    audit.Recorder
}

type badgeAlignment struct {
	Framework string `json:"framework"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	URL       string `json:"url"`
}

type badgeView struct {
	ID            string           `json:"id"`
	Kind          string           `json:"kind"`
	Ref           string           `json:"ref"`
	Name          string           `json:"name"`
	Description   string           `json:"description"`
	Criteria      string           `json:"criteria"`
	Alignments    []badgeAlignment `json:"alignments"`
	Holder        string           `json:"holder"`
	IssuedAt      time.Time        `json:"issued_at"`
	Revoked       bool             `json:"revoked"`
	RevokedAt     *time.Time       `json:"revoked_at,omitempty"`
	CredentialURL string           `json:"credential_url"`
	JWTURL        string           `json:"jwt_url"`
}

func (h badgesAPI) view(a badges.StoredAward) badgeView {
	v := badgeView{ID: a.ID, Kind: a.Achievement.Kind, Ref: a.Achievement.Ref, Name: a.Achievement.Name,
		Description: a.Achievement.Description, Criteria: a.Achievement.Criteria, Alignments: []badgeAlignment{},
		Holder: a.Holder, IssuedAt: a.IssuedAt, Revoked: a.RevokedAt != nil, RevokedAt: a.RevokedAt,
		CredentialURL: h.badges.URLs().Credential(a.ID)}
	v.JWTURL = v.CredentialURL + "/jwt"
	for _, al := range a.Achievement.Alignments {
		v.Alignments = append(v.Alignments, badgeAlignment{Framework: al.Framework, Code: al.Code, Name: al.Name, URL: al.URL})
	}
	return v
}

// sendDocument sends a JSON-LD document; ?download=1 makes it a file.
func sendDocument(c *fiber.Ctx, doc any, filename string) error {
	if c.Query("download") == "1" && filename != "" {
		c.Attachment(filename)
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.JSON(doc)
}

func (h badgesAPI) issuer(c *fiber.Ctx) error {
	doc, err := h.badges.IssuerDocument(c.UserContext())
	if err != nil {
		return err
	}
	return sendDocument(c, doc, "")
}

func (h badgesAPI) key(c *fiber.Ctx) error {
	doc, err := h.badges.KeyDocument(c.UserContext(), c.Params("kid"))
	if err != nil {
		return err
	}
	return sendDocument(c, doc, "")
}

func (h badgesAPI) statusList(c *fiber.Ctx) error {
	doc, err := h.badges.StatusList(c.UserContext())
	if err != nil {
		return err
	}
	return sendDocument(c, doc, "")
}

// publicAward is a badge anyone may read by its id. An erased person's
// badges are gone with them: their name is on the badge.
func (h badgesAPI) publicAward(c *fiber.Ctx) (badges.StoredAward, error) {
	a, err := h.badges.Award(c.UserContext(), strings.Clone(c.Params("id")))
	if err != nil {
		return badges.StoredAward{}, err
	}
	u, err := h.accounts.User(c.UserContext(), a.UserID)
	if errors.Is(err, accounts.ErrUserNotFound) || (err == nil && u.DisplayName == accounts.Pseudonym(u.ID)) {
		return badges.StoredAward{}, badges.ErrNotFound
	}
	return a, err
}

func (h badgesAPI) credential(c *fiber.Ctx) error {
	a, err := h.publicAward(c)
	if err != nil {
		return err
	}
	doc, err := h.badges.Credential(c.UserContext(), a)
	if err != nil {
		return err
	}
	return sendDocument(c, doc, "badge-"+a.ID+".json")
}

func (h badgesAPI) credentialJWT(c *fiber.Ctx) error {
	a, err := h.publicAward(c)
	if err != nil {
		return err
	}
	jwt, err := h.badges.JWT(c.UserContext(), a)
	if err != nil {
		return err
	}
	if c.Query("download") == "1" {
		c.Attachment("badge-" + a.ID + ".jwt")
	}
	c.Set(fiber.HeaderContentType, "application/vc+jwt")
	return c.SendString(jwt)
}

type badgeVerification struct {
	Valid     bool       `json:"valid"`
	Revoked   bool       `json:"revoked"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	Problem   string     `json:"problem,omitempty"`
	Issuer    string     `json:"issuer"`
	IssuerID  string     `json:"issuer_id"`
	Badge     badgeView  `json:"badge"`
}

// verification is what the public verification page shows: the range's
// own check of the badge's proof and revocation.
func (h badgesAPI) verification(c *fiber.Ctx) error {
	a, err := h.publicAward(c)
	if err != nil {
		return err
	}
	v, err := h.badges.Verify(c.UserContext(), a)
	if err != nil {
		return err
	}
	return c.JSON(badgeVerification{Valid: v.Valid, Revoked: v.Revoked, RevokedAt: v.RevokedAt, Problem: v.Problem,
		Issuer: v.Issuer, IssuerID: h.badges.URLs().Issuer(), Badge: h.view(a)})
}

// mine grants what the trainee has newly earned, then lists their badges.
func (h badgesAPI) mine(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u, err := h.accounts.User(ctx, auth.PrincipalOf(c).UserID)
	if err != nil {
		return err
	}
	var held []badges.StoredAward
	if h.earnings != nil {
		earned, err := h.earnings.earned(ctx, u)
		if err != nil {
			return err
		}
		held, err = h.badges.Grant(ctx, u.ID, u.DisplayName, earned)
		if err != nil {
			return err
		}
	} else if held, err = h.badges.Awards(ctx, u.ID); err != nil {
		return err
	}
	out := make([]badgeView, 0, len(held))
	for _, a := range held {
		out = append(out, h.view(a))
	}
	return c.JSON(fiber.Map{"badges": out})
}

func (h badgesAPI) myBadge(c *fiber.Ctx) error {
	a, err := h.badges.AwardOf(c.UserContext(), auth.PrincipalOf(c).UserID, strings.Clone(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(h.view(a))
}

func (h badgesAPI) revoke(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	a, err := h.badges.Revoke(c.UserContext(), id, auth.PrincipalOf(c).UserID)
	if err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.BadgeRevoke, TargetKind: "badge", TargetID: a.ID,
		Detail: map[string]string{"holder": a.UserID, "achievement": a.Achievement.Kind + ":" + a.Achievement.Ref}}); err != nil {
		return err
	}
	return c.JSON(h.view(a))
}

type badgeSettings struct {
	RoleThreshold int `json:"role_threshold"`
}

// settings is an organisation's badge settings, for those who run it.
func (h badgesAPI) settings(c *fiber.Ctx) error {
	o, err := h.cohorts.ManagedOrganisation(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	p, err := h.badges.RoleThreshold(c.UserContext(), o.ID)
	if err != nil {
		return err
	}
	return c.JSON(badgeSettings{RoleThreshold: p})
}

func (h badgesAPI) putSettings(c *fiber.Ctx) error {
	var req badgeSettings
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := h.cohorts.ManagedOrganisation(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	if err := h.badges.SetRoleThreshold(c.UserContext(), o.ID, req.RoleThreshold); err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.BadgeThresholdChange, TargetKind: "organisation", TargetID: o.ID,
		Detail: map[string]string{"role_threshold": strconv.Itoa(req.RoleThreshold)}}); err != nil {
		return err
	}
	return c.JSON(req)
}
