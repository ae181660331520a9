package server

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/server/auth"
)

// mfaAPI lets a signed-in person set up and remove their second factors:
// an authenticator app (TOTP) and passkeys. A person sent here by the MFA
// policy holds an enrolment token, which these endpoints alone accept.
type mfaAPI struct {
	accounts *accounts.Service
}

type passkeyView struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

type mfaStatusView struct {
	TOTP        bool          `json:"totp"`
	TOTPPending bool          `json:"totp_pending"`
	Passkeys    []passkeyView `json:"passkeys"`
	Methods     []string      `json:"methods"`
	Required    bool          `json:"required"`
}

func statusView(st accounts.MFAStatus) mfaStatusView {
	v := mfaStatusView{TOTP: st.TOTP, TOTPPending: st.TOTPPending, Required: st.Required,
		Passkeys: make([]passkeyView, len(st.Passkeys)), Methods: st.Methods()}
	if v.Methods == nil {
		v.Methods = []string{}
	}
	for i, p := range st.Passkeys {
		v.Passkeys[i] = viewOfPasskey(p)
	}
	return v
}

func viewOfPasskey(p accounts.Passkey) passkeyView {
	return passkeyView{ID: p.ID, Name: p.Name, CreatedAt: p.CreatedAt, LastUsedAt: p.LastUsedAt}
}

// totpEnrolmentView is shown once; the secret is never sent again.
type totpEnrolmentView struct {
	Secret    string `json:"secret"`
	URI       string `json:"otpauth_uri"`
	Algorithm string `json:"algorithm"`
	Digits    int    `json:"digits"`
	Period    int    `json:"period"`
}

type codeRequest struct {
	Code string `json:"code"`
}

type proofRequest struct {
	Password string `json:"password"`
	Code     string `json:"code"`
}

type ceremonyView struct {
	Ceremony string          `json:"ceremony"`
	Options  json.RawMessage `json:"options"` // for navigator.credentials.create or .get
}

type passkeyFinishRequest struct {
	Ceremony   string          `json:"ceremony"`
	Name       string          `json:"name"`
	Credential json.RawMessage `json:"credential"`
}

func (h mfaAPI) me(c *fiber.Ctx) (accounts.User, error) {
	return h.accounts.User(c.UserContext(), auth.PrincipalOf(c).UserID)
}

func (h mfaAPI) status(c *fiber.Ctx) error {
	u, err := h.me(c)
	if err != nil {
		return err
	}
	st, err := h.accounts.MFAStatus(c.UserContext(), u)
	if err != nil {
		return err
	}
	return c.JSON(statusView(st))
}

func (h mfaAPI) beginTOTP(c *fiber.Ctx) error {
	u, err := h.me(c)
	if err != nil {
		return err
	}
	e, err := h.accounts.BeginTOTP(c.UserContext(), u)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(totpEnrolmentView{Secret: e.Secret, URI: e.URI, Algorithm: "SHA1", Digits: 6, Period: 30})
}

func (h mfaAPI) confirmTOTP(c *fiber.Ctx) error {
	var req codeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := h.me(c)
	if err != nil {
		return err
	}
	if err := h.accounts.ConfirmTOTP(c.UserContext(), u, req.Code); err != nil {
		return err
	}
	return h.status(c)
}

func (h mfaAPI) removeTOTP(c *fiber.Ctx) error {
	var req proofRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := h.me(c)
	if err != nil {
		return err
	}
	if err := h.accounts.RemoveTOTP(c.UserContext(), u, accounts.Proof{Password: req.Password, Code: req.Code}); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h mfaAPI) beginPasskey(c *fiber.Ctx) error {
	u, err := h.me(c)
	if err != nil {
		return err
	}
	pc, err := h.accounts.BeginPasskey(c.UserContext(), u)
	if err != nil {
		return err
	}
	return c.JSON(ceremonyView{Ceremony: pc.Handle, Options: pc.Options})
}

func (h mfaAPI) finishPasskey(c *fiber.Ctx) error {
	var req passkeyFinishRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := h.me(c)
	if err != nil {
		return err
	}
	p, err := h.accounts.FinishPasskey(c.UserContext(), u, req.Ceremony, req.Name, req.Credential)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(viewOfPasskey(p))
}

func (h mfaAPI) removePasskey(c *fiber.Ctx) error {
	var req proofRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := h.me(c)
	if err != nil {
		return err
	}
	err = h.accounts.RemovePasskey(c.UserContext(), u, c.Params("id"), accounts.Proof{Password: req.Password, Code: req.Code})
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
