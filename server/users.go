package server

import (
	"bytes"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/server/auth"
)

// users lets admins manage accounts and staff invite people.
type users struct {
	accounts *accounts.Service
	audit    audit.Recorder
}

type userList struct {
	Total int64      `json:"total"`
	Users []userView `json:"users"`
}

func (h users) list(c *fiber.Ctx) error {
	list, total, err := h.accounts.Users(c.UserContext(), accounts.UserQuery{
		Search: strings.TrimSpace(c.Query("q")), Limit: c.QueryInt("limit", 50), Offset: c.QueryInt("offset", 0),
	})
	if err != nil {
		return err
	}
	views := make([]userView, len(list))
	for i, u := range list {
		views[i] = viewOf(u)
	}
	return c.JSON(userList{Total: total, Users: views})
}

type createUserRequest struct {
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
	Role        string `json:"role"`
}

func (h users) create(c *fiber.Ctx) error {
	var req createUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := h.accounts.CreateUser(c.UserContext(), accounts.NewUser{
		Email: req.Email, DisplayName: req.DisplayName, Password: req.Password, Role: accounts.Role(req.Role),
	})
	if err != nil {
		return err
	}
	err = recordAction(c, h.audit, audit.Entry{Action: audit.UserCreate, TargetKind: "user", TargetID: u.ID,
		Detail: map[string]string{"role": string(u.Role), "email": u.Email}})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(viewOf(u))
}

type inviteRequest struct {
	Role       string `json:"role"`
	Email      string `json:"email"`
	ValidHours int    `json:"valid_hours"`
}

type inviteView struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"` // shown once, now; only its hash is kept
	Role      string    `json:"role"`
	Email     string    `json:"email,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// invite is POST /api/v1/invites: one invite for an object, or several at
// once, all or none, for an array of them.
func (h users) invite(c *fiber.Ctx) error {
	inviter, err := h.accounts.User(c.UserContext(), auth.PrincipalOf(c).UserID)
	if err != nil {
		return err
	}
	if body := bytes.TrimSpace(c.Body()); len(body) > 0 && body[0] == '[' {
		return h.inviteMany(c, inviter)
	}
	var req inviteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	inv, code, err := h.accounts.CreateInvite(c.UserContext(), inviter, req.invite())
	if err != nil {
		return err
	}
	err = recordAction(c, h.audit, audit.Entry{Action: audit.InviteCreate, TargetKind: "invite", TargetID: inv.ID,
		Detail: map[string]string{"role": string(inv.Role), "email": inv.Email, "expires_at": inv.ExpiresAt.Format(time.RFC3339)}})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(inviteView{
		ID: inv.ID, Code: code, Role: string(inv.Role), Email: inv.Email, ExpiresAt: inv.ExpiresAt,
	})
}

func (r inviteRequest) invite() accounts.NewInvite {
	if r.Role == "" {
		r.Role = string(accounts.RoleTrainee)
	}
	return accounts.NewInvite{Role: accounts.Role(r.Role), Email: r.Email, TTL: time.Duration(r.ValidHours) * time.Hour}
}

type inviteBatchView struct {
	Invites []inviteView `json:"invites"`
}

func (h users) inviteMany(c *fiber.Ctx, inviter accounts.User) error {
	var reqs []inviteRequest
	if err := decodeJSON(c, &reqs); err != nil {
		return err
	}
	asked := make([]accounts.NewInvite, len(reqs))
	for i, r := range reqs {
		asked[i] = r.invite()
	}
	list, codes, err := h.accounts.CreateInvites(c.UserContext(), inviter, asked)
	if err != nil {
		return err
	}
	out := inviteBatchView{Invites: make([]inviteView, len(list))}
	for i, inv := range list {
		out.Invites[i] = inviteView{ID: inv.ID, Code: codes[i], Role: string(inv.Role), Email: inv.Email, ExpiresAt: inv.ExpiresAt}
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}
