package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/partners"
)

// partnerGate admits partner API calls: a live partner token, at most so
// many calls a minute per token, and every call (and every refusal of a
// token the range issued) in the audit log under the token's
// organisation, where its org admins read it. A call whose record cannot
// be written is not served.
type partnerGate struct {
	partners *partners.Service
	audit    audit.Recorder
}

type partnerTokenKey struct{}

func partnerTokenOf(c *fiber.Ctx) partners.Token {
	t, _ := c.Locals(partnerTokenKey{}).(partners.Token)
	return t
}

func (g partnerGate) admit(c *fiber.Ctx) error {
	secret := ""
	if scheme, rest, ok := strings.Cut(c.Get(fiber.HeaderAuthorization), " "); ok && strings.EqualFold(scheme, "Bearer") {
		secret = strings.TrimSpace(rest)
	}
	t, err := g.partners.Authenticate(c.UserContext(), secret)
	call := map[string]string{"method": c.Method(), "path": strings.Clone(c.Path())}
	if err != nil {
		// Refusals of tokens the range issued (revoked, expired) are
		// recorded against their organisation; anything else (no token, a
		// guess) is not, so a flood of guesses cannot fill the log.
		if f, ok := fault.As(err); ok && f.Kind != fault.Internal && t.ID != "" {
			call["code"] = f.Code
			e := audit.Entry{ActorID: t.ID, ActorRole: "partner", Action: audit.PartnerTokenRefused, Detail: call,
				TargetKind: "organisation", TargetID: t.OrganisationID}
			if rerr := g.audit.Record(c.UserContext(), e); rerr != nil {
				return rerr
			}
		}
		if f, ok := fault.As(err); ok && f.Kind == fault.Unauthenticated {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="sakimori-partner"`)
		}
		return err
	}
	call["token"] = t.Name
	if err := g.audit.Record(c.UserContext(), audit.Entry{ActorID: t.ID, ActorRole: "partner", Action: audit.PartnerTokenUse,
		TargetKind: "organisation", TargetID: t.OrganisationID, Detail: call}); err != nil {
		return err
	}
	c.Locals(partnerTokenKey{}, t)
	return c.Next()
}

// partnerLimiter bounds each token's calls, whoever holds it: one
// integration in a loop must not slow the range for its trainees.
func partnerLimiter(perMinute int) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:          perMinute,
		Expiration:   time.Minute,
		KeyGenerator: func(c *fiber.Ctx) string { return "partner:" + partnerTokenOf(c).ID },
		LimitReached: func(c *fiber.Ctx) error {
			return fault.New(fault.RateLimited, "partner_rate_limited", "This token has made too many calls this minute; wait and try again.")
		},
	})
}

// sendTagged answers v as JSON with a strong ETag of its bytes, or 304
// when the client already holds them (If-None-Match).
func sendTagged(c *fiber.Ctx, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	tag := `"` + hex.EncodeToString(sum[:16]) + `"`
	c.Set(fiber.HeaderETag, tag)
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	if matchesETag(c.Get(fiber.HeaderIfNoneMatch), tag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(body)
}

func matchesETag(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == tag || t == "*" {
			return true
		}
	}
	return false
}
