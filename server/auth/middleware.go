package auth

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
)

const principalKey = "sakimori.principal"

// Require lets a request through only with a valid bearer token, and, if
// roles are named, only for those roles. Admins pass every role check.
// An enrolment token passes nowhere.
func (t *Tokens) Require(roles ...accounts.Role) fiber.Handler {
	return t.require(false, roles)
}

// RequireOrEnrolling is Require that also lets an enrolment token through:
// for the endpoints that set up a second factor.
func (t *Tokens) RequireOrEnrolling() fiber.Handler {
	return t.require(true, nil)
}

func (t *Tokens) require(enrolling bool, roles []accounts.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := t.Verify(bearer(c.Get(fiber.HeaderAuthorization)))
		if err != nil {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="sakimori", error="invalid_token"`)
			return err
		}
		if p.Enrolling && !enrolling {
			return ErrEnrolFirst
		}
		if len(roles) > 0 && p.Role != accounts.RoleAdmin && !slices.Contains(roles, p.Role) {
			return ErrForbidden
		}
		c.Locals(principalKey, p)
		return c.Next()
	}
}

// PrincipalOf returns who the request acts for; it panics if Require did not
// run first, which is a wiring bug in the route table, not a client error.
func PrincipalOf(c *fiber.Ctx) Principal {
	return c.Locals(principalKey).(Principal)
}

// PrincipalIfAny returns who the request acts for, if Require let it in:
// for code that serves every request, such as the error handler.
func PrincipalIfAny(c *fiber.Ctx) (Principal, bool) {
	p, ok := c.Locals(principalKey).(Principal)
	return p, ok
}

func bearer(header string) string {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
