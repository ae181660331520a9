package server

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/server/auth"
)

// The admin's part of users: changing accounts, the invites list, and
// password resets. Every change is recorded as a staff action.

type changeUserRequest struct {
	Role     *string `json:"role"`
	Disabled *bool   `json:"disabled"`
}

// change is PATCH /api/v1/users/:id.
func (h users) change(c *fiber.Ctx) error {
	var req changeUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch := accounts.UserChange{Disabled: req.Disabled}
	if req.Role != nil {
		role := accounts.Role(*req.Role)
		ch.Role = &role
	}
	admin := auth.PrincipalOf(c).UserID
	id := strings.Clone(c.Params("id"))
	before, err := h.accounts.User(c.UserContext(), id)
	if err != nil {
		return err
	}
	u, err := h.accounts.ChangeUser(c.UserContext(), admin, id, ch)
	if err != nil {
		return err
	}
	if u.Role != before.Role {
		if err := recordAction(c, h.audit, audit.Entry{Action: audit.RoleChange, TargetKind: "user", TargetID: u.ID,
			Detail: map[string]string{"from": string(before.Role), "to": string(u.Role)}}); err != nil {
			return err
		}
	}
	if u.Disabled() != before.Disabled() {
		action := audit.UserEnable
		if u.Disabled() {
			action = audit.UserDisable
		}
		if err := recordAction(c, h.audit, audit.Entry{Action: action, TargetKind: "user", TargetID: u.ID}); err != nil {
			return err
		}
	}
	return c.JSON(viewOf(u))
}

// inviteListedView is an invite as listed: never its code.
type inviteListedView struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"` // register, password_reset
	Role      string     `json:"role"`
	Email     string     `json:"email,omitempty"`
	UserID    string     `json:"user_id,omitempty"` // a reset's account
	Status    string     `json:"status"`            // pending, used, revoked, expired
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

type inviteListView struct {
	Invites []inviteListedView `json:"invites"`
}

func listedView(inv accounts.Invite, now time.Time) inviteListedView {
	kind := "register"
	if inv.UserID != "" {
		kind = "password_reset"
	}
	return inviteListedView{ID: inv.ID, Kind: kind, Role: string(inv.Role), Email: inv.Email, UserID: inv.UserID,
		Status: inv.Status(now), CreatedBy: inv.CreatedBy, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt,
		UsedAt: inv.UsedAt, RevokedAt: inv.RevokedAt}
}

// invites is GET /api/v1/invites: the latest invites, newest first.
func (h users) invites(c *fiber.Ctx) error {
	by, err := h.accounts.User(c.UserContext(), auth.PrincipalOf(c).UserID)
	if err != nil {
		return err
	}
	list, err := h.accounts.Invites(c.UserContext(), by)
	if err != nil {
		return err
	}
	now := time.Now()
	out := inviteListView{Invites: make([]inviteListedView, len(list))}
	for i, inv := range list {
		out.Invites[i] = listedView(inv, now)
	}
	return c.JSON(out)
}

// revokeInvite is DELETE /api/v1/invites/:id.
func (h users) revokeInvite(c *fiber.Ctx) error {
	by, err := h.accounts.User(c.UserContext(), auth.PrincipalOf(c).UserID)
	if err != nil {
		return err
	}
	inv, err := h.accounts.RevokeInvite(c.UserContext(), by, strings.Clone(c.Params("id")))
	if err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.InviteRevoke, TargetKind: "invite", TargetID: inv.ID}); err != nil {
		return err
	}
	return c.JSON(listedView(inv, time.Now()))
}

type passwordResetView struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"` // shown once, now; only its hash is kept
	URL       string    `json:"url"`  // the page where the person sets a password
	UserID    string    `json:"user_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// passwordReset is POST /api/v1/users/:id/password-reset.
func (h users) passwordReset(c *fiber.Ctx) error {
	admin, err := h.accounts.User(c.UserContext(), auth.PrincipalOf(c).UserID)
	if err != nil {
		return err
	}
	inv, code, err := h.accounts.CreatePasswordReset(c.UserContext(), admin, strings.Clone(c.Params("id")))
	if err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.PasswordResetInvite, TargetKind: "user", TargetID: inv.UserID,
		Detail: map[string]string{"invite": inv.ID}}); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(passwordResetView{
		ID: inv.ID, Code: code, URL: "/reset-password?code=" + code, UserID: inv.UserID, ExpiresAt: inv.ExpiresAt,
	})
}

type resetPasswordRequest struct {
	Code     string `json:"code"`
	Password string `json:"password"`
}

// resetPassword is POST /api/v1/auth/password-reset: a person sets a new
// password with the code an admin gave them, then signs in with it.
func (h users) resetPassword(c *fiber.Ctx) error {
	var req resetPasswordRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if _, err := h.accounts.ResetPassword(c.UserContext(), req.Code, req.Password); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
