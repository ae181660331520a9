package main

import (
	"fmt"
	"io/fs"
	"regexp"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/sim/aws/account"
	"github.com/sakimori/sakimori/sim/k8s"
)

// placeholder stands in for a lab's ${host.NAME} and ${var.NAME}: an
// address for a host, a key-shaped value for a variable.
var placeholder = regexp.MustCompile(`\$\{(host|var)\.([\w-]+)\}`)

// Every world a built-in scenario gives its emulators is one they start
// with: a world that does not parse fails here, not as a lab that stops
// as it starts.
func TestTheScenariosWorldsLoad(t *testing.T) {
	manifests, err := fs.Glob(scenarios.Files(), "*/scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	worlds := 0
	for _, p := range manifests {
		text, err := fs.ReadFile(scenarios.Files(), p)
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Hosts []struct {
				Name string            `yaml:"name"`
				Env  map[string]string `yaml:"env"`
			} `yaml:"hosts"`
		}
		if err := yaml.Unmarshal(text, &m); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		n := 0
		fill := func(s string) string {
			return placeholder.ReplaceAllStringFunc(s, func(ref string) string {
				n++
				if ref[2:6] == "host" {
					return fmt.Sprintf("10.99.0.%d", n%250+1)
				}
				return fmt.Sprintf("AKIAPLACEHOLDER%05d", n)
			})
		}
		for _, h := range m.Hosts {
			if w, ok := h.Env["KUBESIM_WORLD"]; ok {
				worlds++
				world, err := k8s.ParseWorld(fill(w))
				if err == nil {
					err = k8s.New("").Load(world)
				}
				if err != nil {
					t.Errorf("%s: host %s: KUBESIM_WORLD: %v", p, h.Name, err)
				}
			}
			if w, ok := h.Env["CLOUDSIM_WORLD"]; ok {
				worlds++
				if _, err := account.ParseWorld(fill(w)); err != nil {
					t.Errorf("%s: host %s: CLOUDSIM_WORLD: %v", p, h.Name, err)
				}
			}
		}
	}
	if worlds < 4 {
		t.Fatalf("found only %d worlds in the manifests: this test no longer reads them", worlds)
	}
}
