package ec2

import (
	"net/http"
	"time"

	"github.com/sakimori/sakimori/sim/aws/account"
)

// An instance's life after launch: terminated for good, or stopped (its
// disks kept, which a responder may prefer for evidence) and started
// again. Each passes through its transitional state for a while, as on
// EC2.

// ShuttingDown is how long a terminated instance is shutting-down (and a
// stopped one stopping) before it is terminated (or stopped), as on EC2,
// where it takes about as long.
const ShuttingDown = 30 * time.Second

func stateOf(a *account.Account, i *account.Instance) ec2State {
	settling := a.Now().Sub(i.Ended) < ShuttingDown
	switch {
	case i.State == "terminated" && settling:
		return ec2State{32, "shutting-down"}
	case i.State == "terminated":
		return ec2State{48, "terminated"}
	case i.State == "stopped" && settling:
		return ec2State{64, "stopping"}
	case i.State == "stopped":
		return ec2State{80, "stopped"}
	}
	return ec2State{16, "running"}
}

type stateChange struct {
	InstanceID string   `xml:"instanceId"`
	Current    ec2State `xml:"currentState"`
	Previous   ec2State `xml:"previousState"`
}

type stateChanges struct {
	ec2Response
	Instances []stateChange `xml:"instancesSet>item"`
}

func terminateInstances(a *account.Account, q *account.Call) (any, *account.APIError) {
	return changeState(a, q, "TerminateInstances", func(i *account.Instance) *account.APIError {
		if !i.Simulated {
			// The lab's real hosts stay up: terminating them would end
			// the lab itself, not teach anything.
			return notPermitted(i.ID, "terminated", "disableApiTermination")
		}
		if i.State != "terminated" {
			i.State, i.Ended = "terminated", a.Now()
		}
		return nil
	})
}

func stopInstances(a *account.Account, q *account.Call) (any, *account.APIError) {
	return changeState(a, q, "StopInstances", func(i *account.Instance) *account.APIError {
		switch {
		case !i.Simulated:
			return notPermitted(i.ID, "stopped", "disableApiStop")
		case i.State == "terminated":
			return incorrectState(i.ID, "stopped")
		case i.State == "running":
			i.State, i.Ended = "stopped", a.Now()
		}
		return nil
	})
}

func startInstances(a *account.Account, q *account.Call) (any, *account.APIError) {
	return changeState(a, q, "StartInstances", func(i *account.Instance) *account.APIError {
		switch {
		case i.State == "terminated", i.State == "stopped" && stateOf(a, i).Name == "stopping":
			return incorrectState(i.ID, "started")
		case i.State == "stopped":
			i.State, i.Ended = "running", time.Time{}
		}
		return nil
	})
}

// changeState applies change to each instance the call names, after
// checking that every one exists here (EC2 changes none if any is
// unknown); the answer lists each one's state before and after.
func changeState(a *account.Account, q *account.Call, action string, change func(*account.Instance) *account.APIError) (any, *account.APIError) {
	if e := a.Authorize(q, "ec2:"+action, "*"); e != nil {
		return nil, e
	}
	ids := account.ListParam(q.Params, "InstanceId")
	if len(ids) == 0 {
		return nil, &account.APIError{Status: http.StatusBadRequest, Code: "MissingParameter", Message: "The request must contain the parameter InstanceId"}
	}
	a.Lock()
	defer a.Unlock()
	var named []*account.Instance
	for _, id := range ids {
		i := inRegion(a, q, id)
		if i == nil {
			return nil, notFoundInstance(id)
		}
		named = append(named, i)
	}
	out := &stateChanges{}
	for _, i := range named {
		prev := stateOf(a, i)
		if e := change(i); e != nil {
			return nil, e
		}
		out.Instances = append(out.Instances, stateChange{i.ID, stateOf(a, i), prev})
	}
	return out, nil
}

func notPermitted(id, what, attribute string) *account.APIError {
	return &account.APIError{Status: http.StatusBadRequest, Code: "OperationNotPermitted",
		Message: "The instance '" + id + "' may not be " + what + ". Modify its '" + attribute + "' instance attribute and try again."}
}

func incorrectState(id, verb string) *account.APIError {
	return &account.APIError{Status: http.StatusBadRequest, Code: "IncorrectInstanceState",
		Message: "The instance '" + id + "' is not in a state from which it can be " + verb + "."}
}
