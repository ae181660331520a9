package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Check is one dependency /readyz reports on, such as the database or the
// Docker engine.
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// healthz says the process is alive and serving; it checks nothing else, so
// a slow database never gets a healthy server restarted.
func healthz(c *fiber.Ctx) error {
	return c.JSON(healthView{Status: "ok"})
}

type healthView struct {
	Status string `json:"status"`
}

type readinessView struct {
	Checks map[string]checkResult `json:"checks"` // by the check's name
	Status string                 `json:"status"` // ready, not_ready
}

type checkResult struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	MS     int64  `json:"ms"`
}

// readyz runs every check at once, each with a deadline, and answers 503 if
// any fails, reporting each so an operator sees which.
func readyz(checks []Check) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
		defer cancel()
		results := make([]checkResult, len(checks))
		done := make(chan struct{}, len(checks))
		for i, ch := range checks {
			go func() {
				start := time.Now()
				err := ch.Check(ctx)
				results[i] = checkResult{Status: "ok", MS: time.Since(start).Milliseconds()}
				if err != nil {
					results[i].Status, results[i].Error = "unavailable", err.Error()
				}
				done <- struct{}{}
			}()
		}
		for range checks {
			<-done
		}
		ready := true
		report := map[string]checkResult{}
		for i, ch := range checks {
			report[ch.Name] = results[i]
			ready = ready && results[i].Status == "ok"
		}
		status := "ready"
		if !ready {
			status = "not_ready"
			c.Status(fiber.StatusServiceUnavailable)
		}
		return c.JSON(readinessView{Checks: report, Status: status})
	}
}
