package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/server/auth"
)

// Whose labs, replays and records an instructor may see is their classes'
// trainees; the cohorts service knows who those are. The lookup is made
// once per request, and only by handlers that act on trainees' work.
const (
	supervisionKey = "sakimori.supervision" // the cohorts service, set for every API request
	supervisedKey  = "sakimori.supervised"  // the instructor's trainees, once looked up
)

// supervision hands the cohorts service to the handlers below it; a range
// without cohorts leaves instructors every lab, as before there were any.
func supervision(s *cohorts.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if s != nil {
			c.Locals(supervisionKey, s)
		}
		return c.Next()
	}
}

// actorOf is who a request acts for: the owner of a lab, an instructor
// limited to their classes' trainees, or an admin, who acts on every lab.
func actorOf(c *fiber.Ctx) (labs.Actor, error) {
	p := auth.PrincipalOf(c)
	a := labs.Actor{UserID: p.UserID, Staff: staffRole(p.Role)}
	if p.Role != accounts.RoleInstructor {
		return a, nil
	}
	if set, ok := c.Locals(supervisedKey).(map[string]bool); ok {
		a.Supervises = set
		return a, nil
	}
	s, ok := c.Locals(supervisionKey).(*cohorts.Service)
	if !ok {
		return a, nil
	}
	set, err := s.Supervised(c.UserContext(), cohortActor(c))
	if err != nil {
		return labs.Actor{}, err
	}
	c.Locals(supervisedKey, set)
	a.Supervises = set
	return a, nil
}

// staffRole says whether the role is staff: instructors and admins.
func staffRole(r accounts.Role) bool { return r == accounts.RoleInstructor || r == accounts.RoleAdmin }

// errTraineeNotFound answers staff asking after a trainee outside their
// classes, as if there were no such person.
var errTraineeNotFound = fault.New(fault.NotFound, "trainee_not_found", "No such trainee in your classes.")

// supervises says whether the request's staff may see the trainee's work.
func supervises(c *fiber.Ctx, trainee string) (bool, error) {
	a, err := actorOf(c)
	if err != nil {
		return false, err
	}
	return a.MayActFor(trainee), nil
}
