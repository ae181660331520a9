// The layer rules of docs/architecture.md, checked on every test run:
// domains stay free of the web framework, the ORM and the container engine,
// and the platform never depends on the code that runs inside labs. Each
// rule holds for every package under a folder, at any depth, and for
// everything those packages import, directly or through others.
package sakimori_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/sakimori/sakimori"

var (
	fiber  = []string{"github.com/gofiber/", "github.com/valyala/fasthttp"}
	gorm   = []string{"gorm.io/", "github.com/jackc/", "modernc.org/sqlite"}
	docker = []string{"github.com/docker/", "github.com/moby/"}
	// labSide runs inside labs: the emulators and the scenarios' own apps
	// and scripted users. The platform reaches a lab only through a driver.
	labSide = []string{module + "/sim", module + "/scenarios/"}
	edges   = []string{module + "/server", module + "/store"}
)

func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// rules: a package whose import path starts with the key (below the module)
// must not depend on anything starting with one of the values. Where two
// keys match, both rules hold.
var rules = map[string][]string{
	"accounts":     join(fiber, gorm, docker, labSide, edges),
	"audit":        join(fiber, gorm, docker, labSide, edges),
	"labs":         join(fiber, gorm, docker, labSide, edges),
	"scoring":      join(fiber, gorm, docker, labSide, edges, []string{module + "/labs"}),
	"progress":     join(fiber, gorm, docker, labSide, edges),
	"competency":   join(fiber, gorm, docker, labSide, edges),
	"cohorts":      join(fiber, gorm, docker, labSide, edges),
	"rehearsal":    join(fiber, gorm, docker, labSide, edges),
	"live":         join(fiber, gorm, docker, labSide, edges),
	"partners":     join(fiber, gorm, docker, labSide, edges),
	"lti":          join(fiber, gorm, docker, labSide, edges),
	"fault":        {"github.com/", "gopkg.in/"},
	"manifest":     {module + "/"}, // the manifest's value types: a leaf both labs and scoring use
	"labs/driver":  {module + "/labs/driver/docker"},
	"config":       join(fiber, gorm, docker, labSide, edges),
	"server":       join(gorm, docker, labSide, []string{module + "/store"}),
	"store":        join(fiber, docker, labSide, []string{module + "/server"}),
	"cmd/sakimori": labSide,
	// The lab side may write SQLite files, the format a browser keeps its
	// cookies in, but never touches the platform's ORM or its drivers.
	"sim": join(fiber, []string{"gorm.io/", "github.com/jackc/"}, docker, []string{module + "/server", module + "/store", module + "/labs",
		module + "/scoring", module + "/accounts", module + "/progress", module + "/cohorts", module + "/config"}),
}

// exempt are packages inside a ruled folder that are edges themselves.
var exempt = map[string]bool{
	module + "/labs/driver/docker":            true, // the Docker driver is the engine's edge
	module + "/labs/driver/docker/dockertest": true,
}

type listed struct {
	ImportPath string
	Deps       []string
}

// packages lists every package of the module with its whole import graph.
func packages(t *testing.T) []listed {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var all []listed
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		all = append(all, p)
	}
	return all
}

func under(pkg, folder string) bool {
	p := module + "/" + folder
	return pkg == p || strings.HasPrefix(pkg, p+"/")
}

func TestLayerRules(t *testing.T) {
	checked := map[string]int{}
	for _, p := range packages(t) {
		if exempt[p.ImportPath] {
			continue
		}
		for folder, bans := range rules {
			if !under(p.ImportPath, folder) {
				continue
			}
			checked[folder]++
			for _, dep := range p.Deps {
				for _, ban := range bans {
					if strings.HasPrefix(dep, ban) {
						t.Errorf("%s depends on %s: %s must not depend on %s", p.ImportPath, dep, folder, ban)
					}
				}
			}
		}
	}
	for folder := range rules {
		if checked[folder] == 0 {
			t.Errorf("no package under %s was checked: the layout moved and this test must follow it", folder)
		}
	}
}

// Only cmd/sakimori may wire the store and the server together.
func TestOnlyMainWiresEverything(t *testing.T) {
	for _, p := range packages(t) {
		if under(p.ImportPath, "cmd") {
			continue
		}
		var store, server bool
		for _, dep := range p.Deps {
			store = store || dep == module+"/store"
			server = server || dep == module+"/server"
		}
		if store && server {
			t.Errorf("%s depends on both store and server: only cmd/sakimori wires them", p.ImportPath)
		}
	}
}
