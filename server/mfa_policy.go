package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
)

// mfaPolicyAPI lets admins name the roles that must sign in with a second
// factor.
type mfaPolicyAPI struct {
	accounts *accounts.Service
	audit    audit.Recorder // who changed which roles must use a second factor
}

type mfaPolicyView struct {
	RequiredRoles []accounts.Role `json:"required_roles"`
}

func policyView(roles []accounts.Role) mfaPolicyView {
	if roles == nil {
		roles = []accounts.Role{}
	}
	return mfaPolicyView{RequiredRoles: roles}
}

func (h mfaPolicyAPI) get(c *fiber.Ctx) error {
	roles, err := h.accounts.MFAPolicy(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(policyView(roles))
}

func (h mfaPolicyAPI) put(c *fiber.Ctx) error {
	var req mfaPolicyView
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	roles, err := h.accounts.SetMFAPolicy(c.UserContext(), req.RequiredRoles)
	if err != nil {
		return err
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.MFAPolicyChange, TargetKind: "mfa_policy",
		Detail: map[string]string{"required_roles": strings.Join(names, ",")}}); err != nil {
		return err
	}
	return c.JSON(policyView(roles))
}
