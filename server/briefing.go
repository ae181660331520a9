package server

import (
	"github.com/sakimori/sakimori/labs"
)

// A scenario's briefing: the lab's hosts, which one the terminal opens in,
// and the names of the variables that host's shell is given ($WEB,
// $CLOUD…). Names only: a value may be a per-trainee secret.

type hostView struct {
	Name     string   `json:"name"`
	Terminal bool     `json:"terminal"` // the host the trainee's terminal opens in
	Networks []string `json:"networks"`
	Ports    []int    `json:"ports"` // ports the browser may open through the range
}

func briefingOf(s *labs.Scenario) (hosts []hostView, variables []string) {
	hosts = []hostView{}
	variables = []string{}
	for _, h := range s.Hosts {
		v := hostView{Name: h.Name, Terminal: h.Terminal, Networks: nonNil(h.Networks), Ports: []int{}}
		for _, p := range h.Ports {
			v.Ports = append(v.Ports, p.Port)
		}
		hosts = append(hosts, v)
		if h.Terminal {
			variables = s.ShellVariables(h.Name) // the names the shell's greeting gives too
		}
	}
	return hosts, variables
}
