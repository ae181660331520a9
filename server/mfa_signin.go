package server

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/fault"
)

// mfaChallengeView answers a right password when a second factor must
// follow: no tokens yet, only the handle of a short-lived, single-use
// sign-in step.
type mfaChallengeView struct {
	MFARequired bool      `json:"mfa_required"`
	Challenge   string    `json:"challenge"`
	Methods     []string  `json:"methods"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// mfaEnrolmentView answers a right password when the person's role
// requires a second factor they do not have: a token that only sets one
// up, and no refresh cookie.
type mfaEnrolmentView struct {
	EnrolmentRequired bool      `json:"mfa_enrolment_required"`
	EnrolmentToken    string    `json:"enrolment_token"`
	TokenType         string    `json:"token_type"`
	ExpiresAt         time.Time `json:"expires_at"`
	User              userView  `json:"user"`
}

// afterPassword signs u in, or asks for the second factor, or sends them
// to set one up, as their account and the MFA policy decide.
func (s sessions) afterPassword(c *fiber.Ctx, u accounts.User) error {
	f, err := s.accounts.SecondFactorFor(c.UserContext(), u)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	switch {
	case f.Challenge != "":
		return c.JSON(mfaChallengeView{MFARequired: true, Challenge: f.Challenge, Methods: f.Methods, ExpiresAt: f.ExpiresAt})
	case f.EnrolmentRequired:
		token, exp, err := s.tokens.IssueEnrolment(u)
		if err != nil {
			return err
		}
		return c.JSON(mfaEnrolmentView{EnrolmentRequired: true, EnrolmentToken: token, TokenType: "Bearer", ExpiresAt: exp, User: viewOf(u)})
	}
	return s.signIn(c, u)
}

type totpSignInRequest struct {
	Challenge string `json:"challenge"`
	Code      string `json:"code"`
}

func (s sessions) finishTOTP(c *fiber.Ctx) error {
	var req totpSignInRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.accounts.FinishSignInTOTP(c.UserContext(), req.Challenge, req.Code)
	if err != nil {
		return err
	}
	return s.signIn(c, u)
}

type challengeRequest struct {
	Challenge string `json:"challenge"`
}

func (s sessions) beginPasskey(c *fiber.Ctx) error {
	var req challengeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	pc, err := s.accounts.BeginSignInPasskey(c.UserContext(), req.Challenge)
	if err != nil {
		return err
	}
	return c.JSON(ceremonyView{Ceremony: pc.Handle, Options: pc.Options})
}

type passkeySignInRequest struct {
	Challenge  string          `json:"challenge"`
	Credential json.RawMessage `json:"credential"`
}

func (s sessions) finishPasskey(c *fiber.Ctx) error {
	var req passkeySignInRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.accounts.FinishSignInPasskey(c.UserContext(), req.Challenge, req.Credential)
	if err != nil {
		return err
	}
	return s.signIn(c, u)
}

// beginPasskeyOnly opens a sign-in with a passkey alone, no password.
func (s sessions) beginPasskeyOnly(c *fiber.Ctx) error {
	pc, err := s.accounts.BeginPasskeyOnly(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(ceremonyView{Ceremony: pc.Handle, Options: pc.Options})
}

type passkeyOnlyRequest struct {
	Ceremony   string          `json:"ceremony"`
	Credential json.RawMessage `json:"credential"`
}

func (s sessions) finishPasskeyOnly(c *fiber.Ctx) error {
	var req passkeyOnlyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.accounts.FinishPasskeyOnly(c.UserContext(), req.Ceremony, req.Credential)
	if err != nil {
		return err
	}
	return s.signIn(c, u)
}

// ceremonyLimiter counts every passkey sign-in begun from one address,
// not only failures: each keeps a row for five minutes, and beginning
// needs no secret.
func ceremonyLimiter(perMinute int) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:          perMinute,
		Expiration:   time.Minute,
		KeyGenerator: func(c *fiber.Ctx) string { return "passkey:" + c.IP() },
		LimitReached: func(c *fiber.Ctx) error {
			return fault.New(fault.RateLimited, "too_many_attempts",
				"Too many passkey sign-ins from your address; wait a minute and try again.")
		},
	})
}
