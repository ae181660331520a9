package labs

import (
	"context"
	"errors"
	"fmt"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs/driver"
)

// Health says whether a running lab can still be worked in, and if not,
// why, in words for the trainee. A lab that is not running is healthy:
// its state says all there is to say.
type Health struct {
	Healthy bool
	Reason  string // empty when healthy
	Host    string // the host at fault, if one is
}

// fullShare is how much of its process limit a host may hold before it
// counts as out of processes: near the limit, a shell or a check cannot
// start (busybox forks for most of what it runs), which is a lab bricked
// by a fork bomb, or by zombies where nothing reaps them.
const fullShare = 0.95

// Health checks every host of the instance on the engine, for the actor
// who may see it.
func (s *Service) Health(ctx context.Context, a Actor, id string) (Health, error) {
	inst, err := s.Lab(ctx, a, id)
	if err != nil {
		return Health{}, err
	}
	if inst.State != StateRunning {
		return Health{Healthy: true}, nil
	}
	st, err := s.driver.Status(ctx, id)
	if errors.Is(err, driver.ErrUnavailable) {
		return Health{}, fault.Wrap(ErrEngineDown, err)
	}
	if errors.Is(err, driver.ErrNotFound) {
		return Health{Reason: "This lab's hosts are gone. Reset it to start them again."}, nil
	}
	if err != nil {
		return Health{}, err
	}
	return healthOf(st), nil
}

// healthOf judges an instance's hosts: the first one stopped, or out of
// processes, makes the lab unhealthy.
func healthOf(st driver.InstanceStatus) Health {
	for _, h := range st.Hosts {
		if !h.Running {
			return Health{Host: h.Name, Reason: fmt.Sprintf("The host %s has stopped. Reset the lab to start it again.", h.Name)}
		}
		if h.ProcessLimit > 0 && float64(h.Processes) >= fullShare*float64(h.ProcessLimit) {
			return Health{Host: h.Name, Reason: fmt.Sprintf(
				"A host has run out of processes: %s holds %d of its %d, so nothing new can start there. Reset the lab to start it afresh.",
				h.Name, h.Processes, h.ProcessLimit)}
		}
	}
	return Health{Healthy: true}
}
