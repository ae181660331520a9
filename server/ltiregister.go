package server

import (
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
)

type ltiRegistrationURLView struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// registrationURL makes the Dynamic Registration URL an LMS admin pastes
// to add the range for the organisation.
func (a ltiAdminAPI) registrationURL(c *fiber.Ctx) error {
	o, err := a.cohorts.Organisation(c.UserContext(), cohortActor(c), c.Params("id"))
	if err != nil {
		return err
	}
	u, exp := a.lti.RegistrationURL(o.ID)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(ltiRegistrationURLView{URL: u, ExpiresAt: exp})
}

// registered tells the LMS's registration window it may close (the IMS
// close message), in a page of its own: LMSs open it in a frame or a
// popup, so it may be framed, and its one script runs by nonce.
var registered = template.Must(template.New("registered").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Sakimori</title></head>
<body><p>Sakimori is registered with {{.Name}}. You may close this window.</p>
<script nonce="{{.Nonce}}">(window.opener || window.parent).postMessage({subject: 'org.imsglobal.lti.close'}, '*')</script>
</body></html>`))

// register answers a platform's Dynamic Registration.
func (a ltiAPI) register(c *fiber.Ctx) error {
	p, err := a.lti.RegisterDynamically(c.UserContext(), strings.Clone(c.Params("token")),
		strings.Clone(c.Query("openid_configuration")), strings.Clone(c.Query("registration_token")))
	if err != nil {
		return err
	}
	// Nobody is signed in: the admin's one-time URL vouches for the platform.
	if err := a.audit.Record(c.UserContext(), audit.Entry{Action: audit.LTIPlatformChange, ActorRole: "lti_registration",
		TargetKind: "lti_platform", TargetID: p.ID, Detail: map[string]string{"change": "registered dynamically"}}); err != nil {
		return err
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	n := base64.RawStdEncoding.EncodeToString(nonce)
	c.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+n+"'; frame-ancestors *")
	c.Response().Header.Del(fiber.HeaderXFrameOptions)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return registered.Execute(c.Response().BodyWriter(), map[string]string{"Name": p.Name, "Nonce": n})
}
