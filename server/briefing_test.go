package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/labs"
)

// The briefing names the hosts and the terminal's variables, never a
// variable's value (a flag may be one).
func TestBriefingNamesHostsAndVariablesNotValues(t *testing.T) {
	s := &labs.Scenario{Hosts: []labs.HostDef{
		{Name: "workstation", Terminal: true, Networks: []string{"dmz"}, Env: map[string]string{"WEB": "http://web:8080", "AWS_PROFILE": "analyst"}},
		{Name: "web", Networks: []string{"dmz"}, Env: map[string]string{"FLAG": "${var.flag}"}, Ports: []labs.Port{{Port: 8080, Label: "App"}}},
	}}
	hosts, env := briefingOf(s)
	if strings.Join(env, ",") != "AWS_PROFILE,WEB" {
		t.Fatalf("terminal variables %v", env)
	}
	if len(hosts) != 2 || !hosts[0].Terminal || hosts[1].Terminal || len(hosts[1].Ports) != 1 || hosts[1].Ports[0] != 8080 {
		t.Fatalf("hosts %+v", hosts)
	}
	raw, _ := json.Marshal(struct {
		H []hostView
		E []string
	}{hosts, env})
	for _, secret := range []string{"http://web", "analyst", "var.flag", "FLAG"} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("the briefing shows %q: %s", secret, raw)
		}
	}
}
