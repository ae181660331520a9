// Package ci is a lab's CI service, shaped like a self-hosted GitLab: its
// projects' repositories over git's HTTP, pipelines defined in each
// repository's .gitlab-ci.yml and run by a runner host (sim/ci/runner) as
// real shell scripts, secrets handed to jobs as environment variables,
// personal access tokens, a read-only web view of builds and logs, and
// GitLab's own API paths for what a trainee does with curl. What it
// records, the access log and the runner's process and network events,
// is served in the common telemetry format for grading and reading.
package ci

import (
	"fmt"
	"net/netip"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/sim/gitrepo"
	"github.com/sakimori/sakimori/sim/labkit"
)

// World is CLOUDSIM_CI: the service as a scenario sets it up.
type World struct {
	// Name is the instance's title in its web pages.
	Name string `yaml:"name"`
	// Addresses maps a lab host's address to the one the service shows
	// in its logs, as sim/aws does, so a story's addresses stay fixed.
	Addresses   map[string]string `yaml:"addresses"`
	RunnerToken string            `yaml:"runner_token"`
	Users       []UserDef         `yaml:"users"`
	Projects    []ProjectDef      `yaml:"projects"`
	// SSO, when set, signs people in through an identity provider.
	SSO *SSODef `yaml:"sso"`
}

// UserDef is an account with its personal access tokens.
type UserDef struct {
	Name   string     `yaml:"name"`
	Admin  bool       `yaml:"admin"`
	Tokens []TokenDef `yaml:"tokens"`
}

// TokenDef is a personal access token. Scopes are GitLab's: api (read
// and write everything the user may), read_api, read_repository.
type TokenDef struct {
	Name   string   `yaml:"name"`
	Token  string   `yaml:"token"`
	Scopes []string `yaml:"scopes"`
	// Ago is how long before the lab starts it was made.
	Ago string `yaml:"ago"`
}

// ProjectDef is a project: its repository, CI/CD variables and schedule.
type ProjectDef struct {
	Path string `yaml:"path"` // group/name
	// Members may read the project; admins may read every project.
	Members   []string         `yaml:"members"`
	Variables []Variable       `yaml:"variables"`
	History   []gitrepo.Commit `yaml:"history"`
	// Schedule runs a pipeline on main this often, the first one a few
	// seconds after start (GitLab's pipeline schedules); empty: never.
	Schedule string `yaml:"schedule"`
	// FirstPipeline is the number the lab's first pipeline takes, so a
	// project that has built for months does not start at 1.
	FirstPipeline int `yaml:"first_pipeline"`
}

// Variable is a CI/CD variable: a secret a job gets in its environment.
type Variable struct {
	Key    string `yaml:"key" json:"key"`
	Value  string `yaml:"value" json:"value"`
	Masked bool   `yaml:"masked" json:"masked"`
}

// ParseWorld reads CLOUDSIM_CI.
func ParseWorld(text string) (*World, error) {
	var w World
	if err := yaml.Unmarshal([]byte(text), &w); err != nil {
		return nil, fmt.Errorf("CLOUDSIM_CI: %v", err)
	}
	if w.RunnerToken == "" {
		return nil, fmt.Errorf("CLOUDSIM_CI: runner_token is required")
	}
	if len(w.Projects) == 0 {
		return nil, fmt.Errorf("CLOUDSIM_CI: no projects")
	}
	for from, to := range w.Addresses {
		if _, err := netip.ParseAddr(from); err != nil {
			return nil, fmt.Errorf("CLOUDSIM_CI: addresses: %v", err)
		}
		if _, err := netip.ParseAddr(to); err != nil {
			return nil, fmt.Errorf("CLOUDSIM_CI: addresses: %v", err)
		}
	}
	for _, p := range w.Projects {
		if p.Schedule != "" {
			if _, err := labkit.Ago(p.Schedule); err != nil {
				return nil, fmt.Errorf("CLOUDSIM_CI: %s: schedule: %v", p.Path, err)
			}
		}
		if _, err := gitrepo.Changes(p.History, time.Now()); err != nil {
			return nil, fmt.Errorf("CLOUDSIM_CI: %s: history: %v", p.Path, err)
		}
	}
	if w.SSO != nil && (w.SSO.Issuer == "" || w.SSO.ClientID == "") {
		return nil, fmt.Errorf("CLOUDSIM_CI: sso needs an issuer and a client_id")
	}
	for _, u := range w.Users {
		for _, t := range u.Tokens {
			if t.Token == "" {
				return nil, fmt.Errorf("CLOUDSIM_CI: user %s: token %q has no value", u.Name, t.Name)
			}
		}
	}
	return &w, nil
}
