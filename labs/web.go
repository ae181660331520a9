package labs

import (
	"context"
	"strconv"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs/driver"
)

// ErrNoWebTarget is a host and port the scenario does not open to browsers.
var ErrNoWebTarget = fault.New(fault.NotFound, "web_target_not_found", "This lab has no web target on that host and port.")

// WebTarget is a port of a lab host that the trainee's browser may open
// through the platform.
type WebTarget struct {
	Host  string `json:"host"`
	Port  int    `json:"port"`
	Label string `json:"label"`
}

// WebTargets lists what a scenario opens to browsers.
func (s *Scenario) WebTargets() []WebTarget {
	var out []WebTarget
	for _, h := range s.Hosts {
		for _, p := range h.Ports {
			out = append(out, WebTarget{Host: h.Name, Port: p.Port, Label: p.Label})
		}
	}
	return out
}

// CheckWebTarget says whether the actor (the lab's trainee, or staff) may
// open this web target now: the lab runs and its scenario declares it.
func (s *Service) CheckWebTarget(ctx context.Context, a Actor, id, host string, port int) error {
	inst, err := s.Lab(ctx, a, id)
	if err != nil {
		return err
	}
	if inst.State != StateRunning {
		return ErrNotRunning
	}
	sc, err := s.catalogue.Scenario(inst.ScenarioID)
	if err != nil {
		return err
	}
	for _, t := range sc.WebTargets() {
		if t.Host == host && t.Port == port {
			return nil
		}
	}
	return ErrNoWebTarget
}

// OpenWeb connects to a web target of a running lab, for the platform's
// proxy. The platform holds no address on lab networks (that is what
// keeps labs from reaching it), so it goes in the way the terminal does:
// through the runtime, as nc in the target host itself, to its own
// loopback. Hosts with web targets need nc; every lab image has it.
func (s *Service) OpenWeb(ctx context.Context, a Actor, id, host string, port int) (driver.ExecSession, error) {
	if err := s.CheckWebTarget(ctx, a, id, host, port); err != nil {
		return nil, err
	}
	return s.driver.Exec(ctx, id, host, driver.ExecRequest{Command: []string{"nc", "127.0.0.1", strconv.Itoa(port)}})
}
