package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/partners"
)

// partnerTokensAPI lets an organisation's admins (and range admins) make,
// list and revoke its partner tokens, and read what the tokens did.
type partnerTokensAPI struct {
	partners *partners.Service
}

type partnerTokenView struct {
	ID             string     `json:"id"`
	OrganisationID string     `json:"organisation_id"`
	Name           string     `json:"name"`
	Scopes         []string   `json:"scopes"`
	CreatedAt      time.Time  `json:"created_at"`
	ExpiresAt      time.Time  `json:"expires_at"`
	LastUsedAt     *time.Time `json:"last_used_at,omitempty"`
	RevokedAt      *time.Time `json:"revoked_at,omitempty"`
	// Secret is the token itself, in the reply that made it and never again.
	Secret string `json:"secret,omitempty"`
}

func partnerTokenViewOf(t partners.Token) partnerTokenView {
	v := partnerTokenView{ID: t.ID, OrganisationID: t.OrganisationID, Name: t.Name, Scopes: make([]string, len(t.Scopes)),
		CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
	for i, s := range t.Scopes {
		v.Scopes[i] = string(s)
	}
	return v
}

type partnerTokenList struct {
	Tokens []partnerTokenView `json:"tokens"`
}

type partnerTokenRequest struct {
	Name      string   `json:"name"`
	Scopes    []string `json:"scopes"`
	ExpiresAt string   `json:"expires_at"`
}

func (h partnerTokensAPI) list(c *fiber.Ctx) error {
	list, err := h.partners.Tokens(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	out := partnerTokenList{Tokens: make([]partnerTokenView, len(list))}
	for i, t := range list {
		out.Tokens[i] = partnerTokenViewOf(t)
	}
	return c.JSON(out)
}

func (h partnerTokensAPI) create(c *fiber.Ctx) error {
	var req partnerTokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	exp, err := optionalTime("expires_at", req.ExpiresAt)
	if err != nil {
		return err
	}
	t, secret, err := h.partners.Issue(c.UserContext(), cohortActor(c), c.Params("id"),
		partners.NewToken{Name: req.Name, Scopes: req.Scopes, ExpiresAt: exp})
	if err != nil {
		return err
	}
	v := partnerTokenViewOf(t)
	v.Secret = secret
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (h partnerTokensAPI) revoke(c *fiber.Ctx) error {
	t, err := h.partners.Revoke(c.UserContext(), cohortActor(c), c.Params("id"), c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(partnerTokenViewOf(t))
}

// calls is the organisation's partner audit trail, newest first.
func (h partnerTokensAPI) calls(c *fiber.Ctx) error {
	f, err := audit.ParseFilter(audit.Query{Since: c.Query("since"), Until: c.Query("until"), Cursor: c.Query("cursor"), Limit: c.Query("limit")})
	if err != nil {
		return err
	}
	page, err := h.partners.CallLog(c.UserContext(), cohortActor(c), c.Params("id"), f)
	if err != nil {
		return err
	}
	return c.JSON(page)
}
