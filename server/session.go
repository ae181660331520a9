package server

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/accounts/sso"
	"github.com/sakimori/sakimori/server/auth"
)

// refreshCookie holds the opaque refresh token. It is HttpOnly so page
// scripts never see it, and scoped to the auth endpoints so it is sent
// nowhere else.
const (
	refreshCookie = "sakimori_refresh"
	refreshPath   = "/api/v1/auth"
)

// sessions handles first-run setup, registration and sign-in.
type sessions struct {
	accounts *accounts.Service
	tokens   *auth.Tokens
	opt      Options
	sso      *sso.Service // nil: no organisation turns passwords off
}

type userView struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Role        string    `json:"role"`
	CreatedAt   time.Time `json:"created_at"`
	Disabled    bool      `json:"disabled"`
	Language    string    `json:"language"`
	TimeZone    string    `json:"time_zone"`
}

func viewOf(u accounts.User) userView {
	return userView{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Role: string(u.Role), CreatedAt: u.CreatedAt, Disabled: u.Disabled(),
		Language: u.Preferences.Language, TimeZone: u.Preferences.TimeZone}
}

type sessionView struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type"`
	ExpiresAt   time.Time `json:"expires_at"`
	User        userView  `json:"user"`
}

type setupStatusView struct {
	Registration  string `json:"registration"` // open, invite
	SetupRequired bool   `json:"setup_required"`
	Version       string `json:"version"`
}

func (s sessions) setupStatus(c *fiber.Ctx) error {
	required, err := s.accounts.SetupRequired(c.UserContext())
	if err != nil {
		return err
	}
	reg := "invite"
	if s.accounts.OpenRegistration() {
		reg = "open"
	}
	return c.JSON(setupStatusView{Registration: reg, SetupRequired: required, Version: s.opt.Version})
}

type setupRequest struct {
	SetupCode   string `json:"setup_code"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
}

func (s sessions) setup(c *fiber.Ctx) error {
	var req setupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.accounts.Setup(c.UserContext(), strings.TrimSpace(req.SetupCode), accounts.NewUser{
		Email: req.Email, DisplayName: req.DisplayName, Password: req.Password,
	})
	if err != nil {
		return err
	}
	return s.signIn(c.Status(fiber.StatusCreated), u)
}

type registerRequest struct {
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
	InviteCode  string `json:"invite_code"`
}

func (s sessions) register(c *fiber.Ctx) error {
	var req registerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.accounts.Register(c.UserContext(), accounts.NewUser{
		Email: req.Email, DisplayName: req.DisplayName, Password: req.Password,
	}, strings.TrimSpace(req.InviteCode))
	if err != nil {
		return err
	}
	// An invite may make a staff account whose role requires MFA.
	return s.afterPassword(c.Status(fiber.StatusCreated), u)
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s sessions) login(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.accounts.Authenticate(c.UserContext(), req.Email, req.Password)
	var delayed *accounts.SignInDelayed
	if errors.As(err, &delayed) {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(delayed.Seconds()))
	}
	if err != nil {
		return err
	}
	if s.sso != nil {
		if err := s.sso.CheckPasswordSignIn(c.UserContext(), u); err != nil {
			return err
		}
	}
	return s.afterPassword(c, u)
}

func (s sessions) refresh(c *fiber.Ctx) error {
	u, next, err := s.accounts.Refresh(c.UserContext(), c.Cookies(refreshCookie), s.client(c))
	if err != nil {
		s.clearCookie(c)
		return err
	}
	s.setCookie(c, next)
	return s.respondWithAccess(c, u)
}

func (s sessions) logout(c *fiber.Ctx) error {
	if err := s.accounts.EndSession(c.UserContext(), c.Cookies(refreshCookie)); err != nil {
		return err
	}
	s.clearCookie(c)
	return c.SendStatus(fiber.StatusNoContent)
}

func (s sessions) me(c *fiber.Ctx) error {
	u, err := s.accounts.User(c.UserContext(), auth.PrincipalOf(c).UserID)
	if err != nil {
		return err
	}
	return c.JSON(viewOf(u))
}

// signIn starts a session: a refresh cookie plus an access token in the body.
func (s sessions) signIn(c *fiber.Ctx, u accounts.User) error {
	refresh, err := s.accounts.StartSession(c.UserContext(), u, s.client(c))
	if err != nil {
		return err
	}
	s.setCookie(c, refresh)
	return s.respondWithAccess(c, u)
}

func (s sessions) respondWithAccess(c *fiber.Ctx, u accounts.User) error {
	token, exp, err := s.tokens.Issue(u)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(sessionView{AccessToken: token, TokenType: "Bearer", ExpiresAt: exp, User: viewOf(u)})
}

func (s sessions) client(c *fiber.Ctx) accounts.Client {
	return accounts.Client{UserAgent: strings.Clone(c.Get(fiber.HeaderUserAgent)), IP: c.IP()}
}

func (s sessions) setCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{
		Name: refreshCookie, Value: token, Path: refreshPath,
		Expires: time.Now().Add(s.opt.RefreshTTL), HTTPOnly: true,
		Secure: s.opt.SecureCookies, SameSite: fiber.CookieSameSiteStrictMode,
	})
}

func (s sessions) clearCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: refreshCookie, Value: "", Path: refreshPath, MaxAge: -1,
		Expires: time.Unix(0, 0), HTTPOnly: true, Secure: s.opt.SecureCookies,
		SameSite: fiber.CookieSameSiteStrictMode,
	})
}
