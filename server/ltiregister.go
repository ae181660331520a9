package server

import (
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/lti"
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

// carry is the page that posts a deep-link reply to the platform: the
// app's own pages may post forms only to the range, so the reply leaves
// from this page, whose policy lets it post to the platform's return URL.
var carry = template.Must(template.New("carry").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Sakimori</title></head>
<body><form method="post" action="{{.To}}" id="reply"><input type="hidden" name="JWT" value="{{.JWT}}"><noscript><button>Continue</button></noscript></form>
<script nonce="{{.Nonce}}">document.getElementById('reply').submit()</script>
</body></html>`))

// carryReply takes the app's form post of a deep-link reply and sends it
// on to the platform; only a reply this range signed is carried.
func (a ltiAPI) carryReply(c *fiber.Ctx) error {
	to, signed := strings.Clone(c.FormValue("return_url")), strings.Clone(c.FormValue("jwt"))
	u, err := url.Parse(to)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || !a.lti.IsOwnReply(c.UserContext(), signed) {
		return lti.ErrLaunchNotDeepLink
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	n := base64.RawStdEncoding.EncodeToString(nonce)
	c.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+n+"'; form-action "+u.Scheme+"://"+u.Host+"; frame-ancestors 'none'")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return carry.Execute(c.Response().BodyWriter(), map[string]string{"To": to, "JWT": signed, "Nonce": n})
}
